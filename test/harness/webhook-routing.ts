/**
 * Routing of webhook calls, as n8n 2.41.1's webhook-request-handler.js and live/test webhooks do it: an express 5
 * app with `/webhook/<path>` (production, mode 'webhook') and `/webhook-test/<path>` (test URL), every request
 * recorded, and a call to a path or method the trigger did not register answered with n8n's 404.
 * Not emulated: CORS headers and OPTIONS preflights (the real-n8n e2e uses them as its readiness probe).
 */
import express, { type Express, type Request, type Response } from 'express';

import type { RegisteredWebhook } from './webhook-registration';
import { sendErrorResponse, webhookNotFound } from './webhook-response';

export interface WebhookRequestRecord {
	method: string;
	url: string;
	test: boolean;
	status?: number;
	/** Whether the node's webhook() was called. */
	webhookCalled: boolean;
	/** Whether the delivery started a workflow execution. */
	startedExecution: boolean;
}

export type WebhookRoute = (req: Request, res: Response, test: boolean) => Promise<void>;

/** The express app serving both webhook URL prefixes through `route`. */
export function webhookApp(route: WebhookRoute): Express {
	const app = express();
	app.disable('x-powered-by');
	app.set('query parser', 'extended');
	app.all('/webhook/*path', (req, res) => {
		void route(req, res, false);
	});
	app.all('/webhook-test/*path', (req, res) => {
		void route(req, res, true);
	});
	return app;
}

/** Adds a record of the request to `requests`; its status is filled in when the response is finished. */
export function recordRequest(requests: WebhookRequestRecord[], req: Request, res: Response, test: boolean): WebhookRequestRecord {
	const record: WebhookRequestRecord = {
		method: req.method,
		url: req.originalUrl,
		test,
		webhookCalled: false,
		startedExecution: false,
	};
	requests.push(record);
	res.on('finish', () => {
		record.status = res.statusCode;
	});
	return record;
}

/**
 * The registered webhook for the request's path and method, or undefined after answering n8n's 404. With
 * `listening` false (a test URL before "Listen for test event") nothing is registered.
 */
export function matchWebhook(
	req: Request,
	res: Response,
	webhooks: RegisteredWebhook[],
	listening: boolean,
): RegisteredWebhook | undefined {
	const rawPath = req.params.path as unknown;
	const path = (Array.isArray(rawPath) ? rawPath.join('/') : String(rawPath ?? '')).replace(/\/$/, '');
	const registered = listening ? webhooks.filter((webhook) => webhook.path === path) : [];
	const webhook = registered.find((candidate) => candidate.httpMethod === req.method);
	if (webhook === undefined) {
		// webhook.service.js getWebhookMethods reads them from the webhook table (sorted by path, method).
		const methods = registered.map((candidate) => candidate.httpMethod).sort();
		sendErrorResponse(res, webhookNotFound(path, req.method, methods));
		return undefined;
	}
	req.params = {};
	return webhook;
}
