/**
 * A second origin on 127.0.0.1 that plays a hostile host a redirect points at: it records every request that reaches
 * it (method, path, headers, body) and answers 200 with a JSON body that looks like Smartcar data, so a client that
 * follows the redirect would both leak its credentials here and output this host's answer as if it were Smartcar's.
 */
import http from 'http';
import type { AddressInfo } from 'net';

import { readBody } from './http-utils';

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export interface OtherOrigin {
	/** e.g. http://127.0.0.1:40123 */
	readonly origin: string;
	readonly received: ReceivedRequest[];
	/** Every header value and body this origin received, as one string, to search for leaked secrets. */
	everythingReceived(): string;
	close(): Promise<void>;
}

/** What the other origin answers: a plausible signals page, so following the redirect would "succeed". */
export const OTHER_ORIGIN_BODY = {
	data: [
		{
			id: 'tractionbattery-stateofcharge',
			type: 'signal',
			attributes: { code: 'tractionbattery-stateofcharge', status: { value: 'SUCCESS' }, body: { value: 1, unit: 'percent' } },
		},
	],
	connections: [],
	access_token: 'token-from-the-other-origin',
	expires_in: 3600,
};

export async function startOtherOrigin(): Promise<OtherOrigin> {
	const received: ReceivedRequest[] = [];
	const server = http.createServer((request, response) => {
		void readBody(request)
			.catch(() => Buffer.alloc(0))
			.then((body) => {
				received.push({
					method: request.method ?? 'GET',
					path: request.url ?? '/',
					headers: request.headers,
					body: body.toString('utf8'),
				});
				response.writeHead(200, { 'content-type': 'application/json' });
				response.end(JSON.stringify(OTHER_ORIGIN_BODY));
			});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		received,
		everythingReceived: () => JSON.stringify(received),
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
