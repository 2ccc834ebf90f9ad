import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { TokenKeyParts } from './smartcar-token';

/**
 * What the `smartcarApi` credential holds and where it points: its type name, Smartcar's production endpoints, and
 * the one rule that turns the credential's fields into the endpoints every request uses. The credential class, the
 * token exchange and both nodes read the credential through this module.
 */

/**
 * The credential's type name, as the nodes' code asks n8n for it. The class and the node descriptions spell it out
 * as a literal, which n8n's lint and tooling read without running code; a spec checks that all agree.
 */
export const CREDENTIAL_NAME = 'smartcarApi';

export interface SmartcarEndpoints {
	/** Where the client ID and secret are exchanged for an application token. */
	tokenUrl: string;
	/** Base URL of the Vehicle API v3, without a trailing slash. */
	apiBaseUrl: string;
	/** Smartcar Connect's authorization page. */
	connectUrl: string;
	/** Base URL of the Management API v3 (webhooks, subscriptions), without a trailing slash. */
	managementApiUrl: string;
}

export const PRODUCTION: Readonly<SmartcarEndpoints> = {
	tokenUrl: 'https://iam.smartcar.com/oauth2/token',
	apiBaseUrl: 'https://vehicle.api.smartcar.com/v3',
	connectUrl: 'https://connect.smartcar.com/oauth/authorize',
	managementApiUrl: 'https://management.api.smartcar.com/v3',
};

const TRAILING_SLASHES = /\/+$/;

/** A text field of the credential, without the whitespace a paste brings along; '' when it is not text. */
export function credentialText(credentials: ICredentialDataDecryptedObject, field: string): string {
	const value = credentials[field];
	return typeof value === 'string' ? value.trim() : '';
}

/** Everything a token is exchanged with and sent to: the token is bound to all of it (see tokenFingerprint). */
export function tokenPartsOf(credentials: ICredentialDataDecryptedObject): TokenKeyParts {
	const { tokenUrl, apiBaseUrl, managementApiUrl } = resolveEndpoints(credentials);
	return {
		tokenUrl,
		apiBaseUrl,
		managementApiUrl,
		clientId: credentialText(credentials, 'clientId'),
		clientSecret: credentialText(credentials, 'clientSecret'),
	};
}

/** The smallest Max Requests per Second above 0: one request every 100 s. */
export const MIN_REQUESTS_PER_SECOND = 0.01;

/**
 * The credential's Max Requests per Second: 0 (no limit) when empty or 0, else a number from MIN_REQUESTS_PER_SECOND
 * up; anything else (a smaller quota, a negative number, text) is refused with a message that says what to enter.
 */
export function maxRequestsPerSecond(credentials: ICredentialDataDecryptedObject): { perSecond: number } | { problem: string } {
	const given = credentials.maxRequestsPerSecond;
	const value = given === undefined || given === null || given === '' ? 0 : Number(given);
	if (value === 0 || (Number.isFinite(value) && value >= MIN_REQUESTS_PER_SECOND)) return { perSecond: value };
	return {
		problem: `Max Requests per Second of the Smartcar API credential is ${String(given)}: use 0 for no limit, or at least ${MIN_REQUESTS_PER_SECOND} (one request every ${1 / MIN_REQUESTS_PER_SECOND} s)`,
	};
}

/** A custom endpoint field: trimmed and without trailing slashes, or production's when it is left empty. */
function customUrl(credentials: ICredentialDataDecryptedObject, field: keyof SmartcarEndpoints): string {
	const value = credentialText(credentials, field);
	return value === '' ? PRODUCTION[field] : value.replace(TRAILING_SLASHES, '');
}

/** The Smartcar endpoints a credential points at: production, or the custom ones (proxy, simulator). */
export function resolveEndpoints(credentials: ICredentialDataDecryptedObject): SmartcarEndpoints {
	if (credentials.environment !== 'custom') return { ...PRODUCTION };
	return {
		tokenUrl: customUrl(credentials, 'tokenUrl'),
		apiBaseUrl: customUrl(credentials, 'apiBaseUrl'),
		connectUrl: customUrl(credentials, 'connectUrl'),
		managementApiUrl: customUrl(credentials, 'managementApiUrl'),
	};
}

/**
 * `resolveEndpoints(credentials).apiBaseUrl` as an n8n expression, for the credential's `test.request.baseURL`: n8n
 * evaluates that field as an expression over `$credentials` and never calls code there, so the same rule (custom
 * URL trimmed and without trailing slashes, production's when empty) is written out once more here, from the same
 * production URL and the same trailing-slash pattern, using only what n8n's expression sandbox offers (it has no
 * `String()`). A spec evaluates it with n8n's expression engine and checks that both agree.
 */
export const API_BASE_URL_EXPRESSION =
	'={{ $credentials.environment === "custom" && ($credentials.apiBaseUrl || "").trim() !== "" ' +
	`? $credentials.apiBaseUrl.trim().replace(${String(TRAILING_SLASHES)}, "") : ${JSON.stringify(PRODUCTION.apiBaseUrl)} }}`;
