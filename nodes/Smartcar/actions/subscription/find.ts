import { listResources } from '../../../shared/paged-list';
import { readSubscription, type SmartcarSubscription } from '../../../shared/subscriptions';
import type { SmartcarClient } from '../../../shared/transport';

/** Which subscriptions are meant: a webhook and a vehicle, and optionally the user who connected it. */
export interface SubscriptionTarget {
	webhookId: string;
	vehicleId: string;
	userId?: string;
}

/**
 * The subscriptions of a vehicle to a webhook (`GET /subscriptions` filtered by webhook, vehicle and user), every
 * one checked again here for exactly these IDs: an answer that ignores a filter never selects another vehicle's.
 */
export async function findSubscriptions(
	client: SmartcarClient,
	target: SubscriptionTarget,
	itemIndex: number,
): Promise<SmartcarSubscription[]> {
	const filters: Record<string, string> = {
		'filter[webhookId]': target.webhookId,
		'filter[vehicleId]': target.vehicleId,
	};
	if (target.userId !== undefined) filters['filter[userId]'] = target.userId;
	const resources = await listResources(client, { api: 'management', path: '/subscriptions', filters }, itemIndex);
	return resources
		.map(readSubscription)
		.filter(
			(subscription) =>
				subscription.id !== '' &&
				subscription.webhookId === target.webhookId &&
				subscription.vehicleId === target.vehicleId &&
				(target.userId === undefined || subscription.userId === target.userId),
		);
}
