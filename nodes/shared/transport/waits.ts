import type { NodeApiError } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { maxRequestsPerSecond } from '../../../credentials/smartcar-credential';
import type { SmartcarErrorInfo } from '../api-error';
import { QUOTA_ADVICE, slotRefusal, type Clearance, type PauseRef, type RateLimiter, type SlotRef } from '../rate-limiter';
import { safeError, stoppedError } from './errors';
import { RETRY_POLICY } from './policy';
import { cancelSignalOf, type Session, type SmartcarContext } from './request';

/** Waits (before a retry, between polls); a stopped execution stops waiting at once. */
export async function pause(context: SmartcarContext, ms: number, itemIndex: number): Promise<void> {
	const stop = cancelSignalOf(context);
	if (!stop) return await sleep(ms);
	if (stop.aborted) throw stoppedError(context, itemIndex);
	await new Promise<void>((resolve, reject) => {
		const onStop = () => reject(stoppedError(context, itemIndex));
		stop.addEventListener('abort', onStop, { once: true });
		void sleep(ms).then(() => {
			stop.removeEventListener('abort', onStop);
			resolve();
		});
	});
}

/**
 * Tells the credential's limiter about a 429 with `retry-after`, so every request it concerns waits: the
 * vehicle's for RATE_LIMIT:VEHICLE, the application's for any other 429. Whether it did (a 429 without
 * `retry-after`, or a vehicle limit on a request for no one vehicle, is this request's alone): the pause now in
 * force, or undefined when none was shared.
 */
export function sharePause(limiter: RateLimiter, info: SmartcarErrorInfo, vehicleId: string | undefined): PauseRef | undefined {
	const seconds = info.retryAfterSeconds;
	if (seconds === undefined) return undefined;
	if (info.code !== 'VEHICLE') return limiter.pause(undefined, seconds, Date.now());
	return vehicleId === undefined ? undefined : limiter.pause(vehicleId, seconds, Date.now());
}

/** A request not sent because Smartcar asked this application or vehicle to wait longer than the bound. */
async function pausedError(session: Session, clearance: Extract<Clearance, { kind: 'refused' }>, itemIndex: number): Promise<NodeApiError> {
	const { vehicleId, seconds } = clearance;
	const code = vehicleId === undefined ? 'SMARTCAR_API' : 'VEHICLE';
	const whose = vehicleId === undefined ? 'this application' : `vehicle ${vehicleId}`;
	return await safeError(
		session,
		{ status: 429, type: 'RATE_LIMIT', code, retryAfterSeconds: seconds },
		{
			message: `Smartcar's rate limit pauses ${whose} for another ${seconds} s, longer than the ${RETRY_POLICY.maxRateLimitWaitSeconds} s this node waits; the request was not sent`,
			description:
				`An earlier request got HTTP 429 RATE_LIMIT:${code} from Smartcar, asking to wait. This request was not sent, so nothing was carried out. ` +
				'Run it again after that time. Max Requests per Second in the Smartcar API credential keeps requests under a known quota so that Smartcar need not pause them.',
			httpCode: '429',
		},
		itemIndex,
	);
}

/** One client's place at the credential's limiter: the limiter, and when the client started (older pauses are not refused to it). */
export interface LimiterSeat {
	limiter: RateLimiter;
	startedAt: number;
}

/**
 * Waits until the credential's limiter lets a request (for `vehicleId`, if any) go: the pauses Smartcar asked
 * for, then a slot under Max Requests per Second. A pause or a slot further away than the bound fails at once,
 * without sending; a slot waited for is given back when the wait is stopped or a pause comes first. Returns the
 * slot taken and the last pause waited for, if any.
 */
export async function clearance(session: Session, seat: LimiterSeat, vehicleId: string | undefined, itemIndex: number): Promise<{ slot: SlotRef; waitedFor?: PauseRef }> {
	const { limiter, startedAt } = seat;
	const maxWaitMs = RETRY_POLICY.maxRateLimitWaitSeconds * 1000;
	const quota = maxRequestsPerSecond(session.credentials);
	if ('problem' in quota) {
		throw new NodeOperationError(session.context.getNode(), quota.problem, { itemIndex, description: QUOTA_ADVICE });
	}
	let waitedFor: PauseRef | undefined;
	for (;;) {
		const cleared = limiter.clearance(vehicleId, Date.now(), startedAt, maxWaitMs);
		if (cleared.kind === 'refused') throw await pausedError(session, cleared, itemIndex);
		if (cleared.kind === 'wait') {
			waitedFor = cleared.pause;
			await pause(session.context, cleared.ms, itemIndex);
			continue;
		}
		const taken = limiter.reserveSlot(Date.now(), quota.perSecond, maxWaitMs);
		if (taken.kind === 'refused') {
			const { message, description } = slotRefusal(quota.perSecond, taken.seconds, RETRY_POLICY.maxRateLimitWaitSeconds);
			throw new NodeOperationError(session.context.getNode(), message, { itemIndex, description });
		}
		if (taken.ms > 0) await pause(session.context, taken.ms, itemIndex).catch((error: unknown) => releaseAndThrow(limiter, taken.slot, error));
		// Smartcar may have asked for a pause while this request waited for its slot.
		if (taken.ms <= 0 || limiter.clearance(vehicleId, Date.now(), startedAt, maxWaitMs).kind === 'go') return { slot: taken.slot, waitedFor };
		limiter.release(taken.slot);
	}
}

function releaseAndThrow(limiter: RateLimiter, slot: SlotRef, error: unknown): never {
	limiter.release(slot);
	throw error;
}
