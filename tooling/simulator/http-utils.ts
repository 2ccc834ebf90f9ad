/**
 * Small HTTP helpers for the simulator server: request context, replies, body reading, cancellable delays.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'http';

export const MAX_REQUEST_BODY_BYTES = 1_048_576;

export interface Reply {
	status: number;
	/** A string is sent verbatim; anything else as JSON. Omitted for 204. */
	body?: unknown;
	headers?: Record<string, string>;
	/** Default: application/json; charset=utf-8. */
	contentType?: string;
}

export interface RequestContext {
	method: string;
	path: string;
	params: URLSearchParams;
	headers: IncomingHttpHeaders;
	/** The sc-user-id header, if sent. */
	userId?: string;
	/** The bearer token, if sent. */
	token?: string;
	rawBody: Buffer;
	requestId: string;
}

export class BodyTooLargeError extends Error {}

export function readBody(request: IncomingMessage, limitBytes = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limitBytes) {
				reject(new BodyTooLargeError(`Request body exceeds ${limitBytes} bytes`));
				request.resume();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	const first = Array.isArray(value) ? value[0] : value;
	return first === undefined || first === '' ? undefined : first;
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(headers, 'authorization') ?? '');
	return match ? match[1] : undefined;
}

/** A route match's captured path segments, URL-decoded; undefined when one is not valid percent-encoding. */
export function decodeSegments(match: RegExpExecArray): string[] | undefined {
	try {
		return match.slice(1).map((segment) => decodeURIComponent(segment));
	} catch {
		return undefined;
	}
}

export function writeReply(response: ServerResponse, reply: Reply, requestId: string): void {
	if (response.destroyed || response.headersSent) return;
	response.setHeader('sc-request-id', requestId);
	for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
	if (reply.status === 204 || reply.body === undefined) {
		response.writeHead(reply.status);
		response.end();
		return;
	}
	const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
	const payload = Buffer.from(text, 'utf8');
	response.setHeader('content-type', reply.contentType ?? 'application/json; charset=utf-8');
	response.setHeader('content-length', String(payload.length));
	response.writeHead(reply.status);
	response.end(payload);
}

/** setTimeout-based waits that can all be cancelled (resolved early) on shutdown. */
export class Delays {
	private readonly pending = new Map<NodeJS.Timeout, () => void>();

	wait(ms: number): Promise<void> {
		if (ms <= 0) return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.pending.delete(timer);
				resolve();
			}, ms);
			this.pending.set(timer, resolve);
		});
	}

	cancelAll(): void {
		for (const [timer, resolve] of this.pending) {
			clearTimeout(timer);
			resolve();
		}
		this.pending.clear();
	}
}

/** The request as the routes see it, its body read (or 'too-large' past the limit). */
export async function readContext(request: IncomingMessage, requestId: string): Promise<RequestContext | 'too-large'> {
	const url = new URL(request.url ?? '/', 'http://simulator.invalid');
	let rawBody: Buffer;
	try {
		rawBody = await readBody(request);
	} catch (error: unknown) {
		if (error instanceof BodyTooLargeError) return 'too-large';
		rawBody = Buffer.alloc(0);
	}
	return {
		method: (request.method ?? 'GET').toUpperCase(),
		path: url.pathname,
		params: url.searchParams,
		headers: request.headers,
		userId: headerValue(request.headers, 'sc-user-id'),
		token: bearerToken(request.headers),
		rawBody,
		requestId,
	};
}
