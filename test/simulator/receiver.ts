/**
 * A tiny webhook receiver for the simulator specs: records the raw bodies it gets and answers VERIFY with the
 * HMAC of the challenge (keyed with the given management token), everything else with `{"ok":true}`.
 */
import { createHmac } from 'crypto';
import http from 'http';
import type { AddressInfo } from 'net';

export interface Received {
	headers: http.IncomingHttpHeaders;
	raw: Buffer;
}

export interface Receiver {
	url: string;
	received: Received[];
	close: () => Promise<void>;
}

export async function startReceiver(managementToken: string): Promise<Receiver> {
	const received: Received[] = [];
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const raw = Buffer.concat(chunks);
			received.push({ headers: request.headers, raw });
			const body = JSON.parse(raw.toString('utf8')) as { eventType?: string; data?: { challenge?: string } };
			response.setHeader('content-type', 'application/json');
			if (body.eventType === 'VERIFY') {
				const challenge = createHmac('sha256', managementToken).update(body.data?.challenge ?? '').digest('hex');
				response.end(JSON.stringify({ challenge }));
				return;
			}
			response.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook`,
		received,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
