import type { IDataObject } from 'n8n-workflow';

import { nextPageOf, resourceList, type NextPage } from './json-api';
import type { SmartcarApiName, SmartcarClient } from './transport';

/**
 * A JSON:API list paged by `page[number]` and `page[size]` (the Management API's webhooks and subscriptions): reads
 * page after page, following `links.next` when Smartcar gives one and asking for the next page number otherwise, until
 * the last page or the limit.
 */

/** The largest `page[size]` the Management API takes. */
export const MANAGEMENT_MAX_PAGE_SIZE = 100;

/** A guard against a server whose pages never end: 1,000 pages of 100 is far above any real application. */
const MAX_PAGES = 1000;

export interface PagedListRequest {
	api: SmartcarApiName;
	/** The list's path, e.g. `/subscriptions`. */
	path: string;
	/** Filters, e.g. `{ 'filter[webhookId]': '…' }`; paging parameters are added here. */
	filters?: IDataObject;
	/** Stop after this many resources; undefined = all. */
	limit?: number;
	/** Largest page to ask for (default MANAGEMENT_MAX_PAGE_SIZE). */
	maxPageSize?: number;
}

/** What a Get Many operation checks before listing: its `filter[…]` parameters and the Limit (undefined: Return All). */
export type ListParams = Required<Pick<PagedListRequest, 'filters'>> & Pick<PagedListRequest, 'limit'>;

/** The raw resources of every page (or of the first `limit`), in Smartcar's order. */
export async function listResources(client: SmartcarClient, request: PagedListRequest, itemIndex = 0): Promise<unknown[]> {
	const maxPageSize = request.maxPageSize ?? MANAGEMENT_MAX_PAGE_SIZE;
	const pageSize = Math.min(maxPageSize, request.limit ?? maxPageSize);
	const filters = request.filters ?? {};
	const results: unknown[] = [];
	const seenLinks = new Set<string>();
	let next: NextPage = { pageNumber: 1 };
	let pageNumber = 0;

	for (let pages = 0; next !== null && pages < MAX_PAGES; pages++) {
		let body: unknown;
		if ('link' in next) {
			if (seenLinks.has(next.link)) break;
			seenLinks.add(next.link);
			body = (await client.follow(next.link, { api: request.api, method: 'GET' }, itemIndex)).body;
			pageNumber++;
		} else {
			pageNumber = next.pageNumber;
			const qs = { ...filters, 'page[number]': pageNumber, 'page[size]': pageSize };
			body = (await client.request({ api: request.api, method: 'GET', path: request.path, qs }, itemIndex)).body;
		}
		const resources = resourceList(body) ?? [];
		for (const resource of resources) {
			results.push(resource);
			if (request.limit !== undefined && results.length >= request.limit) return results;
		}
		next = nextPageOf(body, { pageNumber, pageSize, received: resources.length });
	}
	return results;
}
