import { displayUrl } from '../../credentials/redact';
import { idProblem } from './ids';

/**
 * Where a request may go: every segment of its path is a Smartcar ID-like token (so an ID taken from an answer, such
 * as `..` or `a%2F..`, can never move it elsewhere), and a paging link stays under the base path of its API, on its
 * origin, without user info (which n8n would send instead of the application token). Each check says why it
 * refuses, in words an error can carry.
 */

export interface Refusal {
	message: string;
	description: string;
}

/** The longest part of an offending value an error shows. */
const MAX_SHOWN = 40;

function shown(value: string): string {
	return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
}

/** The first segment of `path` (as sent, percent-encoding included) that is not ID-like, and why. */
function segmentProblem(path: string): { segment: string; problem: string } | undefined {
	for (const segment of path.split('/')) {
		if (segment === '') continue;
		const problem = idProblem(segment);
		if (problem !== undefined) return { segment, problem };
	}
	return undefined;
}

/**
 * Why a request path built by an operation (`/subscriptions/{id}`) must not be sent, or undefined. IDs typed into the
 * node are refused before any request, so a segment refused here came from an earlier answer.
 */
export function pathRefusal(path: string): Refusal | undefined {
	const bad = segmentProblem(path);
	if (bad === undefined) return undefined;
	return {
		message: `The request was not sent: ${shown(bad.segment)} is not a Smartcar ID (${bad.problem})`,
		description:
			'Every ID that goes into a request path is checked. IDs typed into the node are checked before any request, so this one came from an earlier answer ' +
			'(of Smartcar, or of the server at the credential\'s base URL). Nothing was sent, so nothing was changed.',
	};
}

/**
 * Why a paging link (resolved against `base`, the API's base URL with a trailing slash) must not be followed, or
 * undefined. `field` names the credential field of that base URL.
 */
function pagingLinkRefusal(url: URL, base: URL, field: string): Refusal | undefined {
	if (url.username !== '' || url.password !== '') {
		return {
			message: 'Smartcar returned a paging link with a user name or password in it; it was not followed',
			description: `n8n would send those instead of the application token. Check the ${field} of the credential: a proxy in front of Smartcar must not rewrite links.`,
		};
	}
	if (url.origin !== base.origin) {
		return {
			message: 'Smartcar returned a paging link to another host; it was not followed',
			description: `The next-page link points at ${url.origin}, not at the ${field} ${base.origin} of the credential.`,
		};
	}
	const outside = {
		message: `Smartcar returned a paging link outside the ${field} ${displayUrl(base.href)}; it was not followed`,
		description: `The next-page link points at ${displayUrl(url.href)}. The application token is only sent to the paths of the ${field}.`,
	};
	if (!url.pathname.startsWith(base.pathname)) return outside;
	const bad = segmentProblem(url.pathname.slice(base.pathname.length));
	return bad === undefined ? undefined : { ...outside, description: `${outside.description} Its path holds ${shown(bad.segment)}, which is not a Smartcar ID (${bad.problem}).` };
}

/** A paging link resolved against `base` when it may be followed; else why not, and what of it an error may show. */
export function resolvePagingLink(link: string, base: URL, field: string): { url: URL } | { refused: Refusal; shownLink: string | null } {
	if (!URL.canParse(link, base.href)) {
		return { refused: { message: 'Smartcar returned a paging link that could not be read; it was not followed', description: `Check the ${field} of the credential.` }, shownLink: null };
	}
	const url = new URL(link, base);
	const refused = pagingLinkRefusal(url, base, field);
	return refused === undefined ? { url } : { refused, shownLink: displayUrl(url.href) };
}
