import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * What the driver's browser gets back from the Connect Redirect trigger: a small static HTML page (confirmation,
 * failure or rejection) or a 302 onward. Every answer carries headers that forbid scripts, framing, forms, a base
 * URL and referrers, so a page can never run or leak anything, whatever Smartcar or an attacker put in the query.
 */

const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'Cache-Control': 'no-store',
};

type WebhookResponse = ReturnType<IWebhookFunctions['getResponseObject']>;

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, message: string): string {
	return (
		'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
		`<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#0f1b3d}</style>` +
		`</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`
	);
}

/** Sends an HTML page with `status`, the title and message escaped, and the security headers. */
export function sendPage(response: WebhookResponse, status: number, title: string, message: string): void {
	response.status(status).set(PAGE_SECURITY_HEADERS).type('html').send(page(title, message));
}

/** Sends the driver on to `target` (302), with the security headers. */
export function sendRedirect(response: WebhookResponse, target: string): void {
	response.set(PAGE_SECURITY_HEADERS).redirect(302, target);
}

/** A builder's onward URL when it is an absolute http(s) URL; anything else (e.g. `javascript:`) is not used. */
export function safeRedirect(url: string | undefined): string | undefined {
	if (typeof url !== 'string' || url.trim() === '') return undefined;
	try {
		const parsed = new URL(url.trim());
		return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
	} catch {
		return undefined;
	}
}
