/**
 * Specs for the Smartcar simulator, over real HTTP.
 */
import { createHmac } from 'crypto';

import {
	CODES,
	DEFAULT_WEBHOOK_ID,
	createFleet,
	demoFleet,
	findSignal,
	isValidVerifyAnswer,
	MAX_FLEET_VEHICLES,
	parseCliArgs,
	runSimulatorCli,
	sendWebhook,
	signBody,
	smartcarErrors,
	startSimulator,
	tick,
	vehicleErrorPayload,
	vehicleStatePayload,
	verifyPayload,
	type Fleet,
	type JsonObject,
	type Simulator,
	type SimVehicle,
} from '../../tooling/simulator';
import { startReceiver as startReceiverFor } from './receiver';

// ---------------------------------------------------------------------------------------------
// Response shapes read by the specs

interface V3Error {
	status: string;
	type: string;
	code: string | null;
	title: string;
	detail: string;
	links: { about: string };
}
interface ErrorsBody {
	errors: V3Error[];
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
interface TokenBody {
	access_token: string;
	token_type: string;
	expires_in: number;
}
interface SignalResource {
	id: string;
	type: string;
	attributes: {
		code: string;
		name: string;
		group: string;
		status: { value: string; error?: { type: string; code: string; title: string; detail: string; resolution: { type: string | null } } };
		body?: Record<string, unknown>;
	};
	meta: { retrievedAt: string | number; oemUpdatedAt: string | number };
}
interface VehicleAttributes {
	make: string;
	model: string;
	year: number;
	powertrainType: string;
	mode: string;
}
interface ConnectionResource {
	id: string;
	type: string;
	attributes: { permissions: string[]; vehicle: VehicleAttributes; user: { id: string } };
	relationships: { vehicle: { data: { id: string; type: string } }; user: { data: { id: string; type: string } } };
	meta: { createdAt: string; updatedAt: string };
}
interface PageB {
	data: ConnectionResource[];
	meta: { pageNumber: number; pageSize: number; totalCount: number };
	links: { self: string; next: string | null; prev: string | null };
}
interface PageA {
	connections: Array<{ id: string; userId: string; vehicleId: string; connectedAt: string }>;
	paging: { cursor: string | null };
}
interface CommandBody {
	data: {
		id: string;
		type: string;
		attributes: { commandType: string; status: { value: string }; executionMode: string; parameters?: Record<string, unknown> };
		meta: { executedAt: string; completedAt: string | null; durationInSeconds: number | null };
	};
}

// ---------------------------------------------------------------------------------------------
// Helpers

const CLIENT_ID = 'demo-client-id';
const SECRET = 'demo-client-secret';
const AMT = 'demo-management-token';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ApiResult {
	status: number;
	headers: Headers;
	text: string;
	json: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<ApiResult> {
	const response = await fetch(url, init);
	const text = await response.text();
	let json: unknown;
	try {
		json = text ? (JSON.parse(text) as unknown) : undefined;
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

function tokenRequest(sim: Simulator, form: Record<string, string>, headers: Record<string, string> = {}): Promise<ApiResult> {
	return call(sim.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(form).toString(),
	});
}

async function fetchToken(sim: Simulator, secret = SECRET): Promise<string> {
	const result = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: secret });
	expect(result.status).toBe(200);
	return (result.json as TokenBody).access_token;
}

interface ApiOptions {
	token?: string;
	userId?: string;
	method?: string;
	body?: unknown;
}

function api(sim: Simulator, path: string, options: ApiOptions = {}): Promise<ApiResult> {
	const headers: Record<string, string> = {};
	if (options.token) headers.authorization = `Bearer ${options.token}`;
	if (options.userId) headers['sc-user-id'] = options.userId;
	if (options.body !== undefined) headers['content-type'] = 'application/json';
	const url = path.startsWith('http') ? path : `${sim.url}${path}`;
	return call(url, {
		method: options.method ?? 'GET',
		headers,
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
}

function firstError(result: ApiResult): V3Error {
	return (result.json as ErrorsBody).errors[0];
}

function ownerId(fleet: Fleet, vehicle: SimVehicle): string {
	const connection = fleet.connections.find((c) => c.vehicleId === vehicle.id);
	if (!connection) throw new Error('vehicle without connection');
	return connection.userId;
}

function vehicleOfType(fleet: Fleet, powertrain: string): SimVehicle {
	const vehicle = fleet.vehicles.find((v) => v.powertrainType === powertrain);
	if (!vehicle) throw new Error(`no ${powertrain} in fleet`);
	return vehicle;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------

describe('fleet', () => {
	it('is deterministic for a seed and differs across seeds', () => {
		const spec = { seed: 's1', now: 1_700_000_000_000, users: [{ vehicles: 2 }, { id: 'fixed-user', vehicles: 1 }] };
		const a = createFleet(spec);
		const b = createFleet(spec);
		const c = createFleet({ ...spec, seed: 's2' });
		expect(a).toEqual(b);
		expect(a.users.map((u) => u.id)).not.toEqual(c.users.map((u) => u.id));
		expect(a.users[1].id).toBe('fixed-user');
		expect(a.users[0].id).toMatch(UUID);
		expect(a.vehicles).toHaveLength(3);
		expect(a.connections).toHaveLength(3);
		expect(a.connections[0].connectedAt).toBe('2025-01-15T10:30:00.000Z');
		expect(a.vehicles.map((v) => v.vin.length)).toEqual([17, 17, 17]);
	});

	it('honours powertrain and mode per user', () => {
		const fleet = createFleet({ users: [{ vehicles: 3, powertrain: ['ICE', 'BEV'], mode: 'simulated' }] });
		expect(fleet.vehicles.map((v) => v.powertrainType)).toEqual(['ICE', 'BEV', 'ICE']);
		expect(fleet.vehicles.every((v) => v.mode === 'simulated')).toBe(true);
	});

	it('refuses fleets above the cap', () => {
		expect(() => createFleet({ users: [{ vehicles: MAX_FLEET_VEHICLES + 1 }] })).toThrow(/limited/);
	});

	it('seeds the demo fleet with EVs and fuel cars, errors and unavailable signals', () => {
		const fleet = demoFleet();
		expect(fleet.users).toHaveLength(4);
		expect(fleet.vehicles).toHaveLength(8);
		const bevCodes = [
			CODES.soc,
			CODES.evRange,
			CODES.isCharging,
			CODES.chargeLimits,
			CODES.odometer,
			CODES.location,
			CODES.isLocked,
			CODES.tires,
			CODES.vin,
			CODES.isOnline,
		];
		const bevs = fleet.vehicles.filter((v) => v.powertrainType === 'BEV');
		expect(bevs.length).toBeGreaterThanOrEqual(3);
		for (const bev of bevs) {
			expect(bev.signals.map((s) => s.code)).toEqual(expect.arrayContaining(bevCodes));
			expect(findSignal(bev, CODES.location)?.body).toEqual({
				latitude: expect.any(Number),
				longitude: expect.any(Number),
				heading: expect.any(Number),
				direction: expect.any(String),
				locationType: 'LAST_PARKED',
			});
			expect(findSignal(bev, CODES.tires)?.body?.values).toHaveLength(4);
		}
		expect(findSignal(vehicleOfType(fleet, 'ICE'), CODES.fuelLevel)?.body?.unit).toBe('percent');
		for (const vehicle of fleet.vehicles) {
			const failed = vehicle.signals.filter((s) => s.status.value === 'ERROR');
			expect(failed.length).toBeGreaterThanOrEqual(1);
			expect(failed[0].body).toBeDefined();
			expect(failed[0].status.error).toEqual({
				type: 'VEHICLE_STATE',
				code: 'UNREACHABLE',
				title: expect.any(String),
				detail: expect.any(String),
				description: 'Deprecated. Use detail',
				resolution: { type: 'RETRY_LATER' },
			});
			const unavailable = vehicle.signals.filter((s) => s.status.value === 'UNAVAILABLE');
			expect(unavailable.length).toBeGreaterThanOrEqual(1);
			expect(unavailable[0].body).toBeUndefined();
		}
		expect(fleet.vehicles.some((v) => v.timestampForm === 'epoch')).toBe(true);
		expect(fleet.vehicles.some((v) => v.timestampForm === 'iso')).toBe(true);
	});

	it('tick drains batteries, grows odometers and moves cars', () => {
		const fleet = createFleet({ users: [{ vehicles: 1, powertrain: 'BEV' }] });
		const [vehicle] = fleet.vehicles;
		const socBefore = findSignal(vehicle, CODES.soc)?.body?.value as number;
		const odoBefore = findSignal(vehicle, CODES.odometer)?.body?.value as number;
		const latBefore = findSignal(vehicle, CODES.location)?.body?.latitude;
		tick(fleet);
		expect(fleet.ticks).toBe(1);
		expect(findSignal(vehicle, CODES.soc)?.body?.value).toBe(socBefore - 1);
		expect(findSignal(vehicle, CODES.odometer)?.body?.value).toBeCloseTo(odoBefore + 3, 5);
		expect(findSignal(vehicle, CODES.location)?.body?.latitude).not.toBe(latBefore);
		expect(findSignal(vehicle, CODES.location)?.body?.locationType).toBe('CURRENT');
	});
});

// ---------------------------------------------------------------------------------------------

describe('settings', () => {
	it('resetOptions() goes back to the settings the simulator started with, whatever setOptions() changed', async () => {
		const sim = await startSimulator({ latencyMs: 5, errorForm: 'flat', vehicleRateLimit: { capacity: 2, refillPerSecond: 1 } });
		try {
			const started = { ...sim.settings };
			sim.setOptions({ latencyMs: 0, errorForm: 'v3', commandMode: 'async', vehicleRateLimit: null, cursorPageSize: 7 });
			expect(sim.settings).toMatchObject({ latencyMs: 0, errorForm: 'v3', commandMode: 'async', vehicleRateLimit: null, cursorPageSize: 7 });
			sim.resetOptions();
			expect(sim.settings).toEqual(started);
			expect(sim.rateLimitLevel('any-vehicle')).toBe(2);
		} finally {
			await sim.close();
		}
	});
});

describe('token endpoint', () => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(() => sim.close());
	beforeEach(() => {
		sim.resetStats();
		sim.setOptions({ clientSecrets: [SECRET] });
	});

	it('issues a bearer token for valid client credentials', async () => {
		const result = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
		expect(result.status).toBe(200);
		const body = result.json as TokenBody;
		expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
		expect(body.access_token.length).toBeGreaterThan(20);
		expect(result.headers.get('sc-request-id')).toMatch(UUID);
		expect(sim.stats.tokenExchanges).toBe(1);
		expect(sim.stats.failedTokenExchanges).toBe(0);
	});

	it('answers 401 invalid_client for a wrong secret or client id', async () => {
		const badSecret = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'nope' });
		const badId = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: 'other', client_secret: SECRET });
		for (const result of [badSecret, badId]) {
			expect(result.status).toBe(401);
			expect(result.json).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
		}
		expect(sim.stats.tokenExchanges).toBe(0);
		expect(sim.stats.failedTokenExchanges).toBe(2);
	});

