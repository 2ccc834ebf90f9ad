/**
 * Body parsing as n8n 2.41.1 does it for a webhook node without a binaryData option (middlewares/body-parser.js and
 * webhook-helpers.js parseRequestBody): the exact bytes go to `req.rawBody`, then JSON (n8n's jsonParse), urlencoded
 * and text/plain bodies are parsed into `req.body`; a body n8n cannot parse is refused with 422 before the node runs.
 * Multipart bodies are left unread. From typeVersion 2 on, a body whose content type n8n cannot parse is left unread
 * too; the node reads it with `req.readRawBody()`, as n8n's rawBodyReader middleware provides.
 * Not emulated: Content-Encoding (gzip/deflate), XML bodies, binary-data webhooks.
 */
import { parse as parseQueryString } from 'node:querystring';

import type { Request } from 'express';
import { jsonParse } from 'n8n-workflow';

import { requireFromCore } from './n8n-environment';
import { ResponseError } from './webhook-response';

type BackendNetworkModule = typeof import('@n8n/backend-network');

/** N8N_PAYLOAD_SIZE_MAX default (16 MiB). */
const PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** webhook-helpers.js isParsableContentType. */
function isParsableContentType(contentType: string | undefined): boolean {
	if (!contentType) return false;
	return ['application/json', 'text/plain', 'application/x-www-form-urlencoded'].some((type) => contentType.startsWith(type)) || /[/+]xml$/.test(contentType);
}

/**
 * Sets req.contentType / req.encoding (n8n's parseIncomingMessage) and `req.readRawBody`, reads the raw body and
 * parses it, unless the node's `typeVersion` (2 and later) leaves a body of that content type unread.
 */
export async function readWebhookBody(req: Request, typeVersion: number): Promise<void> {
	requireFromCore<BackendNetworkModule>('@n8n/backend-network').parseIncomingMessage(req);
	req.readRawBody = async () => await readRawBody(req);
	if (req.contentType?.startsWith('multipart/')) return;
	if (typeVersion > 1 && !isParsableContentType(req.contentType)) return;
	await readRawBody(req);
	const { rawBody, contentType, encoding } = req;
	if (!rawBody?.length) return;
	try {
		if (contentType === 'application/json') {
			req.body = jsonParse(stripBom(rawBody.toString(encoding)));
		} else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = parseQueryString(stripBom(rawBody.toString(encoding)), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') {
			req.body = rawBody.toString(encoding);
		}
	} catch (error) {
		throw new ResponseError('Failed to parse request body', 422, (error as Error).message);
	}
}

/** body-parser.js rawBodyReader: the request's bytes into `req.rawBody` (413 above the size limit). */
async function readRawBody(req: Request): Promise<void> {
	if (req.rawBody) return;
	if (req.destroyed || !req.readable) {
		throw new ResponseError('Request body stream was aborted or is not readable', 400);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		size += buffer.length;
		if (size > PAYLOAD_SIZE_MAX) throw new ResponseError('request entity too large', 413);
		chunks.push(buffer);
	}
	req.rawBody = Buffer.concat(chunks);
	req._body = true;
}
