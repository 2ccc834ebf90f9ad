/**
 * GET /oauth/authorize: a tiny stand-in for Smartcar Connect (Smartcar's Connect docs).
 * Shows the request and, when a redirect_uri is given, one "approve" link per simulated user
 * (redirecting with `user_id` and `state`) and a "deny" link (redirecting with `error=access_denied`).
 */
import type { Fleet } from './fleet';
import { vehiclesOf } from './fleet-state';
import type { Reply } from './http-utils';

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

function redirectLink(redirectUri: string, params: Record<string, string>): string | undefined {
	try {
		const target = new URL(redirectUri);
		for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
		return target.toString();
	} catch {
		return undefined;
	}
}

function userLinks(fleet: Fleet, redirectUri: string, state: string | null): string[] {
	return fleet.users.map((user) => {
		const href = redirectLink(redirectUri, { user_id: user.id, ...(state === null ? {} : { state }) });
		const cars = vehiclesOf(fleet, user.id)
			.map((vehicle) => `${vehicle.make} ${vehicle.model}`)
			.join(', ');
		const label = `${escapeHtml(user.name)} <small>(${escapeHtml(cars || 'no vehicles')})</small>`;
		return href ? `<li><a href="${escapeHtml(href)}">Approve as ${label}</a></li>` : `<li>${label}</li>`;
	});
}

export function connectPage(fleet: Fleet, params: URLSearchParams): Reply {
	const redirectUri = params.get('redirect_uri');
	const state = params.get('state');
	const rows = [...params.entries()]
		.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
		.join('');
	const deny = redirectUri
		? redirectLink(redirectUri, {
				error: 'access_denied',
				error_description: 'User denied access to application.',
				...(state === null ? {} : { state }),
			})
		: undefined;
	const choices = redirectUri
		? `<ul>${userLinks(fleet, redirectUri, state).join('')}</ul>${deny ? `<p><a href="${escapeHtml(deny)}">Deny</a></p>` : ''}`
		: '<p>No redirect_uri given.</p>';
	const html = `<!doctype html><html><head><meta charset="utf-8"><title>Smartcar Connect (simulator)</title></head>
<body><h1>Smartcar Connect (simulator)</h1><table>${rows}</table>${choices}</body></html>`;
	return { status: 200, body: html, contentType: 'text/html; charset=utf-8' };
}
