import type { IDataObject } from 'n8n-workflow';

import { readResourcePage } from './json-api';
import { listPages, type SmartcarApiName, type SmartcarClient } from './transport';

/**
 * A JSON:API list paged by `page[number]` and `page[size]` (the Management API's webhooks and subscriptions), read
 * by the pager (transport/pager.ts): `links.next` when Smartcar gives one, the next page number otherwise.
 */
export interface PagedListRequest {
	api: SmartcarApiName;
	/** The list's path, e.g. `/subscriptions`. */
	path: string;
	/** Filters, e.g. `{ 'filter[webhookId]': '…' }`; paging parameters are added here. */
	filters?: IDataObject;
	/** Stop after this many resources; undefined = all. */
	limit?: number;
}

/** What a Get Many operation checks before listing: its `filter[…]` parameters and the Limit (undefined: Return All). */
export type ListParams = Required<Pick<PagedListRequest, 'filters'>> & Pick<PagedListRequest, 'limit'>;

/** The raw resources of every page (or of the first `limit`), in Smartcar's order. */
export async function listResources(client: SmartcarClient, request: PagedListRequest, itemIndex = 0): Promise<unknown[]> {
	return await listPages(client, { ...request, read: readResourcePage }, itemIndex);
}