	it('answers 400 invalid_request for missing parameters (Basic auth is not accepted)', async () => {
		const missing = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: CLIENT_ID });
		expect(missing.status).toBe(400);
		expect(missing.json).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('client_secret') });
		const basic = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
		const viaBasic = await tokenRequest(sim, { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
		expect(viaBasic.status).toBe(400);
		const wrongGrant = await tokenRequest(sim, { grant_type: 'password', client_id: CLIENT_ID, client_secret: SECRET });
		expect(wrongGrant.status).toBe(400);
		expect((wrongGrant.json as { error: string }).error).toBe('unsupported_grant_type');
		expect(sim.stats.failedTokenExchanges).toBe(3);
	});

	it('accepts up to three secrets and drops tokens of a removed secret at once', async () => {
		sim.setOptions({ clientSecrets: [SECRET, 'second', 'third'] });
		const oldToken = await fetchToken(sim, SECRET);
		const newToken = await fetchToken(sim, 'second');
		const user = sim.fleet.users[0].id;
		expect((await api(sim, '/v3/connections', { token: oldToken, userId: user })).status).toBe(200);
		sim.setOptions({ clientSecrets: ['second'] });
		expect((await api(sim, '/v3/connections', { token: oldToken, userId: user })).status).toBe(401);
		expect((await api(sim, '/v3/connections', { token: newToken, userId: user })).status).toBe(200);
		expect(() => sim.setOptions({ clientSecrets: ['a', 'b', 'c', 'd'] })).toThrow(/1 to 3/);
		expect(sim.settings.clientSecrets).toEqual(['second']);
	});
});

// ---------------------------------------------------------------------------------------------

