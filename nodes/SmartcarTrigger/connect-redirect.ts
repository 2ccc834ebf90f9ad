import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { idProblem } from '../shared/ids';
import { asRecord, asString } from '../shared/values';
import { safeRedirect, sendPage, sendRedirect } from './connect-page';
import { admit, checkState, type RejectedState } from './redirect-state';
import { redirectOptions, stateCheckOf, type RedirectOptions } from './trigger-parameters';

const OPTIONAL_FIELDS: Array<[string, string]> = [
	['code', 'code'],
	['error', 'error'],
	['errorDescription', 'error_description'],
	['vin', 'vin'],
	['make', 'make'],
	['model', 'model'],
	['year', 'year'],
];

function reject(context: IWebhookFunctions, rejection: RejectedState): IWebhookResponseData {
	sendPage(context.getResponseObject(), rejection.status, rejection.title, rejection.message);
	return { noWebhookResponse: true };
}

/**
 * The Expected State to compare with, or undefined when none is set: from version 3 on the field under Check State;
 * in versions 1 and 2 the entry of Options, as saved workflows have it.
 */
function expectedStateOf(context: IWebhookFunctions, options: RedirectOptions): string | undefined {
	const value = context.getNode().typeVersion >= 3 ? context.getNodeParameter('expectedState', '') : options.expectedState;
	return asString(value)?.trim() || undefined;
}

/** The redirect's result fields (who connected, or why not), `year` as a number when it is one. */
function resultItem(userId: string | null, state: string | null, text: (name: string) => string | undefined): IDataObject {
	const item: IDataObject = { userId, state };
	for (const [key, param] of OPTIONAL_FIELDS) {
		const value = text(param);
		if (value !== undefined) item[key] = key === 'year' && /^\d{4}$/.test(value) ? Number(value) : value;
	}
	return item;
}

/**
 * GET from the driver's browser when Smartcar Connect sends them back. Nothing runs unless the redirect carries a
 * result (`user_id`, or `error`), a well-formed user ID, and a state that passes Check State. In Signed mode the link
 * must name this trigger, and a redirect with a `user_id` uses it up (a replay is refused); an error redirect without
 * one (the driver cancelled, no compatible vehicle…) is checked the same way and refused once the link is used, but
 * does not use it up, so the driver can open the link again and retry — up to MAX_ERROR_REDIRECTS error runs per
 * link. The workflow gets who connected or why it failed, with the builder's original State value as `state`; the
 * driver gets a page or is redirected onward.
 */
export async function receiveConnectRedirect(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = asRecord(this.getQueryData());
	const options = redirectOptions(this);
	const text = (name: string): string | undefined => {
		const value = asString(query[name]);
		return value === undefined || value === '' ? undefined : value;
	};

	const userId = text('user_id') ?? null;
	const error = text('error');
	if (!userId && !error) {
		return reject(this, {
			ok: false,
			status: 400,
			title: 'Nothing to do',
			message: 'This address is where Smartcar Connect returns drivers; it was opened without a result.',
		});
	}
	if (userId !== null && idProblem(userId) !== undefined) {
		return reject(this, { ok: false, status: 400, title: 'Link not valid', message: 'This address was opened with a user ID Smartcar does not issue.' });
	}

	const expected = expectedStateOf(this, options);
	const state = await checkState(this, stateCheckOf(this), text('state'), expected);
	if (!state.ok) return reject(this, state);
	const refused = state.link === undefined ? undefined : admit(this, state.link, userId !== null);
	if (refused) return reject(this, refused);

	const item = resultItem(userId, state.value, text);
	const response = this.getResponseObject();
	const target = safeRedirect(error ? options.failureRedirectUrl : options.successRedirectUrl);
	if (target) {
		sendRedirect(response, target);
	} else if (error) {
		const message = asString(item.errorDescription) ?? 'Smartcar Connect did not complete. You can close this window and try again.';
		sendPage(response, 200, 'Vehicle not connected', message);
	} else {
		sendPage(response, 200, 'Vehicle connected', 'Thank you. You can close this window.');
	}
	// Answering here (not through n8n's onReceived answer) is what makes n8n 2.41.1 save the static data (the link's
	// memory): n8n starts saving it as soon as webhook() returns, before the run starts.
	return { noWebhookResponse: true, workflowData: [this.helpers.returnJsonArray([item])] };
}
