/**
 * A bounded HTTP load generator for loopback: POSTs a fixed list of bodies with at most `concurrency` requests
 * in flight over keep-alive connections, stops issuing new ones after `timeCapMs`, and records each response's
 * status and latency.
 */
import http from 'node:http';

export interface LoadRequest {
	body: Buffer;
	headers: Record<string, string>;
}

export interface LoadOptions {
	url: string;
	requests: LoadRequest[];
	concurrency: number;
	/** No new request starts after this; requests in flight finish (each bounded by timeoutMs). */
	timeCapMs: number;
	/** Per request. */
	timeoutMs?: number;
	/** Called with each response (e.g. to check the body of the first few). */
	onResponse?: (index: number, status: number, body: string) => void;
}

export interface LoadResult {
	/** Requests started. */
	sent: number;
	/** Requests answered (any status). */
	answered: number;
	/** Answered with 2xx. */
	ok: number;
	/** Status → count; 0 = no answer (connection error or timeout). */
	statuses: Record<string, number>;
	/** Latency of every answered request, ms. */
	latenciesMs: number[];
	elapsedMs: number;
	/** Answered requests per second over elapsedMs. */
	perSecond: number;
	/** Whether the time cap stopped the run before every request was sent. */
	capped: boolean;
}

function send(agent: http.Agent, url: URL, request: LoadRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
	return new Promise((resolve) => {
		const req = http.request(
			url,
			{ method: 'POST', agent, headers: { ...request.headers, 'content-length': String(request.body.length) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', () => resolve({ status: 0, body: '' }));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
		req.on('error', (error) => resolve({ status: 0, body: error.message }));
		req.end(request.body);
	});
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
	const url = new URL(options.url);
	if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`load only goes to loopback, not ${url.hostname}`);
	const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
	const timeoutMs = options.timeoutMs ?? 60_000;
	const result: LoadResult = { sent: 0, answered: 0, ok: 0, statuses: {}, latenciesMs: [], elapsedMs: 0, perSecond: 0, capped: false };
	const started = process.hrtime.bigint();
	const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
	let next = 0;
	const worker = async (): Promise<void> => {
		for (;;) {
			if (next >= options.requests.length) return;
			if (elapsed() > options.timeCapMs) {
				result.capped = true;
				return;
			}
			const index = next++;
			result.sent++;
			const sentAt = process.hrtime.bigint();
			const { status, body } = await send(agent, url, options.requests[index], timeoutMs);
			const latency = Number(process.hrtime.bigint() - sentAt) / 1e6;
			result.statuses[String(status)] = (result.statuses[String(status)] ?? 0) + 1;
			if (status !== 0) {
				result.answered++;
				result.latenciesMs.push(latency);
			}
			if (status >= 200 && status < 300) result.ok++;
			options.onResponse?.(index, status, body);
		}
	};
	try {
		await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, async () => await worker()));
	} finally {
		agent.destroy();
	}
	result.elapsedMs = elapsed();
	result.perSecond = result.elapsedMs > 0 ? (result.answered * 1000) / result.elapsedMs : 0;
	return result;
}

/** `count` identical JSON POSTs (e.g. to start `count` executions of a webhook workflow). */
export function jsonPosts(count: number, payload: unknown = {}): LoadRequest[] {
	const body = Buffer.from(JSON.stringify(payload));
	return Array.from({ length: count }, () => ({ body, headers: { 'content-type': 'application/json' } }));
}

export interface SingleCall {
	/** Answered with 2xx. */
	ok: boolean;
	status: number;
	body: string;
	elapsedMs: number;
}

/** One JSON POST (e.g. to a webhook that answers when its workflow ends): the answer and how long it took. */
export async function postOnce(url: string, timeoutMs: number): Promise<SingleCall> {
	let answer = { status: 0, body: '' };
	const load = await runLoad({
		url,
		requests: jsonPosts(1),
		concurrency: 1,
		timeCapMs: timeoutMs,
		timeoutMs,
		onResponse: (_index, status, body) => (answer = { status, body }),
	});
	return { ok: load.ok === 1, ...answer, elapsedMs: load.elapsedMs };
}
