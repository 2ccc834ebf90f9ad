import type { IDataObject } from 'n8n-workflow';

import type { SmartcarClient } from './client';
import type { SentRequest, SmartcarApiName } from './request';

/** The largest page asked for: Smartcar's documented `page[size]` ceiling for its lists. */
const PAGE_SIZE = 100;

/** A guard against a server whose pages never end: 1,000 pages of 100 is far above any real fleet or application. */
const MAX_PAGES = 1000;

/** Where the next page is: a link Smartcar gave, a page number or a cursor to ask the list's path with, or nowhere. */
export type NextPage = { link: string } | { pageNumber: number } | { cursor: string } | null;

/** One page as its list's reader sees it: its items, and where the next page is. */
export interface Page<T> {
	items: readonly T[];
	next: NextPage;
}

/** One list: where it is, and its reader (which lives with its concept: connections.ts, json-api.ts, signals.ts). */
export interface PagedList<T> {
	path: string;
	api?: SmartcarApiName;
	userId?: string;
	/** Query parameters of every page asked by number or cursor, e.g. `{ 'filter[webhookId]': '…' }`. */
	filters?: IDataObject;
	/** Reads one page; `asked` is the page number (a followed link counts as the next one) and size asked for. */
	read: (body: unknown, asked: { pageNumber: number; pageSize: number }) => Page<T>;
	/** Items to keep (default all); the others do not count towards `limit`. */
	keep?: (item: T) => boolean;
	/** Stop after this many items; undefined = all. */
	limit?: number;
	/** At most this many pages (default MAX_PAGES). */
	maxPages?: number;
	/** false: the list takes no `page[…]` parameters; its first page is the path as is, later ones come by link. */
	pageParameters?: boolean;
}

/**
 * Every item of a list (or the first `limit`), page after page until the reader finds no next page, a link or
 * cursor comes round again, or `maxPages` were read.
 */
export async function listPages<T>(client: SmartcarClient, list: PagedList<T>, itemIndex = 0): Promise<T[]> {
	const pageSize = Math.min(PAGE_SIZE, list.limit ?? PAGE_SIZE);
	const maxPages = list.maxPages ?? MAX_PAGES;
	const results: T[] = [];
	const seen = new Set<string>();
	let next: NextPage = { pageNumber: 1 };
	let pageNumber = 0;
	for (let pages = 0; next !== null && pages < maxPages; pages++) {
		const key = 'link' in next ? next.link : 'cursor' in next ? next.cursor : undefined;
		if (key !== undefined && seen.has(key)) break;
		if (key !== undefined) seen.add(key);
		pageNumber = 'pageNumber' in next ? next.pageNumber : pageNumber + 1;
		const page = list.read(await pageBody(client, list, next, pageSize, itemIndex), { pageNumber, pageSize });
		for (const item of page.items) {
			if (list.keep && !list.keep(item)) continue;
			results.push(item);
			if (list.limit !== undefined && results.length >= list.limit) return results;
		}
		next = page.next;
	}
	return results;
}

/** The body of one page: a link followed, or the list's path asked with its filters and the page's parameters. */
async function pageBody(
	client: SmartcarClient,
	list: Pick<PagedList<unknown>, 'path' | 'api' | 'userId' | 'filters' | 'pageParameters'>,
	next: Exclude<NextPage, null>,
	pageSize: number,
	itemIndex: number,
): Promise<unknown> {
	const request: SentRequest = { method: 'GET', api: list.api, userId: list.userId };
	if ('link' in next) return (await client.follow(next.link, request, itemIndex)).body;
	const paging = 'cursor' in next ? { cursor: next.cursor } : { 'page[number]': next.pageNumber };
	const qs = list.pageParameters === false ? list.filters : { ...list.filters, ...paging, 'page[size]': pageSize };
	return (await client.request({ ...request, path: list.path, qs }, itemIndex)).body;
}
