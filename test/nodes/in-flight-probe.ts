/**
 * A loopback pass-through in front of the simulator's Vehicle API that counts how many requests are open at the same
 * moment, overall and per vehicle (`/v3/vehicles/{id}…`). The simulator's request records carry no start times, so
 * this is how the specs see concurrency without measuring wall time. It forwards bytes unchanged.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InFlightProbe {
	/** `${url}/v3`: give it to the credential as its API base URL. */
	readonly apiBaseUrl: string;
	/** The most requests that were open at once. */
	readonly maxInFlight: number;
	/** The most requests that were open at once for any single vehicle. */
	readonly maxPerVehicle: number;
	/** Requests forwarded so far. */
	readonly forwarded: number;
	/** Requests open right now (received, not yet answered or closed). */
	readonly open: number;
	reset(): void;
	close(): Promise<void>;
}

function vehicleOfPath(url: string): string | undefined {
	return /^\/v3\/vehicles\/([^/?]+)/.exec(url)?.[1];
}

/** Starts a counting pass-through to `target` (the simulator's base URL, e.g. sim.url). */
export async function startInFlightProbe(target: string): Promise<InFlightProbe> {
	const upstream = new URL(target);
	let open = 0;
	let maxInFlight = 0;
	let maxPerVehicle = 0;
	let forwarded = 0;
	const perVehicle = new Map<string, number>();

	const server = http.createServer((request, response) => {
		const vehicle = vehicleOfPath(request.url ?? '/');
		open += 1;
		forwarded += 1;
		maxInFlight = Math.max(maxInFlight, open);
		if (vehicle !== undefined) {
			const count = (perVehicle.get(vehicle) ?? 0) + 1;
			perVehicle.set(vehicle, count);
			maxPerVehicle = Math.max(maxPerVehicle, count);
		}
		let closed = false;
		const done = (): void => {
			if (closed) return;
			closed = true;
			open -= 1;
			if (vehicle !== undefined) perVehicle.set(vehicle, (perVehicle.get(vehicle) ?? 1) - 1);
		};
		response.on('close', done);
		const forward = http.request(
			{
				host: upstream.hostname,
				port: upstream.port,
				method: request.method,
				path: request.url,
				headers: { ...request.headers, host: upstream.host },
			},
			(answer) => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(response);
			},
		);
		forward.on('error', () => response.destroy());
		request.pipe(forward);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		apiBaseUrl: `http://127.0.0.1:${port}/v3`,
		get maxInFlight() {
			return maxInFlight;
		},
		get maxPerVehicle() {
			return maxPerVehicle;
		},
		get forwarded() {
			return forwarded;
		},
		get open() {
			return open;
		},
		reset() {
			maxInFlight = open;
			maxPerVehicle = 0;
			forwarded = 0;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
