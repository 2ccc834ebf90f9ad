/**
 * The simulator enforces Smartcar's permissions per connection, over real HTTP: a signal, the vehicle's attributes or a
 * command the user did not grant answers 403 PERMISSION; the list of every signal shows such signals as PERMISSION
 * errors without a value; the seeded fleet grants everything its signals and commands need.
 */
import { CODES, createFleet, setPermissions, signalPermission, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';

const CLIENT_ID = 'permissions-client';
const SECRET = 'permissions-secret';

let sim: Simulator;
let token: string;

beforeAll(async () => {
	sim = await startSimulator({
		clientId: CLIENT_ID,
		clientSecrets: [SECRET],
		fleet: createFleet({ seed: 'permissions-spec', users: [{ vehicles: 1, powertrain: 'BEV' }, { vehicles: 1, powertrain: 'ICE' }] }),
	});
	const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
	const response = await fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
	token = ((await response.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
	await sim.close();
});

function bev(): { userId: string; vehicle: SimVehicle } {
	const userId = sim.fleet.users[0].id;
	const vehicle = sim.fleet.vehicles.find((candidate) => sim.fleet.connections.some((c) => c.userId === userId && c.vehicleId === candidate.id));
	if (!vehicle) throw new Error('no vehicle');
	return { userId, vehicle };
}

async function api(path: string, userId: string, method = 'GET'): Promise<{ status: number; json: unknown }> {
	const response = await fetch(`${sim.apiBaseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'sc-user-id': userId } });
	const text = await response.text();
	return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function errorOf(json: unknown): { type: string; code: string | null } {
	return (json as { errors: Array<{ type: string; code: string | null }> }).errors[0];
}

test('the seeded fleet grants the permission of every seeded signal and command it can run', () => {
	for (const connection of sim.fleet.connections) {
		const vehicle = sim.fleet.vehicles.find((candidate) => candidate.id === connection.vehicleId);
		const needed = (vehicle?.signals ?? []).map((signal) => signalPermission(signal.code)).filter((permission) => permission !== undefined);
		expect(needed.filter((permission) => !connection.permissions.includes(permission))).toEqual([]);
		expect(connection.permissions).toEqual(expect.arrayContaining(['read_vehicle_info', 'control_security']));
	}
});

describe('a connection without read_battery and control_security', () => {
	beforeAll(() => {
		const { userId, vehicle } = bev();
		const granted = sim.fleet.connections.find((c) => c.userId === userId && c.vehicleId === vehicle.id)?.permissions ?? [];
		expect(setPermissions(sim.fleet, userId, vehicle.id, granted.filter((p) => p !== 'read_battery' && p !== 'control_security'))).toBe(true);
	});

	test('one signal it needs: 403 PERMISSION; one it has: 200', async () => {
		const { userId, vehicle } = bev();

		const denied = await api(`/vehicles/${vehicle.id}/signals/${CODES.soc}`, userId);
		const allowed = await api(`/vehicles/${vehicle.id}/signals/${CODES.odometer}`, userId);

		expect(denied.status).toBe(403);
		expect(errorOf(denied.json)).toMatchObject({ type: 'PERMISSION', code: 'ACCESS_DENIED' });
		expect(allowed.status).toBe(200);
	});

	test('every signal: the battery signals are PERMISSION errors without a value, the others read as before', async () => {
		const { userId, vehicle } = bev();

		const { status, json } = await api(`/vehicles/${vehicle.id}/signals`, userId);

		expect(status).toBe(200);
		const signals = (json as { data: Array<{ id: string; attributes: { status: { value: string; error?: { type: string } }; body?: unknown } }> }).data;
		const battery = signals.filter((signal) => signal.id.startsWith('tractionbattery-'));
		expect(battery.length).toBeGreaterThan(0);
		for (const signal of battery) {
			expect(signal.attributes.status).toMatchObject({ value: 'ERROR', error: { type: 'PERMISSION' } });
			expect(signal.attributes.body).toBeUndefined();
		}
		expect(signals.find((signal) => signal.id === CODES.odometer)?.attributes.status.value).toBe('SUCCESS');
	});

	test('Unlock: 403 PERMISSION and the doors stay as they were', async () => {
		const { userId, vehicle } = bev();
		const before = JSON.stringify(vehicle.signals.find((signal) => signal.code === CODES.isLocked)?.body);

		const { status, json } = await api(`/vehicles/${vehicle.id}/commands/security/unlock`, userId, 'POST');

		expect(status).toBe(403);
		expect(errorOf(json).type).toBe('PERMISSION');
		expect(JSON.stringify(vehicle.signals.find((signal) => signal.code === CODES.isLocked)?.body)).toBe(before);
	});

	test('another user\'s connection keeps its own permissions', async () => {
		const userId = sim.fleet.users[1].id;
		const vehicle = sim.fleet.vehicles.find((candidate) => sim.fleet.connections.some((c) => c.userId === userId && c.vehicleId === candidate.id));

		expect((await api(`/vehicles/${vehicle?.id ?? ''}/commands/security/lock`, userId, 'POST')).status).toBe(200);
	});
});

test('without read_vehicle_info the vehicle\'s attributes answer 403 PERMISSION', async () => {
	const userId = sim.fleet.users[1].id;
	const connection = sim.fleet.connections.find((c) => c.userId === userId);
	if (!connection) throw new Error('no connection');
	setPermissions(sim.fleet, userId, connection.vehicleId, connection.permissions.filter((p) => p !== 'read_vehicle_info'));

	const { status, json } = await api(`/vehicles/${connection.vehicleId}`, userId);

	expect(status).toBe(403);
	expect(errorOf(json).type).toBe('PERMISSION');
});
