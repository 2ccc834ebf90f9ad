import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { asString } from '../shared/values';

interface RedirectOptions {
	successRedirectUrl?: string;
	failureRedirectUrl?: string;
	expectedState?: string;
}

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

function safeRedirect(url: string | undefined): string | undefined {
	if (!url || url.trim() === '') return undefined;
	try {
		const parsed = new URL(url.trim());
		return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
	} catch {
		return undefined;
	}
}

/**
 * GET from the driver's browser when Smartcar Connect sends them back: outputs who connected (user_id) or why it
 * failed, and shows the driver a page or redirects them onward.
 */
export async function receiveConnectRedirect(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = this.getQueryData() as IDataObject;
	const response = this.getResponseObject();
	const options = this.getNodeParameter('redirectOptions', {}) as RedirectOptions;
	const text = (name: string): string | undefined => {
		const value = asString(query[name]);
		return value === undefined || value === '' ? undefined : value;
	};

	const state = text('state') ?? null;
	const expected = options.expectedState?.trim();
	if (expected && state !== expected) {
		response.status(400).type('html').send(page('Link not valid', 'This sign-in link was not issued by this service or has expired. Please start again.'));
		return { noWebhookResponse: true };
	}

	const userId = text('user_id') ?? null;
	const error = text('error');
	if (!userId && !error) {
		response.status(400).type('html').send(page('Nothing to do', 'This address is where Smartcar Connect returns drivers; it was opened without a result.'));
		return { noWebhookResponse: true };
	}

	const item: IDataObject = { userId, state };
	const optional: Array<[string, string]> = [
		['code', 'code'],
		['error', 'error'],
		['errorDescription', 'error_description'],
		['vin', 'vin'],
		['make', 'make'],
		['model', 'model'],
		['year', 'year'],
	];
	for (const [key, param] of optional) {
		const value = text(param);
		if (value !== undefined) item[key] = key === 'year' && /^\d{4}$/.test(value) ? Number(value) : value;
	}

	const target = safeRedirect(error ? options.failureRedirectUrl : options.successRedirectUrl);
	if (target) {
		response.redirect(302, target);
	} else if (error) {
		response
			.status(200)
			.type('html')
			.send(page('Vehicle not connected', asString(item.errorDescription) ?? 'Smartcar Connect did not complete. You can close this window and try again.'));
	} else {
		response.status(200).type('html').send(page('Vehicle connected', 'Thank you. You can close this window.'));
	}
	return { noWebhookResponse: true, workflowData: [this.helpers.returnJsonArray([item])] };
}
