/**
 * How n8n 2.41.1 answers a webhook call when the node does not answer itself: error bodies
 * (response-helper.js sendErrorResponse), the 404 of an unregistered webhook, and the static / legacy responses
 * of webhook-request-handler.js.
 */
import type { Response } from 'express';
import { getHtmlSandboxCSP, isWebhookHtmlSandboxingDisabled } from 'n8n-core';
import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

/** An error n8n answers with its own status code (n8n's ResponseError). */
export class ResponseError extends Error {
	constructor(
		message: string,
		readonly httpStatusCode: number,
		readonly hint?: string,
	) {
		super(message);
	}
}

/** response-helper.js sendErrorResponse: `{ code, message, hint? }`; other errors are 500 with code 0. */
export function sendErrorResponse(res: Response, error: unknown): void {
	if (res.headersSent) return;
	if (error instanceof ResponseError) {
		const body: IDataObject = { code: error.httpStatusCode, message: error.message };
		if (error.hint) body.hint = error.hint;
		res.status(error.httpStatusCode).json(body);
		return;
	}
	const message = error instanceof Error ? error.message : String(error);
	res.status(500).json({ code: 0, message });
}

/** errors/response-errors/webhook-not-found.error.js, without the long hints. */
export function webhookNotFound(path: string, httpMethod: string, registeredMethods: string[]): ResponseError {
	if (registeredMethods.length === 0) {
		return new ResponseError(`The requested webhook "${httpMethod} ${path}" is not registered.`, 404);
	}
	const methods =
		registeredMethods.length === 1
			? registeredMethods[0]
			: `${registeredMethods.slice(0, -1).join(', ')} or ${registeredMethods[registeredMethods.length - 1]}`;
	return new ResponseError(
		`This webhook is not registered for ${httpMethod} requests. Did you mean to make a ${methods} request?`,
		404,
	);
}

/** webhook-request-handler.js sendStaticResponse: with n8n's HTML sandbox CSP header. */
export function sendStatic(res: Response, body: unknown, code: number): void {
	res.status(code);
	if (!isWebhookHtmlSandboxingDisabled()) res.setHeader('Content-Security-Policy', getHtmlSandboxCSP());
	if (typeof body === 'string') res.send(body);
	else res.json(body);
}

/** webhook-request-handler.js sendLegacyResponse (raw). */
export function sendLegacy(res: Response, data: unknown, code: number): void {
	res.status(code);
	if (typeof data === 'string') res.send(data);
	else res.json(data);
}

/**
 * webhook-on-received-response-extractor.js: the body of an onReceived answer once the execution started. n8n
 * evaluates responseData with the default 'firstEntryJson', so a webhook description without responseData
 * answers that literal string.
 */
export function onReceivedBody(responseData: unknown, result: IWebhookResponseData): unknown {
	if (responseData === 'noData') return undefined;
	if (responseData) return responseData;
	if (result.webhookResponse !== undefined) return result.webhookResponse;
	return { message: 'Workflow was started' };
}