describe('authentication on /v3', () => {
	it('answers 401 AUTHENTICATION for missing, unknown and expired tokens', async () => {
		const sim = await startSimulator();
		try {
			const user = sim.fleet.users[0].id;
			const token = await fetchToken(sim);
			expect((await api(sim, '/v3/connections', { token, userId: user })).status).toBe(200);
			const missing = await api(sim, '/v3/connections', { userId: user });
			const unknown = await api(sim, '/v3/connections', { token: 'not-a-token', userId: user });
			sim.expireTokens();
			const expired = await api(sim, '/v3/connections', { token, userId: user });
			for (const result of [missing, unknown, expired]) {
				expect(result.status).toBe(401);
				expect(result.json).toEqual({
					errors: [
						{
							status: '401',
							type: 'AUTHENTICATION',
							code: 'UNAUTHORIZED',
							title: 'Unauthorized',
							detail: 'The access token is invalid or expired.',
							links: { about: expect.stringMatching(/^https:\/\/smartcar\.com\/docs\/errors\//) },
						},
					],
				});
			}
			const fresh = await fetchToken(sim);
			expect((await api(sim, '/v3/connections', { token: fresh, userId: user })).status).toBe(200);
		} finally {
			await sim.close();
		}
	});

	it('expires tokens after their lifetime', async () => {
		const sim = await startSimulator({ tokenLifetimeSeconds: 1 });
		try {
			const result = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
			expect((result.json as TokenBody).expires_in).toBe(1);
			const token = (result.json as TokenBody).access_token;
			const user = sim.fleet.users[0].id;
			expect((await api(sim, '/v3/connections', { token, userId: user })).status).toBe(200);
			await sleep(1_100);
			expect((await api(sim, '/v3/connections', { token, userId: user })).status).toBe(401);
		} finally {
			await sim.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------

describe('vehicles and signals', () => {
	let sim: Simulator;
	let token: string;
	let bev: SimVehicle;
	let user: string;
	beforeAll(async () => {
		sim = await startSimulator({ fleet: demoFleet() });
		token = await fetchToken(sim);
		bev = vehicleOfType(sim.fleet, 'BEV');
		user = ownerId(sim.fleet, bev);
	});
	afterAll(() => sim.close());
	afterEach(() => sim.setOptions({ singleSignalForm: 'wrapped', errorForm: 'v3' }));

	it('returns vehicle attributes', async () => {
		const result = await api(sim, `/v3/vehicles/${bev.id}`, { token });
		expect(result.status).toBe(200);
		expect(result.json).toEqual({
			data: {
				id: bev.id,
				type: 'vehicle',
				attributes: { make: bev.make, model: bev.model, year: bev.year, powertrainType: 'BEV', mode: bev.mode },
				links: { self: `${sim.apiBaseUrl}/vehicles/${bev.id}` },
			},
		});
	});

	it('answers 404 for unknown vehicles and for vehicles of another user', async () => {
		const unknown = await api(sim, '/v3/vehicles/does-not-exist', { token });
		expect(unknown.status).toBe(404);
		expect(firstError(unknown)).toMatchObject({ status: '404', type: 'RESOURCE_NOT_FOUND' });
		const otherUser = sim.fleet.users.find((u) => u.id !== user)?.id;
		const foreign = await api(sim, `/v3/vehicles/${bev.id}`, { token, userId: otherUser });
		expect(foreign.status).toBe(404);
	});

	it('lists all signals in one response and requires sc-user-id', async () => {
		const missing = await api(sim, `/v3/vehicles/${bev.id}/signals`, { token });
		expect(missing.status).toBe(400);
		expect(firstError(missing)).toMatchObject({ status: '400', type: 'VALIDATION', code: 'BAD_REQUEST' });
		expect(firstError(missing).detail).toContain('sc-user-id');

		const result = await api(sim, `/v3/vehicles/${bev.id}/signals`, { token, userId: user });
		expect(result.status).toBe(200);
		const body = result.json as { data: SignalResource[]; meta: Record<string, number>; included: { vehicle: { id: string } } };
		expect(body.data).toHaveLength(bev.signals.length);
		expect(body.meta).toEqual({ totalCount: bev.signals.length, pageSize: bev.signals.length, pageNumber: 1 });
		expect(body.included.vehicle.id).toBe(bev.id);
		const soc = body.data.find((s) => s.id === CODES.soc);
		expect(soc?.attributes).toEqual({
			code: CODES.soc,
			name: 'StateOfCharge',
			group: 'TractionBattery',
			status: { value: 'SUCCESS' },
			body: { value: findSignal(bev, CODES.soc)?.body?.value, unit: 'percent' },
		});
		const failed = body.data.find((s) => s.attributes.status.value === 'ERROR');
		expect(failed?.attributes.body).toBeDefined();
		expect(failed?.attributes.status.error).toMatchObject({ type: 'VEHICLE_STATE', code: 'UNREACHABLE', resolution: { type: 'RETRY_LATER' } });
		const unavailable = body.data.find((s) => s.attributes.status.value === 'UNAVAILABLE');
		expect(unavailable).toBeDefined();
		expect(unavailable?.attributes).not.toHaveProperty('body');
	});

	it('renders ISO timestamps or epoch numbers depending on the vehicle', async () => {
		const iso = sim.fleet.vehicles.find((v) => v.timestampForm === 'iso') as SimVehicle;
		const epoch = sim.fleet.vehicles.find((v) => v.timestampForm === 'epoch') as SimVehicle;
		const isoResult = await api(sim, `/v3/vehicles/${iso.id}/signals`, { token, userId: ownerId(sim.fleet, iso) });
		const epochResult = await api(sim, `/v3/vehicles/${epoch.id}/signals`, { token, userId: ownerId(sim.fleet, epoch) });
		const isoMeta = (isoResult.json as { data: SignalResource[] }).data[0].meta;
		const epochMeta = (epochResult.json as { data: SignalResource[] }).data[0].meta;
		expect(isoMeta.retrievedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		expect(typeof epochMeta.retrievedAt).toBe('number');
		expect(typeof epochMeta.oemUpdatedAt).toBe('number');
	});

	it('returns one signal wrapped (real traffic) or flat (docs)', async () => {
		const path = `/v3/vehicles/${bev.id}/signals/${CODES.isLocked}`;
		const wrapped = await api(sim, path, { token, userId: user });
		expect(wrapped.status).toBe(200);
		const wrappedBody = wrapped.json as { data: SignalResource; included: { vehicle: { id: string; attributes: VehicleAttributes } } };
		expect(wrappedBody.data.id).toBe(CODES.isLocked);
		expect(wrappedBody.data.attributes.body).toEqual({ value: true });
		expect(wrappedBody.included.vehicle.attributes.powertrainType).toBe('BEV');

		sim.setOptions({ singleSignalForm: 'flat' });
		const flat = await api(sim, path, { token, userId: user });
		expect(flat.status).toBe(200);
		expect(flat.json).toEqual(wrappedBody.data);

		const unknown = await api(sim, `/v3/vehicles/${bev.id}/signals/nope-nothing`, { token, userId: user });
		expect(unknown.status).toBe(404);
		expect(firstError(unknown)).toMatchObject({ type: 'RESOURCE_NOT_FOUND', code: 'SIGNAL_NOT_FOUND' });
		const noUser = await api(sim, path, { token });
		expect(noUser.status).toBe(400);
	});

	it('can answer errors in the flat v2 style, quoting the request id', async () => {
		sim.setOptions({ errorForm: 'flat' });
		const result = await api(sim, '/v3/vehicles/unknown', { token });
		expect(result.status).toBe(404);
		const body = result.json as FlatError;
		expect(body).toEqual({
			type: 'RESOURCE_NOT_FOUND',
			code: 'NOT_FOUND',
			description: expect.stringContaining('unknown'),
			docURL: expect.stringMatching(/^https:\/\/smartcar\.com\/docs\/errors\//),
			statusCode: 404,
			requestId: result.headers.get('sc-request-id'),
			resolution: { type: null },
			suggestedUserMessage: expect.any(String),
		});
	});

	it('answers 404 in error form for unknown routes', async () => {
		const result = await api(sim, '/v3/vehicles', { token });
		expect(result.status).toBe(404);
		expect(firstError(result).status).toBe('404');
		const outside = await api(sim, '/nothing-here');
		expect(outside.status).toBe(404);
	});

	it('serves a Connect page that redirects with user_id and state', async () => {
		const redirect = 'http://127.0.0.1:9/callback';
		const result = await call(`${sim.connectUrl}?response_type=code&client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(redirect)}&state=xyz`);
		expect(result.status).toBe(200);
		expect(result.headers.get('content-type')).toContain('text/html');
		expect(result.text).toContain(`${redirect}?user_id=${sim.fleet.users[0].id}&amp;state=xyz`);
		expect(result.text).toContain('error=access_denied');
	});
});

// ---------------------------------------------------------------------------------------------

describe('connections', () => {
	let sim: Simulator;
	let token: string;
	let bigUser: string;
	let smallUser: string;
	beforeAll(async () => {
		const fleet = createFleet({
			seed: 'paging',
			users: [{ vehicles: 250 }, { vehicles: 3, mode: 'simulated' }],
		});
		sim = await startSimulator({ fleet });
		token = await fetchToken(sim);
		[bigUser, smallUser] = fleet.users.map((u) => u.id);
	});
	afterAll(() => sim.close());
	afterEach(() => sim.setOptions({ connectionsShape: 'B', connectionsNextLink: 'relative', cursorPageSize: 100 }));

	async function collectShapeB(firstPath: string, userId?: string): Promise<{ pages: PageB[]; ids: string[] }> {
		const pages: PageB[] = [];
		let next: string | null = firstPath;
		while (next !== null && pages.length < 20) {
			const result = await api(sim, new URL(next, sim.url).toString(), { token, userId });
			expect(result.status).toBe(200);
			const page = result.json as PageB;
			pages.push(page);
			next = page.links.next;
		}
		return { pages, ids: pages.flatMap((page) => page.data.map((c) => c.id)) };
	}

	it('pages shape B with page[number]/page[size] and relative next links', async () => {
		const { pages, ids } = await collectShapeB('/v3/connections?page[size]=100', bigUser);
		expect(pages).toHaveLength(3);
		expect(pages.map((p) => p.data.length)).toEqual([100, 100, 50]);
		expect(ids).toHaveLength(250);
		expect(new Set(ids).size).toBe(250);
		expect(pages[0].meta).toEqual({ pageNumber: 1, pageSize: 100, totalCount: 250, orderBy: 'createdAt', orderDirection: 'DESC' });
		expect(pages[0].links.next).toBe('/v3/connections?page[number]=2&page[size]=100');
		expect(pages[0].links.prev).toBeNull();
		expect(pages[1].links.prev).toBe('/v3/connections?page[number]=1&page[size]=100');
		expect(pages[2].links.next).toBeNull();
		const item = pages[0].data[0];
		expect(item.type).toBe('connection');
		expect(item.attributes.user.id).toBe(bigUser);
		expect(item.relationships.user.data).toEqual({ id: bigUser, type: 'user' });
		expect(item.relationships.vehicle.data.type).toBe('vehicle');
		expect(item.attributes.permissions).toContain('read_vehicle_info');
	});

	it('keeps query filters in next links and can make them absolute', async () => {
		sim.setOptions({ connectionsNextLink: 'absolute' });
		const { pages, ids } = await collectShapeB(`/v3/connections?page[size]=100&filter[userId]=${bigUser}`);
		expect(ids).toHaveLength(250);
		expect(pages[0].links.next).toBe(
			`${sim.url}/v3/connections?page%5Bnumber%5D=2&page%5Bsize%5D=100&filter%5BuserId%5D=${bigUser}`,
		);
	});

	it('uses page size 10 by default and rejects page[size] above 100', async () => {
		const first = await api(sim, '/v3/connections', { token });
		expect((first.json as PageB).meta).toMatchObject({ pageNumber: 1, pageSize: 10, totalCount: 253 });
		expect((first.json as PageB).data).toHaveLength(10);
		for (const bad of ['page[size]=101', 'page[size]=0', 'page[number]=0', 'page[size]=abc']) {
			const result = await api(sim, `/v3/connections?${bad}`, { token });
			expect(result.status).toBe(400);
			expect(firstError(result).type).toBe('VALIDATION');
		}
		const max = await api(sim, '/v3/connections?page[size]=100', { token });
		expect(max.status).toBe(200);
	});

	it('filters by vehicle, mode, and the sc-user-id header', async () => {
		const vehicleId = sim.fleet.connections.find((c) => c.userId === smallUser)?.vehicleId as string;
		for (const param of ['filter[vehicleId]', 'filter[vehicle_id]']) {
			const result = await api(sim, `/v3/connections?${param}=${vehicleId}`, { token });
			expect((result.json as PageB).data.map((c) => c.relationships.vehicle.data.id)).toEqual([vehicleId]);
		}
		const simulated = await api(sim, '/v3/connections?filter[vehicle.mode]=simulated&page[size]=100', { token });
		expect((simulated.json as PageB).meta.totalCount).toBe(3);
		expect((simulated.json as PageB).links.self).toContain('filter[vehicle.mode]=simulated');
		const byHeader = await api(sim, '/v3/connections', { token, userId: smallUser });
		expect((byHeader.json as PageB).data.map((c) => c.attributes.user.id)).toEqual([smallUser, smallUser, smallUser]);
		const badMode = await api(sim, '/v3/connections?filter[vehicle.mode]=other', { token });
		expect(badMode.status).toBe(400);
	});

	it('pages shape A with a cursor', async () => {
		sim.setOptions({ connectionsShape: 'A' });
		const pages: PageA[] = [];
		let cursor: string | null = '';
		while (cursor !== null && pages.length < 20) {
			const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
			const result = await api(sim, `/v3/connections?filter[user_id]=${bigUser}${query}`, { token });
			expect(result.status).toBe(200);
			const page = result.json as PageA;
			pages.push(page);
			cursor = page.paging.cursor;
		}
		expect(pages.map((p) => p.connections.length)).toEqual([100, 100, 50]);
		const ids = pages.flatMap((p) => p.connections.map((c) => c.id));
		expect(new Set(ids).size).toBe(250);
		expect(Object.keys(pages[0].connections[0]).sort()).toEqual(['connectedAt', 'id', 'userId', 'vehicleId']);
		expect(pages[0].connections.every((c) => c.userId === bigUser)).toBe(true);
		const bad = await api(sim, '/v3/connections?cursor=garbage', { token });
		expect(bad.status).toBe(400);
	});

	it('returns one connection by id, 404 when unknown', async () => {
		const connection = sim.fleet.connections[0];
		const result = await api(sim, `/v3/connections/${connection.id}`, { token });
		expect(result.status).toBe(200);
		const data = (result.json as { data: ConnectionResource }).data;
		expect(data.id).toBe(connection.id);
		expect(data.meta.createdAt).toBe(connection.connectedAt);
		expect(data.relationships.vehicle.data.id).toBe(connection.vehicleId);
		expect((await api(sim, '/v3/connections/nope', { token })).status).toBe(404);
	});
});

describe('deleting users', () => {
	it('answers 204, purges the connections, then 404', async () => {
		const sim = await startSimulator({ fleet: createFleet({ users: [{ vehicles: 2 }, { vehicles: 1 }] }) });
		try {
			const token = await fetchToken(sim);
			const [gone, kept] = sim.fleet.users.map((u) => u.id);
			const vehicleId = sim.fleet.connections.find((c) => c.userId === gone)?.vehicleId as string;
			const deleted = await api(sim, `/v3/users/${gone}`, { token, method: 'DELETE' });
			expect(deleted.status).toBe(204);
			expect(deleted.text).toBe('');
			expect(sim.fleet.connections.map((c) => c.userId)).toEqual([kept]);
			const list = await api(sim, '/v3/connections', { token, userId: gone });
			expect((list.json as PageB).meta.totalCount).toBe(0);
			expect((await api(sim, `/v3/vehicles/${vehicleId}/signals`, { token, userId: gone })).status).toBe(404);
			expect((await api(sim, `/v3/users/${gone}`, { token, method: 'DELETE' })).status).toBe(404);
		} finally {
			await sim.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------

describe('commands', () => {
	let sim: Simulator;
	let token: string;
	let bev: SimVehicle;
	let user: string;
	beforeAll(async () => {
		sim = await startSimulator({ fleet: demoFleet() });
		token = await fetchToken(sim);
		bev = vehicleOfType(sim.fleet, 'BEV');
		user = ownerId(sim.fleet, bev);
	});
	afterAll(() => sim.close());
	afterEach(() => sim.setOptions({ commandMode: 'sync' }));

	const command = (name: string, body?: unknown) =>
		api(sim, `/v3/vehicles/${bev.id}/commands/${name}`, { token, userId: user, method: 'POST', body });
	const readSignal = async (code: string) => {
		const result = await api(sim, `/v3/vehicles/${bev.id}/signals/${code}`, { token, userId: user });
		return (result.json as { data: SignalResource }).data.attributes.body;
	};

	it('locks and unlocks', async () => {
		const unlock = await command('security/unlock');
		expect(unlock.status).toBe(200);
		const body = unlock.json as CommandBody;
		expect(body.data.id).toMatch(UUID);
		expect(body.data.type).toBe('command-execution');
		expect(body.data.attributes).toEqual({ commandType: 'security-unlock', status: { value: 'SUCCESS' }, executionMode: 'sync' });
		expect(body.data.meta).toEqual({ executedAt: expect.any(String), completedAt: expect.any(String), durationInSeconds: 2 });
		expect(await readSignal(CODES.isLocked)).toEqual({ value: false });
		expect((await command('security/lock')).status).toBe(200);
		expect(await readSignal(CODES.isLocked)).toEqual({ value: true });
	});

	it('starts and stops charging', async () => {
		expect(((await command('charge/start')).json as CommandBody).data.attributes.commandType).toBe('charge-start');
		expect(await readSignal(CODES.isCharging)).toEqual({ value: true });
		expect(await readSignal(CODES.chargingStatus)).toEqual({ value: 'CHARGING' });
		expect((await command('charge/stop')).status).toBe(200);
		expect(await readSignal(CODES.isCharging)).toEqual({ value: false });
	});

	it('sets the charge limit and validates the percent', async () => {
		const result = await command('charge/set-limit', { data: { attributes: { percent: 90 } } });
		expect(result.status).toBe(200);
		expect((result.json as CommandBody).data.attributes).toMatchObject({ commandType: 'charge-set-limit', parameters: { percent: 90 } });
		expect(await readSignal(CODES.chargeLimits)).toMatchObject({ activeLimit: 90 });
		for (const bad of [undefined, {}, { data: { attributes: { percent: 101 } } }, { data: { attributes: { percent: '80' } } }]) {
			const rejected = await command('charge/set-limit', bad);
			expect(rejected.status).toBe(400);
			expect(firstError(rejected).type).toBe('VALIDATION');
		}
		expect(await readSignal(CODES.chargeLimits)).toMatchObject({ activeLimit: 90 });
	});

	it('requires sc-user-id, knows its commands, and refuses charging a fuel car', async () => {
		const noUser = await api(sim, `/v3/vehicles/${bev.id}/commands/security/lock`, { token, method: 'POST' });
		expect(noUser.status).toBe(400);
		expect(firstError(noUser).detail).toContain('sc-user-id');
		expect((await command('security/open-sesame')).status).toBe(404);
		const ice = vehicleOfType(sim.fleet, 'ICE');
		const result = await api(sim, `/v3/vehicles/${ice.id}/commands/charge/start`, {
			token,
			userId: ownerId(sim.fleet, ice),
			method: 'POST',
		});
		expect(result.status).toBe(501);
		expect(firstError(result)).toMatchObject({ type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' });
	});

	it('answers 202 PENDING in async mode', async () => {
		sim.setOptions({ commandMode: 'async' });
		const result = await command('security/unlock');
		expect(result.status).toBe(202);
		const body = result.json as CommandBody;
		expect(body.data.attributes.status).toEqual({ value: 'PENDING' });
		expect(body.data.attributes.executionMode).toBe('async');
		expect(body.data.meta.completedAt).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------------

describe('fault injection', () => {
	let sim: Simulator;
	let token: string;
	let vehicleId: string;
	beforeAll(async () => {
		sim = await startSimulator();
		token = await fetchToken(sim);
		vehicleId = sim.fleet.vehicles[0].id;
	});
	afterAll(() => sim.close());
	afterEach(() => sim.clearFaults());

	const cases = [
		{ name: 'rateLimit', response: smartcarErrors.rateLimit(42), status: 429, type: 'RATE_LIMIT', code: 'VEHICLE' },
		{ name: 'billing', response: smartcarErrors.billing(), status: 430, type: 'BILLING', code: 'VEHICLE_REQUEST_LIMIT' },
		{ name: 'vehicleState', response: smartcarErrors.vehicleState('ASLEEP'), status: 409, type: 'VEHICLE_STATE', code: 'ASLEEP' },
		{ name: 'notFound', response: smartcarErrors.notFound(), status: 404, type: 'RESOURCE_NOT_FOUND', code: 'NOT_FOUND' },
		{ name: 'server', response: smartcarErrors.server(), status: 500, type: 'SERVER', code: 'INTERNAL' },
		{ name: 'upstream', response: smartcarErrors.upstream(), status: 502, type: 'UPSTREAM', code: 'UNKNOWN_ISSUE' },
		{ name: 'permission', response: smartcarErrors.permission(), status: 403, type: 'PERMISSION', code: 'ACCESS_DENIED' },
		{ name: 'validation', response: smartcarErrors.validation('bad thing'), status: 400, type: 'VALIDATION', code: 'BAD_REQUEST' },
	];

	it.each(cases)('serves $name once, then the normal answer', async ({ response, status, type, code }) => {
		const path = `/v3/vehicles/${vehicleId}`;
		sim.failNext({ path, ...response });
		const failed = await api(sim, path, { token });
		expect(failed.status).toBe(status);
		expect(failed.headers.get('sc-request-id')).toMatch(UUID);
		expect(failed.json).toEqual({
			errors: [
				{
					status: String(status),
					type,
					code,
					title: expect.any(String),
					detail: expect.any(String),
					links: { about: expect.stringMatching(/^https:\/\/smartcar\.com\/docs\/errors\//) },
				},
			],
		});
		expect((await api(sim, path, { token })).status).toBe(200);
	});

	it('sends retry-after with rate limits and carries the validation detail', async () => {
		expect(smartcarErrors.rateLimit(42).headers).toEqual({ 'retry-after': '42' });
		sim.failNext({ path: /\/signals$/, ...smartcarErrors.rateLimit(42) });
		const result = await api(sim, `/v3/vehicles/${vehicleId}/signals`, { token, userId: sim.fleet.users[0].id });
		expect(result.status).toBe(429);
		expect(result.headers.get('retry-after')).toBe('42');
		expect((smartcarErrors.validation('bad thing').body as ErrorsBody).errors[0].detail).toBe('bad thing');
	});

	it('builds flat v2-style variants', () => {
		const flat = smartcarErrors.rateLimit(7, 'flat');
		expect(flat.status).toBe(429);
		expect(flat.headers).toEqual({ 'retry-after': '7' });
		expect(flat.body).toEqual({
			type: 'RATE_LIMIT',
			code: 'VEHICLE',
			description: expect.stringContaining('retry-after'),
			docURL: expect.stringMatching(/^https:\/\/smartcar\.com\/docs\/errors\//),
			statusCode: 429,
			requestId: expect.stringMatching(UUID),
			resolution: { type: 'RETRY_LATER' },
			suggestedUserMessage: expect.any(String),
		});
		expect((smartcarErrors.validation('field x', 'flat').body as FlatError).description).toBe('field x');
	});

	it('honours times, method and patterns, and applies before authentication', async () => {
		sim.failNext({ method: 'POST', path: /.*/, status: 500, body: 'plain text' });
		expect((await api(sim, `/v3/vehicles/${vehicleId}`, { token })).status).toBe(200);
		sim.clearFaults();
		sim.failNext({ path: `/v3/vehicles/${vehicleId}`, times: 2, ...smartcarErrors.upstream() });
		expect((await api(sim, `/v3/vehicles/${vehicleId}`)).status).toBe(502);
		expect((await api(sim, `/v3/vehicles/${vehicleId}`, { token })).status).toBe(502);
		expect((await api(sim, `/v3/vehicles/${vehicleId}`, { token })).status).toBe(200);
		sim.failNext({ path: '/oauth2/token', ...smartcarErrors.server() });
		const tokenFailure = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
		expect(tokenFailure.status).toBe(500);
	});

	it('an `authenticated` fault answers only requests with a valid token; the others get the usual 401', async () => {
		sim.failNext({ method: 'POST', path: /\/commands\//, ...smartcarErrors.upstream(), authenticated: true });
		const lock = `/v3/vehicles/${vehicleId}/commands/security/lock`;
		const userId = ownerId(sim.fleet, sim.fleet.vehicles[0]);
		expect((await api(sim, lock, { method: 'POST', token: 'not-a-token', userId })).status).toBe(401);
		expect((await api(sim, lock, { method: 'POST', token, userId })).status).toBe(502);
		expect((await api(sim, lock, { method: 'POST', token, userId })).status).toBe(200);
	});
});

// ---------------------------------------------------------------------------------------------

describe('stats, latency and shutdown', () => {
	it('records requests with user, token, query and status', async () => {
		const sim = await startSimulator({ requestLogLimit: 5 });
		try {
			const token = await fetchToken(sim);
			const user = sim.fleet.users[0].id;
			sim.resetStats();
			await api(sim, '/v3/connections?page[size]=5', { token, userId: user });
			await api(sim, '/v3/connections', { token: 'bogus' });
			expect(sim.stats.apiRequests).toBe(2);
			expect(sim.stats.tokenExchanges).toBe(0);
			expect(sim.stats.requests).toEqual([
				{ method: 'GET', path: '/v3/connections', query: { 'page[size]': '5' }, userId: user, status: 200, token, delayMs: 0 },
				{ method: 'GET', path: '/v3/connections', query: {}, userId: undefined, status: 401, token: 'bogus', delayMs: 0 },
			]);
			for (let i = 0; i < 6; i += 1) await api(sim, `/v3/connections?i=${i}`, { token });
			expect(sim.stats.requests).toHaveLength(5);
			expect(sim.stats.requests[4].query).toEqual({ i: '5' });
			expect(sim.stats.apiRequests).toBe(8);
			sim.resetStats();
			expect(sim.stats).toEqual({
				tokenExchanges: 0,
				failedTokenExchanges: 0,
				apiRequests: 0,
				requests: [],
				rateLimited: { application: 0, vehicle: 0 },
			});
		} finally {
			await sim.close();
		}
	});

	it('delays responses by latencyMs and closes with requests in flight', async () => {
		const sim = await startSimulator({ latencyMs: 150 });
		const token = sim.issueToken();
		const started = Date.now();
		expect((await api(sim, '/v3/connections', { token })).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		sim.setOptions({ latencyMs: 5_000 });
		const pending = api(sim, '/v3/connections', { token }).then(
			() => 'answered',
			() => 'connection closed',
		);
		await sleep(50);
		const closeStarted = Date.now();
		await sim.close();
		expect(Date.now() - closeStarted).toBeLessThan(1_000);
		expect(await pending).toBe('connection closed');
	});
});

// ---------------------------------------------------------------------------------------------

const startReceiver = (managementToken = AMT) => startReceiverFor(managementToken);

describe('webhooks', () => {
	const fleet = demoFleet();
	const bev = vehicleOfType(fleet, 'BEV');
	const user = ownerId(fleet, bev);

	it('signs with hex HMAC-SHA256 keyed by the management token', () => {
		expect(signBody('The quick brown fox jumps over the lazy dog', 'key')).toBe(
			'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
		);
		const body = Buffer.from('{"a":1}');
		expect(signBody(body, AMT)).toBe(createHmac('sha256', AMT).update(body).digest('hex'));
		expect(signBody('{"a":1}', AMT)).toBe(signBody(body, AMT));
	});

	it('builds VERIFY without a vehicle', () => {
		const payload = verifyPayload('abc');
		expect(payload).toEqual({
			eventId: expect.stringMatching(UUID),
			eventType: 'VERIFY',
			data: { challenge: 'abc' },
			meta: {
				version: '4.0',
				deliveryId: expect.stringMatching(UUID),
				deliveredAt: expect.any(String),
				webhookId: expect.stringMatching(UUID),
				webhookName: expect.any(String),
				mode: 'LIVE',
			},
		});
	});

	it('builds VEHICLE_STATE in the documented form', () => {
		const payload = vehicleStatePayload(fleet, bev.id, { form: 'docs', eventId: 'evt-1', mode: 'TEST' });
		const data = payload.data as JsonObject;
		expect(payload.eventId).toBe('evt-1');
		expect(payload.eventType).toBe('VEHICLE_STATE');
		expect(payload.vehicleId).toBe(bev.id);
		expect(payload).not.toHaveProperty('triggers');
		expect(data.user).toEqual({ id: user });
		expect(data.vehicle).toEqual({ id: bev.id, make: bev.make, model: bev.model, year: bev.year });
		expect(data.triggers).toEqual([{ code: CODES.soc, name: 'StateOfCharge', group: 'TractionBattery' }]);
		const signals = data.signals as JsonObject[];
		expect(signals).toHaveLength(bev.signals.length);
		expect(signals[0]).toEqual({
			code: CODES.soc,
			name: 'StateOfCharge',
			group: 'TractionBattery',
			body: findSignal(bev, CODES.soc)?.body,
			meta: { oemUpdatedAt: expect.any(Number), fetchedAt: expect.any(Number) },
		});
		const failed = signals.find((s) => s.code === CODES.cabinTemperature);
		expect(failed).toEqual({
			code: CODES.cabinTemperature,
			name: 'InternalTemperature',
			group: 'Climate',
			status: { error: { code: 'UNREACHABLE', type: 'VEHICLE_STATE' }, value: 'ERROR' },
		});
		expect(payload.meta).toEqual({
			version: '4.0',
			deliveryId: expect.stringMatching(UUID),
			deliveredAt: expect.any(Number),
			webhookId: expect.any(String),
			webhookName: expect.any(String),
			signalCount: bev.signals.length,
			mode: 'TEST',
		});
		const first = vehicleStatePayload(fleet, bev.id, { form: 'docs', trigger: 'FIRST_DELIVERY' });
		expect((first.data as JsonObject).triggers).toEqual([{ code: 'FIRST_DELIVERY' }]);
	});

	it('builds VEHICLE_STATE in the real-traffic form', () => {
		const payload = vehicleStatePayload(fleet, bev.id, {
			form: 'real',
			signals: [CODES.odometer, CODES.cabinTemperature],
			triggerSignals: [CODES.odometer],
		});
		const data = payload.data as JsonObject;
		expect(data).not.toHaveProperty('triggers');
		expect(payload.triggers).toEqual([
			{ type: 'SIGNAL_UPDATED', signal: { name: 'TraveledDistance', code: CODES.odometer, group: 'Odometer' } },
		]);
		const [odometer, failed] = data.signals as JsonObject[];
		expect(odometer).toEqual({
			code: CODES.odometer,
			name: 'TraveledDistance',
			group: 'Odometer',
			body: { value: expect.any(Number), unit: 'km' },
			meta: { oemUpdatedAt: expect.stringMatching(/Z$/), retrievedAt: expect.stringMatching(/Z$/) },
			status: { value: 'SUCCESS' },
		});
		expect(failed).not.toHaveProperty('body');
		expect(failed.status).toEqual({ value: 'ERROR', error: { type: 'VEHICLE_STATE', code: 'UNREACHABLE' } });
		expect((payload.meta as JsonObject).signalCount).toBe(2);

		const legacy = vehicleStatePayload(fleet, bev.id, { form: 'real', triggerStyle: 'string', triggerSignals: [CODES.odometer], signalTimestamps: 'epoch' });
		expect(legacy.triggers).toEqual([{ type: 'SIGNAL_UPDATED', signal: 'Odometer.TraveledDistance' }]);
		expect(((legacy.data as JsonObject).signals as JsonObject[])[0].meta).toEqual({ oemUpdatedAt: expect.any(Number), retrievedAt: expect.any(Number) });
		const first = vehicleStatePayload(fleet, bev.id, { form: 'real', trigger: 'FIRST_DELIVERY' });
		expect(first.triggers).toEqual([{ type: 'FIRST_DELIVERY' }]);
		expect(() => vehicleStatePayload(fleet, 'nope', { form: 'real' })).toThrow(/Unknown vehicle/);
	});

	it('builds VEHICLE_ERROR', () => {
		const payload = vehicleErrorPayload(fleet, bev.id, { state: 'RESOLVED' });
		const data = payload.data as JsonObject;
		expect(payload.eventType).toBe('VEHICLE_ERROR');
		expect(data.user).toEqual({ id: user });
		expect(data.errors).toEqual([
			{
				type: 'VEHICLE_STATE',
				code: 'UNREACHABLE',
				state: 'RESOLVED',
				description: expect.any(String),
				suggestedUserMessage: expect.any(String),
				docURL: expect.stringMatching(/^https:\/\/smartcar\.com\/docs\//),
				resolution: { type: 'RETRY_LATER' },
				signals: [{ code: CODES.cabinTemperature, name: 'InternalTemperature', group: 'Climate' }],
			},
		]);
		const permission = vehicleErrorPayload(fleet, bev.id, { kind: 'permission', signalRefs: 'string' });
		const [error] = (permission.data as JsonObject).errors as JsonObject[];
		expect(error.code).toBeNull();
		expect(error.type).toBe('PERMISSION');
		expect(error.signals).toEqual(['VehicleIdentification.VIN']);
		expect((permission.meta as JsonObject).signalCount).toBe(1);
	});

	it('signs the exact bytes sent, compact or pretty, with a new deliveryId per send', async () => {
		const receiver = await startReceiver();
		try {
			const payload = vehicleStatePayload(fleet, bev.id, { form: 'real' });
			const compact = await sendWebhook(receiver.url, payload, { managementToken: AMT });
			const pretty = await sendWebhook(receiver.url, payload, { managementToken: AMT, pretty: true });
			expect(compact.status).toBe(200);
			expect(compact.json).toEqual({ ok: true });
			expect(receiver.received).toHaveLength(2);
			const [first, second] = receiver.received;
			expect(first.raw.toString()).toBe(compact.sentBody);
			expect(second.raw.toString()).toBe(pretty.sentBody);
			expect(second.raw.toString()).toContain('\n  "eventId"');
			expect(first.raw.toString()).not.toContain('\n');
			expect(first.headers['content-type']).toBe('application/json');
			for (const delivery of receiver.received) {
				expect(delivery.headers['sc-signature']).toBe(createHmac('sha256', AMT).update(delivery.raw).digest('hex'));
			}
			expect(first.headers['sc-signature']).not.toBe(second.headers['sc-signature']);
			const firstJson = JSON.parse(first.raw.toString()) as { eventId: string; meta: { deliveryId: string } };
			const secondJson = JSON.parse(second.raw.toString()) as { eventId: string; meta: { deliveryId: string } };
			expect(firstJson.eventId).toBe(secondJson.eventId);
			expect(firstJson.meta.deliveryId).not.toBe(secondJson.meta.deliveryId);
			expect(compact.deliveryId).toBe(firstJson.meta.deliveryId);
		} finally {
			await receiver.close();
		}
	});

	it('can forge or omit signatures, and leaves VERIFY unsigned', async () => {
		const receiver = await startReceiver();
		try {
			const payload = vehicleErrorPayload(fleet, bev.id);
			await sendWebhook(receiver.url, payload, { managementToken: AMT, signature: 'deadbeef' });
			await sendWebhook(receiver.url, payload, { managementToken: AMT, omitSignature: true });
			const verify = verifyPayload('challenge-123');
			const answer = await sendWebhook(receiver.url, verify, { managementToken: AMT });
			expect(receiver.received[0].headers['sc-signature']).toBe('deadbeef');
			expect(receiver.received[1].headers).not.toHaveProperty('sc-signature');
			expect(receiver.received[2].headers).not.toHaveProperty('sc-signature');
			expect(isValidVerifyAnswer(answer, 'challenge-123', AMT)).toBe(true);
			expect(isValidVerifyAnswer(answer, 'challenge-123', 'other-token')).toBe(false);
		} finally {
			await receiver.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------

describe('cli', () => {
	it('parses flags in both forms and rejects unknown ones', () => {
		const options = parseCliArgs(['--port=0', '--client-secret', 'a,b', '--client-secret', 'c', '--tick', '2', '--webhook-url', 'http://x']);
		expect(options).toMatchObject({ port: 0, clientSecrets: ['a', 'b', 'c'], tickSeconds: 2, webhookUrl: 'http://x', webhookIntervalSeconds: 30 });
		expect(parseCliArgs([]).clientSecrets).toEqual(['demo-client-secret']);
		expect(() => parseCliArgs(['--nope'])).toThrow(/Unknown argument/);
		expect(() => parseCliArgs(['--port', 'abc'])).toThrow(/--port/);
	});

	it('starts, verifies the webhook, delivers signed events for a subscribed vehicle and stops cleanly', async () => {
		const receiver = await startReceiver('cli-token');
		const lines: string[] = [];
		const handle = await runSimulatorCli(
			['--port', '0', '--tick', '1', '--webhook-url', receiver.url, '--webhook-interval', '1', '--management-token', 'cli-token'],
			{ log: (line) => lines.push(line), handleSignals: false },
		);
		try {
			handle.simulator.subscribe(DEFAULT_WEBHOOK_ID, handle.simulator.fleet.vehicles[0].id);
			expect(lines.join('\n')).toContain(`Token URL         ${handle.simulator.tokenUrl}`);
			expect(lines.join('\n')).toContain(handle.simulator.fleet.users[0].id);
			const deadline = Date.now() + 5_000;
			while (receiver.received.length < 2 && Date.now() < deadline) await sleep(50);
			expect(receiver.received.length).toBeGreaterThanOrEqual(2);
			const [verify, state] = receiver.received;
			expect(JSON.parse(verify.raw.toString()).eventType).toBe('VERIFY');
			expect(JSON.parse(state.raw.toString()).eventType).toBe('VEHICLE_STATE');
			expect(state.headers['sc-signature']).toBe(createHmac('sha256', 'cli-token').update(state.raw).digest('hex'));
			expect(lines.some((line) => line.includes('VERIFY → 200, challenge answer correct'))).toBe(true);
		} finally {
			await handle.stop();
			await receiver.close();
		}
		expect(lines[lines.length - 1]).toBe('Smartcar simulator stopped');
	});
});
