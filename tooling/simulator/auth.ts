/**
 * POST /oauth2/token (client credentials, as in Smartcar's API Authentication guide) and the store of issued access tokens.
 */
import { randomBytes } from 'crypto';

import type { Reply, RequestContext } from './http-utils';

export const MAX_CLIENT_SECRETS = 3;
const MAX_TOKENS = 10_000;

export interface Credentials {
	clientId: string;
	clientSecrets: string[];
	tokenLifetimeSeconds: number;
}

interface IssuedToken {
	clientId: string;
	/** The secret it was issued for: removing that secret from the app invalidates the token at once. */
	clientSecret: string;
	expiresAt: number;
	revoked: boolean;
}

export class TokenStore {
	private readonly tokens = new Map<string, IssuedToken>();

	issue(clientId: string, clientSecret: string, lifetimeSeconds: number, now = Date.now()): string {
		this.evict(now);
		const value = `sim_${randomBytes(24).toString('base64url')}`;
		this.tokens.set(value, { clientId, clientSecret, expiresAt: now + lifetimeSeconds * 1000, revoked: false });
		return value;
	}

	isValid(value: string | undefined, credentials: Credentials, now = Date.now()): boolean {
		const token = value === undefined ? undefined : this.tokens.get(value);
		if (!token || token.revoked || token.expiresAt <= now) return false;
		return token.clientId === credentials.clientId && credentials.clientSecrets.includes(token.clientSecret);
	}

	/** Every token issued so far becomes invalid. */
	expireAll(): void {
		for (const token of this.tokens.values()) token.revoked = true;
	}

	private evict(now: number): void {
		if (this.tokens.size < MAX_TOKENS) return;
		for (const [value, token] of this.tokens) {
			if (token.revoked || token.expiresAt <= now) this.tokens.delete(value);
		}
		while (this.tokens.size >= MAX_TOKENS) {
			const oldest = this.tokens.keys().next();
			if (oldest.done) break;
			this.tokens.delete(oldest.value);
		}
	}
}

function oauthError(status: number, error: string, description: string): Reply {
	return {
		status,
		body: { error, error_description: description },
		headers: { 'cache-control': 'no-store' },
	};
}

/** Credentials must be in the form body; HTTP Basic is not documented for this endpoint and is ignored. */
export function handleTokenRequest(context: RequestContext, credentials: Credentials, store: TokenStore): Reply {
	const form = new URLSearchParams(context.rawBody.toString('utf8'));
	const grantType = form.get('grant_type');
	const clientId = form.get('client_id');
	const clientSecret = form.get('client_secret');
	if (!grantType || !clientId || !clientSecret) {
		const missing = [
			['grant_type', grantType],
			['client_id', clientId],
			['client_secret', clientSecret],
		]
			.filter(([, value]) => !value)
			.map(([name]) => name);
		return oauthError(400, 'invalid_request', `Missing required parameter(s): ${missing.join(', ')}`);
	}
	if (grantType !== 'client_credentials') {
		return oauthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
	}
	if (clientId !== credentials.clientId || !credentials.clientSecrets.includes(clientSecret)) {
		return oauthError(401, 'invalid_client', 'Client authentication failed');
	}
	const accessToken = store.issue(clientId, clientSecret, credentials.tokenLifetimeSeconds);
	return {
		status: 200,
		body: { access_token: accessToken, token_type: 'Bearer', expires_in: credentials.tokenLifetimeSeconds },
		headers: { 'cache-control': 'no-store' },
	};
}
