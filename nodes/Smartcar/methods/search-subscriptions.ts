import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { listResources } from '../../shared/paged-list';
import { readSubscription } from '../../shared/subscriptions';
import { SmartcarClient } from '../../shared/transport';
import { vehicleLabel } from '../../shared/vehicle';
import { readWebhook } from '../../shared/webhooks';
import { matching, MAX_LISTED } from './picker-context';

/**
 * The Subscription picker (Subscription → Get, Unsubscribe by ID): the application's subscriptions, each as its
 * vehicle, the webhook's name and the user (two Management API lists: subscriptions, and webhooks for their names).
 */
export async function searchSubscriptions(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await SmartcarClient.create(this);
	const subscriptions = (await listResources(client, { api: 'management', path: '/subscriptions', limit: MAX_LISTED })).map(readSubscription);
	const webhooks = (await listResources(client, { api: 'management', path: '/webhooks', limit: MAX_LISTED })).map(readWebhook);
	const webhookNames = new Map(webhooks.map((webhook) => [webhook.id, webhook.name ?? webhook.id]));
	const results: INodeListSearchItems[] = [];
	for (const subscription of subscriptions) {
		if (subscription.id === '') continue;
		const vehicle = vehicleLabel(subscription.vehicle) || (subscription.vehicleId ?? 'a vehicle');
		const webhook = subscription.webhookId ? (webhookNames.get(subscription.webhookId) ?? subscription.webhookId) : 'a webhook';
		const user = subscription.userId ? `, user ${subscription.userId}` : '';
		results.push({ name: `${vehicle} → ${webhook} (${subscription.id}${user})`, value: subscription.id });
	}
	return { results: matching(results, filter) };
}
