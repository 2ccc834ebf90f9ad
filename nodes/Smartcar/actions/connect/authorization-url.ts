import type { IDataObject } from 'n8n-workflow';
import { randomString } from 'n8n-workflow';

import { connectTarget, signConnectState } from '../../../shared/connect-state';
import type { SmartcarClient } from '../../../shared/transport';

/** Connect's Mode values (the Mode field's options). */
export const CONNECT_MODES = ['live', 'simulated'] as const;

/** Options → Approval Prompt's values. */
export const APPROVAL_PROMPTS = ['auto', 'force'] as const;

/** What `validate` read and checked for one item; the link is built from exactly this. */
export interface AuthorizationUrlParams {
	redirectUri: string;
	/** The `scope` parameter (`required:` prefixes included), '' for none. */
	scope: string;
	mode: (typeof CONNECT_MODES)[number];
	/** The builder's State, or undefined to use a random one. */
	state?: string;
	linkExpiryHours: number;
	/** Connect's optional parameters, in the order they go into the URL; only non-empty ones. */
	optional: Array<[string, string]>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why Smartcar could not send a driver to `value` safely, or undefined when it can: https, plain http only to this
 * machine (development), or the `sc<clientId>://` scheme Smartcar assigns to mobile apps; never credentials in the URL
 * or a fragment, and the value exactly as it goes into the link (no spaces around it).
 */
export function unsafeRedirectReason(value: string, clientId: string): string | undefined {
	if (value.trim() === '') return 'it is empty';
	if (value.trim() !== value) return 'it starts or ends with a space or line break';
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'it is not an absolute URL';
	}
	if (url.username || url.password) return 'it contains a user name or password';
	if (url.hash) return 'it contains a "#" fragment, which Smartcar cannot append parameters to';
	if (url.protocol === 'https:') return undefined;
	if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'plain http is only allowed for localhost';
	if (clientId && url.protocol === `sc${clientId.toLowerCase()}:`) return undefined;
	return `the scheme "${url.protocol}" is not allowed`;
}

/** The `scope` parameter: the permissions asked for, then the required ones with the `required:` prefix. */
export function scopeOf(scopes: string[], required: string[]): string {
	return [...scopes.filter((s) => !required.includes(s)), ...required.map((s) => `required:${s}`)].join(' ');
}

/**
 * Builds the Smartcar Connect URL a driver opens to grant access. No API call is made. Its `state` is signed with
 * this credential's key (see shared/connect-state.ts): the builder's State (or a random one), a fresh nonce, an
 * expiry and the target (the Redirect URI's webhook path), so only the Smartcar Trigger at that URL accepts it. The
 * output's `state` is the builder's value, which the Smartcar Trigger outputs again on the redirect.
 */
export function buildAuthorizationUrl(client: SmartcarClient, params: AuthorizationUrlParams): IDataObject {
	const value = params.state ?? randomString(24);
	const target = connectTarget(new URL(params.redirectUri).pathname);
	const signed = signConnectState(value, client.connectStateKey, params.linkExpiryHours * 3600, target);
	const query = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: params.redirectUri });
	if (params.scope) query.set('scope', params.scope);
	query.set('state', signed.state);
	query.set('mode', params.mode);
	for (const [name, optionValue] of params.optional) query.set(name, optionValue);

	return {
		url: `${client.endpoints.connectUrl}?${query.toString()}`,
		state: value,
		expiresAt: signed.expiresAt.toISOString(),
		redirectUri: params.redirectUri,
		scopes: params.scope === '' ? [] : params.scope.split(' '),
		mode: params.mode,
	};
}
