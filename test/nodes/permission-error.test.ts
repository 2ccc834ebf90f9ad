/**
 * A Smartcar permission error (403 PERMISSION) names the permission the operation needed and says how to get it: a new
 * Connect link that asks for it. The simulator plays a driver who granted only some permissions.
 */
import { CODES, createFleet, setPermissions, startSimulator, type Simulator } from '../../tooling/simulator';
import { shutdownHarness } from '../harness';
import { byId, connectionsOf, credentialStore, errorOf, outputJson, resetBetweenTests, runSmartcar, vehicleOf } from './smartcar-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'permission-error-spec', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
});

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

const userId = () => sim.fleet.users[0].id;
const vehicleId = () => vehicleOf(sim, userId()).id;

/** The driver approved everything but `withheld`. */
function withhold(...withheld: string[]): void {
	const granted = connectionsOf(sim, userId())[0].permissions.filter((permission) => !withheld.includes(permission));
	setPermissions(sim.fleet, userId(), vehicleId(), granted);
}

beforeEach(() => {
	resetBetweenTests(sim);
	setPermissions(sim.fleet, userId(), vehicleId(), ['read_vehicle_info', 'read_battery', 'read_charge', 'read_location', 'read_odometer', 'read_security', 'control_security', 'control_charge', 'read_vin', 'read_tires']);
});

async function failure(parameters: Record<string, unknown>): Promise<{ message: string; description: string }> {
	const result = await runSmartcar({ userId: userId(), vehicleId: byId(vehicleId()), ...parameters }, { store: credentialStore(sim) });
	const error = errorOf(result);
	return { message: String(error.message), description: String(error.description) };
}

test.each([
	['Signal → Get of a battery signal', { resource: 'signal', operation: 'get', signalCode: CODES.soc }, 'read_battery', 'Read Battery', 'The signal tractionbattery-stateofcharge'],
	['Signal → Get of the location', { resource: 'signal', operation: 'get', signalCode: CODES.location }, 'read_location', 'Read Location', 'The signal location-preciselocation'],
	['Command → Unlock', { resource: 'command', operation: 'unlock' }, 'control_security', 'Control Security', 'This command'],
	['Command → Start Charge', { resource: 'command', operation: 'startCharge' }, 'control_charge', 'Control Charge', 'This command'],
	['Vehicle → Get', { resource: 'vehicle', operation: 'get' }, 'read_vehicle_info', 'Read Vehicle Info', 'Vehicle → Get'],
])('%s without its permission: the error names it and how to get it', async (_case, parameters, permission, name, what) => {
	withhold(permission);

	const { message, description } = await failure(parameters);

	expect(message).toBe(`Smartcar: Access Denied (HTTP 403 PERMISSION:ACCESS_DENIED): the user did not grant the permission ${name} (${permission})`);
	expect(description).toContain(`${what} needs the permission ${name} (${permission}), which this user did not grant`);
	expect(description).toContain('send the driver a new Connect link that asks for it: Smartcar node → Connect → Get Authorization URL');
	expect(description).toContain('Required Permissions');
});

test('the older flat error form names the permission too', async () => {
	resetBetweenTests(sim, { errorForm: 'flat' });
	withhold('read_odometer');

	const { message } = await failure({ resource: 'signal', operation: 'get', signalCode: CODES.odometer });

	expect(message).toContain('the user did not grant the permission Read Odometer (read_odometer)');
});

test('Signal → Get Many: the signals without permission are error items of type PERMISSION, the others have values', async () => {
	withhold('read_battery');

	const result = await runSmartcar(
		{ resource: 'signal', operation: 'getAll', userId: userId(), vehicleId: byId(vehicleId()) },
		{ store: credentialStore(sim) },
	);

	const signals = outputJson(result);
	const battery = signals.filter((signal) => String(signal.code).startsWith('tractionbattery-'));
	expect(battery.length).toBeGreaterThan(0);
	expect(battery.every((signal) => signal.status === 'ERROR' && (signal.error as { type?: string }).type === 'PERMISSION')).toBe(true);
	expect(signals.find((signal) => signal.code === CODES.odometer)?.status).toBe('SUCCESS');
});
