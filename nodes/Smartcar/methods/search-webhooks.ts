import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listResources } from '../../shared/paged-list';
import { SmartcarClient } from '../../shared/transport';
import { readWebhook } from '../../shared/webhooks';
import { MAX_LISTED } from './picker-context';

/**
 * The application's webhooks for the Webhook picker, by name: what is typed in the search box goes to Smartcar as
 * `filter[name]`. Each entry shows the name (and whether it is disabled or auto-subscribes) and its callback URI.
 */
export async function searchWebhooks(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await SmartcarClient.create(this);
	const filters = filter !== undefined && filter.trim() !== '' ? { 'filter[name]': filter } : {};
	const resources = await listResources(client, { api: 'management', path: '/webhooks', filters, limit: MAX_LISTED });
	const results: INodeListSearchResult['results'] = [];
	for (const webhook of resources.map(readWebhook)) {
		if (webhook.id === '') continue;
		const notes = [webhook.isEnabled === false ? 'disabled' : undefined, webhook.autoSubscribe === true ? 'auto-subscribe' : undefined];
		const label = notes.some((note) => note !== undefined) ? ` (${notes.filter((note) => note !== undefined).join(', ')})` : '';
		results.push({
			name: `${webhook.name ?? webhook.id}${label}`,
			value: webhook.id,
			description: webhook.callbackUri ?? undefined,
		});
	}
	return { results };
}
