import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SmartcarSubscription } from '../../../shared/subscriptions';
import type { SmartcarClient } from '../../../shared/transport';
import { findSubscriptions, type SubscriptionTarget } from './find';

/**
 * How long Subscribe → Wait Until Active looks for the new subscription: it lists at once, then after pauses that
 * double from `firstPauseMs` up to `maxPauseMs`, as long as the pauses add up to at most `maxWaitMs` (by default
 * 1+2+4+8+10+10+10+10 s = 55 s, 9 lookups). A 429 on a lookup is waited out by the transport as usual. Specs
 * shorten it; nothing else changes it.
 */
export const SUBSCRIBE_WAIT = { firstPauseMs: 1_000, maxPauseMs: 10_000, maxWaitMs: 60_000 };

/** The subscription once Smartcar lists it; past SUBSCRIBE_WAIT, an error that says it may still appear. */
export async function waitUntilListed(
	this: IExecuteFunctions,
	client: SmartcarClient,
	target: SubscriptionTarget & { userId: string },
	itemIndex: number,
): Promise<SmartcarSubscription> {
	let waitedMs = 0;
	let pauseMs = SUBSCRIBE_WAIT.firstPauseMs;
	for (;;) {
		const [found] = await findSubscriptions(client, target, itemIndex);
		if (found !== undefined) return found;
		if (waitedMs + pauseMs > SUBSCRIBE_WAIT.maxWaitMs) break;
		await client.pause(pauseMs, itemIndex);
		waitedMs += pauseMs;
		pauseMs = Math.min(pauseMs * 2, SUBSCRIBE_WAIT.maxPauseMs);
	}
	const seconds = Math.round(waitedMs / 100) / 10;
	throw new NodeOperationError(
		this.getNode(),
		`Smartcar accepted the subscription of vehicle ${target.vehicleId} to webhook ${target.webhookId}, but did not list it within ${seconds} s`,
		{
			itemIndex,
			description:
				'Smartcar creates subscriptions in the background, so it may still appear. Check with Subscription → Get Many ' +
				'(this Webhook and Vehicle) or in the Smartcar Dashboard before acting on it. Running Subscribe again is safe: ' +
				'Smartcar then answers that the vehicle is already subscribed (status "alreadySubscribed").',
		},
	);
}
