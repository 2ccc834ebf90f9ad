import { createHash, timingSafeEqual } from 'crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

import {
	connectStateKey,
	MAX_LINK_VALIDITY_HOURS,
	unverifiedConnectStateValue,
	verifyConnectState,
	type ConnectStateRejection,
} from '../shared/connect-state';
import { isInStaticData, memoryScope, RecentEvents, rememberInStaticData, type StaticIdList } from './recent-events';
import { triggerCredentialText } from './trigger-credential';

/**
 * The trigger's "Check State" for Connect redirects: which `state` proves that a redirect comes from a Connect link
 * this workflow issued, and the memory of links already used.
 */
export type StateCheck = 'signed' | 'expectedValue' | 'none';

interface AcceptedState {
	ok: true;
	/** The builder's original State value (what Get Authorization URL output as `state`), or null when none came. */
	value: string | null;
	/** Signed mode: the link's nonce and expiry as remembered once used (`<nonce>.<expiry seconds, base36>`). */
	nonceId?: string;
}

export interface RejectedState {
	ok: false;
	status: number;
	title: string;
	message: string;
}

/** Used links, by nonce: remembered in process memory for longer than any link can be valid. */
const usedNonces = new RecentEvents(10_000, (MAX_LINK_VALIDITY_HOURS + 1) * 3600 * 1000);

/** `usedStateNonces` in node static data: the newest 1,000 used links, each dropped once its link has expired. */
function usedNonceList(nowMs: number = Date.now()): StaticIdList {
	return {
		key: 'usedStateNonces',
		max: 1000,
		keep: (id) => parseInt(id.slice(id.lastIndexOf('.') + 1), 36) * 1000 > nowMs,
	};
}

const NOT_ISSUED: RejectedState = {
	ok: false,
	status: 400,
	title: 'Link not valid',
	message: 'This sign-in link was not issued by this service. Please start again from the link you were sent.',
};

const REJECTIONS: Record<ConnectStateRejection, RejectedState> = {
	missing: NOT_ISSUED,
	plain: NOT_ISSUED,
	tampered: NOT_ISSUED,
	expired: { ok: false, status: 410, title: 'Link expired', message: 'This sign-in link has expired. Please ask for a new one.' },
};

export const ALREADY_USED: RejectedState = {
	ok: false,
	status: 409,
	title: 'Link already used',
	message: 'This sign-in link has already been used. Please ask for a new one to connect again.',
};

const NOT_SET_UP: RejectedState = {
	ok: false,
	status: 500,
	title: 'Not set up',
	message:
		'This sign-in page is not set up: its Smartcar Trigger needs the Smartcar API credential that created the link (Check State: Signed), or an Expected State (Check State: Expected Value Only).',
};

/** Equal texts, compared in constant time (over their SHA-256, so their lengths do not show either). */
function sameText(a: string, b: string): boolean {
	return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The key the trigger's credential signs states with; undefined without a credential or a client secret. */
async function stateKey(context: IWebhookFunctions): Promise<Buffer | undefined> {
	const secret = await triggerCredentialText(context, 'clientSecret');
	return secret === undefined ? undefined : connectStateKey(secret);
}

function expectedMatches(value: string | null, expected: string | undefined): boolean {
	return expected === undefined || (value !== null && sameText(value, expected));
}

/**
 * Checks a redirect's `state` (never consuming it): `signed` verifies it with the trigger credential's key (then the
 * Expected State, if set, against the signed value); `expectedValue` compares the value with Expected State only
 * (the value inside a signed state, unverified, or the plain text); `none` accepts anything.
 */
export async function checkState(
	context: IWebhookFunctions,
	mode: StateCheck,
	state: string | undefined,
	expected: string | undefined,
): Promise<AcceptedState | RejectedState> {
	if (mode === 'signed') {
		const key = await stateKey(context);
		if (!key) return NOT_SET_UP;
		const verified = verifyConnectState(state, key);
		if (!verified.ok) return REJECTIONS[verified.reason];
		if (!expectedMatches(verified.value, expected)) return NOT_ISSUED;
		const expirySeconds = Math.round(verified.expiresAt.getTime() / 1000);
		return { ok: true, value: verified.value, nonceId: `${verified.nonce}.${expirySeconds.toString(36)}` };
	}
	const value = state === undefined ? null : (unverifiedConnectStateValue(state) ?? state);
	if (mode === 'expectedValue') {
		if (expected === undefined) return NOT_SET_UP;
		if (!expectedMatches(value, expected)) return NOT_ISSUED;
	}
	return { ok: true, value };
}

/** Whether the link with this nonce was used, in this process or (node static data) by the workflow. Writes nothing. */
export function wasUsed(context: IWebhookFunctions, nonceId: string): boolean {
	return usedNonces.has(`${memoryScope(context)}${nonceId}`) || isInStaticData(context.getWorkflowStaticData('node'), nonceId, usedNonceList());
}

/**
 * Marks the link as used and says whether it already was. Check-and-record in process memory is synchronous, so two
 * redirects with one link arriving together in a process cannot both pass; across processes the static data is
 * the only memory (saved by n8n before the run starts, as for event IDs).
 */
export function consume(context: IWebhookFunctions, nonceId: string): boolean {
	const scope = memoryScope(context);
	const usedInProcess = usedNonces.checkAndRecord(`${scope}${nonceId}`);
	const usedByWorkflow = rememberInStaticData(
		context.getWorkflowStaticData('node'),
		nonceId,
		usedNonces.idsWithPrefix(scope),
		usedNonceList(),
	);
	return usedInProcess || usedByWorkflow;
}
