import type { NextPage, Page } from './transport';
import { asRecord, asString, isRecord, type JsonRecord } from './values';

/**
 * The JSON:API envelope of Smartcar's v3 answers: `{data: resource | resource[], links: {next}, errors: […]}`, a
 * resource being `{id, type, attributes, relationships, meta}`. Smartcar's documented examples and older answers
 * often leave the envelope out (a flat resource, a flat error), so each reader also accepts the flat form.
 */

/** The resource of a single-resource answer: `data` when it is an object, else the body itself (flat form). */
export function resourceOf(body: unknown): JsonRecord {
	const record = asRecord(body);
	return isRecord(record.data) ? record.data : record;
}

/** A resource's fields: its `attributes` when it has them, else the resource itself (flat form). */
export function attributesOf(resource: JsonRecord): JsonRecord {
	return isRecord(resource.attributes) ? resource.attributes : resource;
}

/** The resources of a list answer (`data` as an array); undefined when the body has no such list. */
export function resourceList(body: unknown): unknown[] | undefined {
	const data = asRecord(body).data;
	return Array.isArray(data) ? data : undefined;
}

/** The next page's link (`links.next`, absolute or relative); undefined on the last page. */
export function nextLink(body: unknown): string | undefined {
	const link = asString(asRecord(asRecord(body).links).next);
	return link === '' ? undefined : link;
}

/** The ID a resource's relationship points at (`relationships.<name>.data.id`). */
export function relationshipId(resource: JsonRecord, name: string): string | undefined {
	const relationship = asRecord(asRecord(resource.relationships)[name]);
	return asString(asRecord(relationship.data).id);
}

/** The error object of an error answer: the first of `errors` (JSON:API), else the body itself (flat form). */
export function errorObjectOf(body: unknown): JsonRecord {
	const record = asRecord(body);
	const errors = record.errors;
	const first = asRecord(Array.isArray(errors) ? errors[0] : undefined);
	return Object.keys(first).length > 0 ? first : record;
}

/** The page just read: the number and size that were asked for, and how many resources it held. */
export interface PageRead {
	pageNumber: number;
	pageSize: number;
	received: number;
}

function wholeNumberIn(record: Record<string, unknown>, key: string): number | undefined {
	const value = record[key];
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * The next page of a list paged by `page[number]`/`page[size]`, from whatever the answer supports, in this order:
 * `links.next` when the answer has a `links.next` key (a link, or null/empty on the last page); else `meta.totalCount`
 * (with `meta.pageNumber`/`meta.pageSize` when given); else a full page means there may be another. An empty page is
 * always the last.
 */
export function nextPageOf(body: unknown, page: PageRead): NextPage {
	if (page.received === 0) return null;
	const links = asRecord(body).links;
	if (isRecord(links) && 'next' in links) {
		const link = nextLink(body);
		return link === undefined ? null : { link };
	}
	const meta = asRecord(asRecord(body).meta);
	const totalCount = wholeNumberIn(meta, 'totalCount');
	if (totalCount !== undefined) {
		const pageNumber = wholeNumberIn(meta, 'pageNumber') ?? page.pageNumber;
		const givenSize = wholeNumberIn(meta, 'pageSize');
		const pageSize = givenSize !== undefined && givenSize > 0 ? givenSize : page.pageSize;
		return pageNumber * pageSize < totalCount ? { pageNumber: pageNumber + 1 } : null;
	}
	return page.received >= page.pageSize ? { pageNumber: page.pageNumber + 1 } : null;
}

/** One page of a JSON:API list paged by `page[number]`/`page[size]` (the Management API's webhooks and subscriptions). */
export function readResourcePage(body: unknown, asked: { pageNumber: number; pageSize: number }): Page<unknown> {
	const items = resourceList(body) ?? [];
	return { items, next: nextPageOf(body, { ...asked, received: items.length }) };
}
