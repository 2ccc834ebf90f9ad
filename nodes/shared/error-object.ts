import { asRecord, asString, compact, textIn } from './values';

/**
 * One Smartcar error object, wherever it appears: an API error answer (v3 `{type, code, title, detail, links:
 * {about}}` or the flat `{type, code, description, docURL, resolution, suggestedUserMessage}`), the `status.error`
 * of a signal that failed, or an entry of a VEHICLE_ERROR webhook's `data.errors`. Each field is read once here,
 * under one name; the callers pick the fields their item has.
 */
interface SmartcarErrorObject {
	type?: string;
	code?: string;
	title?: string;
	/** v3's explanation. */
	detail?: string;
	/** The flat form's (and webhooks') explanation; deprecated in v3 in favour of `detail`. */
	description?: string;
	/** `links.about` (v3), `docURL` or `docUrl` (flat form). */
	docsUrl?: string;
	/** What would resolve it, e.g. `RETRY_LATER`: sent as text or as `{type}`. */
	resolution?: string;
	suggestedUserMessage?: string;
	/** Webhook errors: ERROR, or RESOLVED once the problem is gone. */
	state?: string;
}

/** Reads an error object; fields that are absent or not text are left out. */
export function readErrorObject(raw: unknown): SmartcarErrorObject {
	const error = asRecord(raw);
	return compact({
		type: asString(error.type),
		code: asString(error.code),
		title: asString(error.title),
		detail: asString(error.detail),
		description: asString(error.description),
		docsUrl: asString(asRecord(error.links).about) ?? asString(error.docURL) ?? asString(error.docUrl),
		resolution: textIn(error.resolution, 'type'),
		suggestedUserMessage: asString(error.suggestedUserMessage),
		state: asString(error.state),
	});
}
