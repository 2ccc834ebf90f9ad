import { createHash, timingSafeEqual } from 'crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

import {
	connectStateKey,
	connectTarget,
	unverifiedConnectStateValue,
	verifyConnectState,
	type ConnectStateRejection,
} from '../shared/connect-state';
import { admitRedirect, type Admission, type LinkRef } from './connect-link-store';
import { triggerCredentialText } from './trigger-credential';

/**
 * The trigger's "Check State" for Connect redirects: which `state` proves that a redirect comes from a Connect link
 * made for this trigger, and (connect-link-store.ts) whether that link may still start the workflow.
 */
export type StateCheck = 'signed' | 'expectedValue' | 'none';

interface AcceptedState {
	ok: true;
	/** The builder's original State value (what Get Authorization URL output as `state`), or null when none came. */
	value: string | null;
	/** Signed mode: the verified link, for the memory of used links. */
	link?: LinkRef;
}

export interface RejectedState {
	ok: false;
	status: number;
	title: string;
	message: string;
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
	elsewhere: {
		ok: false,
		status: 400,
		title: 'Link not valid',
		message: 'This sign-in link was made for another address. Please start again from the link you were sent.',
	},
	outdated: {
		ok: false,
		status: 410,
		title: 'Link no longer valid',
		message: 'This sign-in link was made by an earlier version of this service and no longer works. Please ask for a new one.',
	},
	expired: { ok: false, status: 410, title: 'Link expired', message: 'This sign-in link has expired. Please ask for a new one.' },
};

const REFUSED_BY_MEMORY: Record<Exclude<Admission, 'accepted'>, RejectedState> = {
	used: {
		ok: false,
		status: 409,
		title: 'Link already used',
		message: 'This sign-in link has already been used. Please ask for a new one to connect again.',
	},
	tooManyErrors: {
		ok: false,
		status: 429,
		title: 'Too many attempts',
		message: 'This sign-in link has come back without a connected vehicle too many times. Please ask for a new one.',
	},
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
 * The path of the request as n8n received and routed it (no query). n8n found this trigger by it, so its last
 * segments are this trigger's own webhook path, whatever host or prefix the public URL has.
 */
function requestPath(context: IWebhookFunctions): string {
	const request = context.getRequestObject();
	const url = typeof request.originalUrl === 'string' ? request.originalUrl : (request.url ?? '');
	const query = url.indexOf('?');
	return query === -1 ? url : url.slice(0, query);
}

/**
 * Checks a redirect's `state` (never consuming it): `signed` verifies it with the trigger credential's key and this
 * trigger's target (the link must name this trigger), then the Expected State, if set, against the signed value;
 * `expectedValue` compares the value with Expected State only (the value inside a signed state, unverified, or the
 * plain text); `none` accepts anything.
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
		const verified = verifyConnectState(state, key, connectTarget(requestPath(context)));
		if (!verified.ok) return REJECTIONS[verified.reason];
		if (!expectedMatches(verified.value, expected)) return NOT_ISSUED;
		return { ok: true, value: verified.value, link: { nonce: verified.nonce, expiresAt: verified.expiresAt } };
	}
	const value = state === undefined ? null : (unverifiedConnectStateValue(state) ?? state);
	if (mode === 'expectedValue') {
		if (expected === undefined) return NOT_SET_UP;
		if (!expectedMatches(value, expected)) return NOT_ISSUED;
	}
	return { ok: true, value };
}

/**
 * Whether a redirect with this verified link may start the workflow, recorded at once (see connect-link-store.ts):
 * a redirect with a user ID uses the link up; an error redirect counts against the link's error bound. Undefined
 * when it may; otherwise the page to answer with.
 */
export function admit(context: IWebhookFunctions, link: LinkRef, connected: boolean): RejectedState | undefined {
	const scope = context.getWorkflow().id ?? '';
	const admission = admitRedirect(context.getWorkflowStaticData('global'), scope, link, connected);
	return admission === 'accepted' ? undefined : REFUSED_BY_MEMORY[admission];
}
