import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * Keeping secrets out of text: the credential's secrets in every form they take in error text, and the parts of a
 * URL a message may show. The token exchange and the nodes' transport both build their errors with it.
 */

/** Credential fields whose values must never reach a message, an output item or a log line. */
const SECRET_FIELDS = ['clientSecret', 'accessToken', 'applicationManagementToken', 'previousApplicationManagementToken'] as const;

const MIN_SECRET_LENGTH = 4;
/** A base64 fragment shorter than this is too likely to occur by chance to be worth redacting. */
const MIN_BASE64_FRAGMENT = 8;

/** The secret values of the given credential snapshots, plus any other known secrets (e.g. tokens in memory). */
export function secretsOf(credentials: Array<ICredentialDataDecryptedObject | undefined>, extra: string[] = []): string[] {
	const secrets = new Set<string>();
	for (const snapshot of credentials) {
		for (const field of SECRET_FIELDS) {
			const secret = snapshot?.[field];
			if (typeof secret === 'string') {
				secrets.add(secret);
				secrets.add(secret.trim());
			}
		}
	}
	for (const secret of extra) secrets.add(secret);
	return [...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/**
 * The part of a base64 text that stands for `secret` wherever it sits in the encoded bytes: for each of the three
 * byte alignments, the encoded characters that depend on the secret's bytes alone.
 */
function base64Fragments(secret: string, encoding: 'base64' | 'base64url'): string[] {
	const bytes = Buffer.from(secret, 'utf8');
	const fragments: string[] = [];
	for (let offset = 0; offset < 3; offset++) {
		const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
		const encoded = padded.toString(encoding);
		const start = offset === 0 ? 0 : 4;
		const whole = Math.floor(padded.length / 3) * 4;
		const fragment = encoded.slice(start, whole);
		if (fragment.length >= MIN_BASE64_FRAGMENT) fragments.push(fragment);
	}
	return fragments;
}

/** Every form a secret takes in error text: as is, JSON-escaped, URL- and form-encoded, base64 and base64url. */
export function secretForms(secret: string): string[] {
	const forms = new Set<string>([
		secret,
		JSON.stringify(secret).slice(1, -1),
		JSON.stringify(JSON.stringify(secret)).slice(2, -2),
		encodeURIComponent(secret),
		new URLSearchParams({ s: secret }).toString().slice(2),
		...base64Fragments(secret, 'base64'),
		...base64Fragments(secret, 'base64url'),
	]);
	return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the given secrets, in any of their forms, in `text` with `[redacted]`. */
export function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) {
		for (const form of secretForms(secret)) result = result.split(form).join('[redacted]');
	}
	return result;
}

/** A copy of a JSON-like value with every string in it, keys included, redacted. */
export function redactDeep<T>(value: T, secrets: string[]): T {
	return redactValue(value, secrets, 0) as T;
}

const MAX_DEPTH = 32;

function redactValue(value: unknown, secrets: string[], depth: number): unknown {
	if (typeof value === 'string') return redact(value, secrets);
	if (value === null || typeof value !== 'object') return value;
	if (depth >= MAX_DEPTH) return '[nested too deep]';
	if (Array.isArray(value)) return value.map((entry) => redactValue(entry, secrets, depth + 1));
	const copy: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		Object.defineProperty(copy, redact(key, secrets), {
			value: redactValue(entry, secrets, depth + 1),
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return copy;
}

/**
 * A URL as it may appear in a message: scheme, host and path only. User info and the query string can hold
 * credentials (`https://user:pass@host`, `?token=`), so they are never printed.
 */
export function displayUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}`;
	} catch {
		return '(a URL that could not be read)';
	}
}

/**
 * Where a redirect points, for a message: the origin of `location` (resolved against the URL that answered), never
 * its path or query, which may carry data.
 */
export function redirectTarget(location: string | undefined, from: string): string {
	if (location === undefined) return 'an address it did not name';
	try {
		return new URL(location, from).origin;
	} catch {
		return 'an address that could not be read';
	}
}
