import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { decodedViews, type View } from './decoded-views';

/**
 * Keeping secrets out of text: the credential's secrets in every form they take in error text, and the parts of a
 * URL a message may show. The token exchange and the nodes' transport both build their errors with it.
 *
 * A secret is searched for in the text as it is and in its decoded views (decoded-views.ts: JSON, percent and HTML
 * escapes, nested, and base64 broken into lines), as itself, form-encoded, and as the base64 and base64url characters
 * that stand for it; a prefix of at least MIN_PREFIX characters of any of these counts too (an endpoint that echoes
 * the start of a secret). What is found is replaced in the text itself, escapes and all.
 */

/** Credential fields whose values must never reach a message, an output item or a log line. */
const SECRET_FIELDS = ['clientSecret', 'accessToken', 'applicationManagementToken', 'previousApplicationManagementToken'] as const;

const MIN_SECRET_LENGTH = 4;
/** A base64 fragment shorter than this is too likely to occur by chance to be worth redacting. */
const MIN_BASE64_FRAGMENT = 8;
/** A prefix of a secret (or of one of its forms) at least this long is redacted; shorter ones occur by chance. */
const MIN_PREFIX = 8;
const REDACTED = '[redacted]';

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

/** What is searched for in each view of a text: the secret, form-encoded, and its base64 and base64url fragments. */
function searchForms(secret: string): string[] {
	const forms = new Set([secret, new URLSearchParams({ s: secret }).toString().slice(2), ...base64Fragments(secret, 'base64'), ...base64Fragments(secret, 'base64url')]);
	return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** Where `form`, or a prefix of it of at least MIN_PREFIX characters, occurs in `text`: [start, end) pairs. */
function occurrences(text: string, form: string): Array<[number, number]> {
	const found: Array<[number, number]> = [];
	const head = form.slice(0, MIN_PREFIX);
	for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
		let end = at + head.length;
		while (end - at < form.length && text[end] === form[end - at]) end++;
		found.push([at, end]);
	}
	return found;
}

/** `text` with every [start, end) span (overlapping or touching ones as one) replaced by REDACTED. */
function replaceSpans(text: string, spans: Array<[number, number]>): string {
	const merged: Array<[number, number]> = [];
	for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
		const last = merged[merged.length - 1];
		if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
		else merged.push([start, end]);
	}
	let result = '';
	let kept = 0;
	for (const [start, end] of merged) {
		result += `${text.slice(kept, start)}${REDACTED}`;
		kept = end;
	}
	return result + text.slice(kept);
}

function redactForms(text: string, forms: string[]): string {
	if (text.length < MIN_SECRET_LENGTH || forms.length === 0) return text;
	const spans: Array<[number, number]> = [];
	for (const view of decodedViews(text)) {
		for (const form of forms) spans.push(...occurrences(view.text, form).map(([start, end]) => sourceSpan(view, start, end)));
	}
	return replaceSpans(text, spans);
}

function sourceSpan(view: View, start: number, end: number): [number, number] {
	return [view.from[start], view.to[end - 1]];
}

/** Replaces every occurrence of the given secrets (in any form, escaped or not, or a prefix of one) with `[redacted]`. */
export function redact(text: string, secrets: string[]): string {
	return redactForms(text, secrets.flatMap(searchForms));
}

/** A copy of a JSON-like value with every string in it, keys included, redacted. */
export function redactDeep<T>(value: T, secrets: string[]): T {
	return redactValue(value, secrets.flatMap(searchForms), 0) as T;
}

const MAX_DEPTH = 32;

function redactValue(value: unknown, forms: string[], depth: number): unknown {
	if (typeof value === 'string') return redactForms(value, forms);
	if (value === null || typeof value !== 'object') return value;
	if (depth >= MAX_DEPTH) return '[nested too deep]';
	if (Array.isArray(value)) return value.map((entry) => redactValue(entry, forms, depth + 1));
	const copy: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		Object.defineProperty(copy, redactForms(key, forms), {
			value: redactValue(entry, forms, depth + 1),
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
