/**
 * Specs for the simulator's rate limits (Smartcar's application bucket, RATE_LIMIT:SMARTCAR_API, and per-vehicle
 * limit, RATE_LIMIT:VEHICLE) and its latency jitter, over real HTTP. The buckets read a fake clock, so nothing sleeps.
 */
import {
	DEFAULT_SETTINGS,
	demoFleet,
	parseCliArgs,
	runSimulatorCli,
	startSimulator,
	type Simulator,
	type SimulatorOptions,
} from '../../tooling/simulator';

interface V3Error {
	status: string;
	type: string;
	code: string | null;
	title: string;
	detail: string;
	links: { about: string };
}
interface FlatError {
	type: string;
	code: string | null;
	description: string;
	docURL: string;
	statusCode: number;
	requestId: string;
	resolution: { type: string | null };
	suggestedUserMessage: string;
}
interface Result {
	status: number;
	headers: Headers;
	json: unknown;
}

async function request(sim: Simulator, path: string, token: string | undefined, method = 'GET'): Promise<Result> {
	const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
	const response = await fetch(`${sim.url}${path}`, { method, headers });
	const text = await response.text();
	return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function v3Error(result: Result): V3Error {
	return (result.json as { errors: V3Error[] }).errors[0];
}

function tokenExchange(sim: Simulator): Promise<Response> {
	const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo-client-id', client_secret: 'demo-client-secret' });
	return fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
}

/** A simulator whose rate limits read `clock.ms` instead of the real time. */
async function startWithClock(options: SimulatorOptions = {}): Promise<{ sim: Simulator; clock: { ms: number }; token: string }> {
	const clock = { ms: 1_000_000 };
	const sim = await startSimulator({ fleet: demoFleet(), now: () => clock.ms, ...options });
	return { sim, clock, token: sim.issueToken() };
}

async function statuses(sim: Simulator, path: string, token: string, count: number): Promise<number[]> {
	const result: number[] = [];
	for (let i = 0; i < count; i += 1) result.push((await request(sim, path, token)).status);
	return result;
}

describe('off by default', () => {
	it('has no limits and no jitter unless asked, and answers a burst without a 429', async () => {
		expect(DEFAULT_SETTINGS).toMatchObject({ applicationRateLimit: null, vehicleRateLimit: null, latencyJitterMs: 0, latencyMs: 0 });
		const sim = await startSimulator();
		try {
			const token = sim.issueToken();
			const vehicle = sim.fleet.vehicles[0].id;
			const answers = await Promise.all(Array.from({ length: 150 }, () => request(sim, `/v3/vehicles/${vehicle}`, token)));
			expect(answers.map((answer) => answer.status)).toEqual(Array(150).fill(200));
			expect(sim.stats.rateLimited).toEqual({ application: 0, vehicle: 0 });
			expect(sim.rateLimitLevel()).toBeUndefined();
			expect(sim.rateLimitLevel(vehicle)).toBeUndefined();
			expect(new Set(sim.stats.requests.map((record) => record.delayMs))).toEqual(new Set([0]));
		} finally {
			await sim.close();
		}
	});
});

describe('application bucket (RATE_LIMIT:SMARTCAR_API)', () => {
	it('empties, refills at the set rate up to its capacity, and says when to retry', async () => {
		const { sim, clock, token } = await startWithClock({ applicationRateLimit: { capacity: 3, refillPerSecond: 0.5 } });
		try {
			const vehicle = sim.fleet.vehicles[0].id;
			expect(sim.rateLimitLevel()).toBe(3);
			// Vehicle API and Management API requests both take from the bucket.
			expect((await request(sim, '/v3/connections', token)).status).toBe(200);
			expect((await request(sim, `/v3/vehicles/${vehicle}`, token)).status).toBe(200);
			expect((await request(sim, '/management/v3/webhooks', token)).status).toBe(200);
			expect(sim.rateLimitLevel()).toBe(0);
			const refused = await request(sim, `/v3/vehicles/${vehicle}`, token);
			expect(refused.status).toBe(429);
			expect(refused.headers.get('retry-after')).toBe('2');
			expect(v3Error(refused)).toMatchObject({ status: '429', type: 'RATE_LIMIT', code: 'SMARTCAR_API' });
			clock.ms += 1_000;
			expect(sim.rateLimitLevel()).toBeCloseTo(0.5);
			expect((await request(sim, '/v3/connections', token)).headers.get('retry-after')).toBe('1');
			clock.ms += 1_000;
			expect(await statuses(sim, '/v3/connections', token, 2)).toEqual([200, 429]);
			clock.ms += 60_000;
			expect(sim.rateLimitLevel()).toBe(3);
			expect(await statuses(sim, '/v3/connections', token, 4)).toEqual([200, 200, 200, 429]);
			expect(sim.stats.rateLimited).toEqual({ application: 4, vehicle: 0 });
		} finally {
			await sim.close();
		}
	});

	it("with Smartcar's default (120, 2 per minute): the 121st waits 30 s, and retry-after counts down in whole seconds", async () => {
		const { sim, clock, token } = await startWithClock({ applicationRateLimit: { capacity: 120, refillPerSecond: 2 / 60 } });
		try {
			expect(await statuses(sim, '/v3/connections', token, 120)).toEqual(Array(120).fill(200));
			const retryAfter = async () => (await request(sim, '/v3/connections', token)).headers.get('retry-after');
			expect(await retryAfter()).toBe('30');
			clock.ms += 500;
			expect(await retryAfter()).toBe('30');
			clock.ms += 28_500;
			expect(await retryAfter()).toBe('1');
			clock.ms += 999;
			expect(await retryAfter()).toBe('1');
			clock.ms += 1;
			expect((await request(sim, '/v3/connections', token)).status).toBe(200);
			clock.ms += 9_000;
			// 0.3 of a token after 9 s: 21 s until the next one.
			expect(await retryAfter()).toBe('21');
			expect(sim.stats.rateLimited.application).toBe(5);
		} finally {
			await sim.close();
		}
	});

	it('leaves the token endpoint and requests refused with 401 alone', async () => {
		const { sim, token } = await startWithClock({ applicationRateLimit: { capacity: 1, refillPerSecond: 0.001 } });
		try {
			expect((await tokenExchange(sim)).status).toBe(200);
			expect((await request(sim, '/v3/connections', 'not-a-token')).status).toBe(401);
			expect(sim.rateLimitLevel()).toBe(1);
			expect((await request(sim, '/v3/connections', token)).status).toBe(200);
			expect((await request(sim, '/v3/connections', token)).status).toBe(429);
			expect((await tokenExchange(sim)).status).toBe(200);
			expect((await request(sim, '/v3/connections', 'not-a-token')).status).toBe(401);
		} finally {
			await sim.close();
		}
	});

	it('lets exactly `capacity` requests of a concurrent burst through', async () => {
		const sim = await startSimulator({ applicationRateLimit: { capacity: 10, refillPerSecond: 0.001 } });
		try {
			const token = sim.issueToken();
			const answers = await Promise.all(Array.from({ length: 25 }, () => request(sim, '/v3/connections', token)));
			const counts = answers.map((answer) => answer.status).sort();
			expect(counts).toEqual([...Array(10).fill(200), ...Array(15).fill(429)]);
			expect(sim.stats.rateLimited).toEqual({ application: 15, vehicle: 0 });
		} finally {
			await sim.close();
		}
	});

	it('starts full again when set, and turns off with null', async () => {
		const { sim, token } = await startWithClock({ applicationRateLimit: { capacity: 1, refillPerSecond: 0.001 } });
		try {
			expect(await statuses(sim, '/v3/connections', token, 2)).toEqual([200, 429]);
			sim.setOptions({ applicationRateLimit: { capacity: 2, refillPerSecond: 0.001 } });
			expect(await statuses(sim, '/v3/connections', token, 3)).toEqual([200, 200, 429]);
			sim.setOptions({ applicationRateLimit: null });
			expect(await statuses(sim, '/v3/connections', token, 5)).toEqual(Array(5).fill(200));
			expect(sim.rateLimitLevel()).toBeUndefined();
		} finally {
			await sim.close();
		}
	});
});

describe('per-vehicle limit (RATE_LIMIT:VEHICLE)', () => {
	it('limits each vehicle on its own, not the other requests, with its own retry-after', async () => {
		const { sim, clock, token } = await startWithClock({ vehicleRateLimit: { capacity: 2, refillPerSecond: 0.1 } });
		try {
			const [first, second] = sim.fleet.vehicles.map((vehicle) => vehicle.id);
			expect(await statuses(sim, `/v3/vehicles/${first}`, token, 2)).toEqual([200, 200]);
			const refused = await request(sim, `/v3/vehicles/${first}/signals`, token);
			expect(refused.status).toBe(429);
			expect(refused.headers.get('retry-after')).toBe('10');
			expect(v3Error(refused)).toMatchObject({ status: '429', type: 'RATE_LIMIT', code: 'VEHICLE', title: 'Vehicle Rate Limit' });
			expect(await statuses(sim, `/v3/vehicles/${second}`, token, 3)).toEqual([200, 200, 429]);
			expect(await statuses(sim, '/v3/connections', token, 5)).toEqual(Array(5).fill(200));
			expect((await request(sim, '/management/v3/webhooks', token)).status).toBe(200);
			clock.ms += 4_000;
			expect(sim.rateLimitLevel(first)).toBeCloseTo(0.4);
			expect((await request(sim, `/v3/vehicles/${first}`, token)).headers.get('retry-after')).toBe('6');
			clock.ms += 6_000;
			expect(await statuses(sim, `/v3/vehicles/${first}`, token, 2)).toEqual([200, 429]);
			expect(sim.rateLimitLevel(sim.fleet.vehicles[2].id)).toBe(2);
			expect(sim.stats.rateLimited).toEqual({ application: 0, vehicle: 4 });
		} finally {
			await sim.close();
		}
	});

	it('is independent of the application bucket: a request refused by one limit takes nothing from the other', async () => {
		const { sim, token } = await startWithClock({
			applicationRateLimit: { capacity: 4, refillPerSecond: 0.001 },
			vehicleRateLimit: { capacity: 1, refillPerSecond: 0.001 },
		});
		try {
			const [first, second] = sim.fleet.vehicles.map((vehicle) => vehicle.id);
			expect(await statuses(sim, `/v3/vehicles/${first}`, token, 4)).toEqual([200, 429, 429, 429]);
			expect(sim.rateLimitLevel()).toBe(3);
			expect(await statuses(sim, '/v3/connections', token, 3)).toEqual([200, 200, 200]);
			const refused = await request(sim, `/v3/vehicles/${second}`, token);
			expect(v3Error(refused).code).toBe('SMARTCAR_API');
			expect(sim.rateLimitLevel(second)).toBe(1);
			expect(sim.stats.rateLimited).toEqual({ application: 1, vehicle: 3 });
		} finally {
			await sim.close();
		}
	});
});

describe('error forms', () => {
	it('answers both 429s in the flat form when errorForm is flat; the Management API stays v3', async () => {
		const { sim, token } = await startWithClock({
			errorForm: 'flat',
			applicationRateLimit: { capacity: 2, refillPerSecond: 0.25 },
			vehicleRateLimit: { capacity: 1, refillPerSecond: 0.2 },
		});
		try {
			const vehicle = sim.fleet.vehicles[0].id;
			expect((await request(sim, `/v3/vehicles/${vehicle}`, token)).status).toBe(200);
			const perVehicle = await request(sim, `/v3/vehicles/${vehicle}`, token);
			expect(perVehicle.headers.get('retry-after')).toBe('5');
			expect(perVehicle.json).toEqual<FlatError>({
				type: 'RATE_LIMIT',
				code: 'VEHICLE',
				description: expect.stringContaining('retry-after') as string,
				docURL: 'https://smartcar.com/docs/errors/api-errors/v3/rate-limit-errors#vehicle',
				statusCode: 429,
				requestId: perVehicle.headers.get('sc-request-id') ?? 'missing',
				resolution: { type: 'RETRY_LATER' },
				suggestedUserMessage: expect.any(String) as string,
			});
			expect((await request(sim, '/v3/connections', token)).status).toBe(200);
			const application = await request(sim, '/v3/connections', token);
			expect(application.headers.get('retry-after')).toBe('4');
			expect(application.json).toMatchObject({
				type: 'RATE_LIMIT',
				code: 'SMARTCAR_API',
				description: expect.stringContaining('Your application has exceeded its rate limit') as string,
				docURL: 'https://smartcar.com/docs/errors/api-errors/v3/rate-limit-errors#smartcar-api',
				statusCode: 429,
				requestId: application.headers.get('sc-request-id'),
				resolution: { type: 'RETRY_LATER' },
			});
			const management = await request(sim, '/management/v3/webhooks', token);
			expect(management.status).toBe(429);
			expect(v3Error(management)).toEqual({
				status: '429',
				type: 'RATE_LIMIT',
				code: 'SMARTCAR_API',
				title: 'Smartcar API Rate Limit',
				detail: expect.stringContaining('retry-after') as string,
				links: { about: 'https://smartcar.com/docs/errors/api-errors/v3/rate-limit-errors#smartcar-api' },
			});
		} finally {
			await sim.close();
		}
	});
});

describe('latency jitter', () => {
	/** The delays of `count` sequential requests, in order. */
	async function delays(sim: Simulator, count: number): Promise<number[]> {
		const token = sim.issueToken();
		sim.resetStats();
		for (let i = 0; i < count; i += 1) await request(sim, '/v3/connections', token);
		return sim.stats.requests.map((record) => record.delayMs);
	}

	it('moves each delay by up to ± latencyJitterMs, and the requests really wait that long', async () => {
		const sim = await startSimulator({ latencyMs: 20, latencyJitterMs: 15 });
		try {
			const started = Date.now();
			const held = await delays(sim, 30);
			const elapsed = Date.now() - started;
			expect(Math.min(...held)).toBeGreaterThanOrEqual(5);
			expect(Math.max(...held)).toBeLessThanOrEqual(35);
			expect(Math.max(...held) - Math.min(...held)).toBeGreaterThan(10);
			expect(elapsed).toBeGreaterThanOrEqual(held.reduce((sum, ms) => sum + ms, 0) - 30);
		} finally {
			await sim.close();
		}
	});

	it('never goes below 0', async () => {
		const sim = await startSimulator({ latencyMs: 2, latencyJitterMs: 10 });
		try {
			const held = await delays(sim, 30);
			expect(Math.min(...held)).toBe(0);
			expect(Math.max(...held)).toBeGreaterThan(2);
			expect(Math.max(...held)).toBeLessThanOrEqual(12);
		} finally {
			await sim.close();
		}
	});

	it('is reproducible: the same seed gives the same delays, another seed others', async () => {
		const options = { latencyMs: 3, latencyJitterMs: 3 };
		const [a, b, c] = await Promise.all([
			startSimulator({ ...options, latencySeed: 7 }),
			startSimulator({ ...options, latencySeed: 7 }),
			startSimulator({ ...options, latencySeed: 8 }),
		]);
		try {
			const first = await delays(a, 10);
			expect(await delays(b, 10)).toEqual(first);
			expect(await delays(c, 10)).not.toEqual(first);
			a.setOptions({ latencySeed: 7 });
			expect(await delays(a, 10)).toEqual(first);
		} finally {
			await Promise.all([a.close(), b.close(), c.close()]);
		}
	});
});

describe('settings and CLI', () => {
	it('rejects invalid limits, jitter and clocks and keeps the previous settings', async () => {
		const sim = await startSimulator();
		try {
			expect(() => sim.setOptions({ applicationRateLimit: { capacity: 0, refillPerSecond: 1 } })).toThrow(/capacity/);
			expect(() => sim.setOptions({ applicationRateLimit: { capacity: 1.5, refillPerSecond: 1 } })).toThrow(/capacity/);
			expect(() => sim.setOptions({ vehicleRateLimit: { capacity: 5, refillPerSecond: 0 } })).toThrow(/refillPerSecond/);
			expect(() => sim.setOptions({ vehicleRateLimit: { capacity: 5, refillPerSecond: Infinity } })).toThrow(/refillPerSecond/);
			expect(() => sim.setOptions({ latencyJitterMs: -1 })).toThrow(/latencyJitterMs/);
			expect(() => sim.setOptions({ now: 5 as unknown as () => number })).toThrow(/now/);
			expect(sim.settings).toMatchObject({ applicationRateLimit: null, vehicleRateLimit: null, latencyJitterMs: 0 });
			await expect(startSimulator({ applicationRateLimit: { capacity: -1, refillPerSecond: 1 } })).rejects.toThrow(/capacity/);
		} finally {
			await sim.close();
		}
	});

	it('parses --rate-limit, --vehicle-rate-limit and --latency-jitter', () => {
		const options = parseCliArgs(['--rate-limit', '120:0.0333', '--vehicle-rate-limit=3:0.5', '--latency-jitter', '50']);
		expect(options).toMatchObject({
			rateLimit: { capacity: 120, refillPerSecond: 0.0333 },
			vehicleRateLimit: { capacity: 3, refillPerSecond: 0.5 },
			latencyJitterMs: 50,
		});
		expect(parseCliArgs([])).toMatchObject({ latencyJitterMs: 0 });
		expect(parseCliArgs([]).rateLimit).toBeUndefined();
		expect(() => parseCliArgs(['--rate-limit', '120'])).toThrow(/<capacity>:<refillPerSecond>/);
		expect(() => parseCliArgs(['--rate-limit', '0:1'])).toThrow(/capacity/);
		expect(() => parseCliArgs(['--vehicle-rate-limit', '5:0'])).toThrow(/refillPerSecond/);
		expect(() => parseCliArgs(['--latency-jitter', '-5'])).toThrow(/--latency-jitter/);
	});

	it('passes the flags to the simulator and shows them in the banner', async () => {
		const lines: string[] = [];
		const argv = ['--port', '0', '--tick', '0', '--rate-limit', '2:0.5', '--vehicle-rate-limit', '1:0.25', '--latency', '5', '--latency-jitter', '3'];
		const handle = await runSimulatorCli(argv, { log: (line) => lines.push(line), handleSignals: false });
		try {
			expect(handle.simulator.settings).toMatchObject({
				applicationRateLimit: { capacity: 2, refillPerSecond: 0.5 },
				vehicleRateLimit: { capacity: 1, refillPerSecond: 0.25 },
				latencyMs: 5,
				latencyJitterMs: 3,
			});
			const text = lines.join('\n');
			expect(text).toContain('Application       bucket of 2, refills 0.5/s (one request every 2 s), then 429 RATE_LIMIT:SMARTCAR_API');
			expect(text).toContain('Per vehicle       bucket of 1, refills 0.25/s (one request every 4 s), then 429 RATE_LIMIT:VEHICLE');
			expect(text).toContain('Latency           5 ms ± 3 ms (seeded)');
			const token = handle.simulator.issueToken();
			expect(await statuses(handle.simulator, '/v3/connections', token, 3)).toEqual([200, 200, 429]);
		} finally {
			await handle.stop();
		}
		const quiet: string[] = [];
		const plain = await runSimulatorCli(['--port', '0', '--tick', '0'], { log: (line) => quiet.push(line), handleSignals: false });
		await plain.stop();
		expect(quiet).toContain('  Application       off (--rate-limit <capacity>:<refillPerSecond>)');
		expect(quiet).toContain('  Latency           0 ms');
	});
});
