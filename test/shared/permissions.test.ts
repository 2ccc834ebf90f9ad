/**
 * Connect permissions: which permission a signal, a command or the vehicle's attributes need; every option in the
 * editor says what it allows; and the default of a new Connect link (and the example's link) covers every read the
 * example workflows make.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { KNOWN_SIGNALS } from '../../nodes/shared/signal-catalog';
import { DEFAULT_PERMISSIONS, PERMISSIONS, permissionForPath, permissionForSignal } from '../../nodes/shared/permissions';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

test.each([
	['tractionbattery-stateofcharge', 'read_battery'],
	['tractionbattery-range', 'read_battery'],
	['charge-chargelimits', 'read_charge'],
	['internalcombustionengine-fuellevel', 'read_fuel'],
	['internalcombustionengine-range', 'read_fuel'],
	['internalcombustionengine-oillife', 'read_engine_oil'],
	['location-preciselocation', 'read_location'],
	['odometer-traveleddistance', 'read_odometer'],
	['closure-islocked', 'read_security'],
	['wheel-tires', 'read_tires'],
	['vehicleidentification-vin', 'read_vin'],
	['climate-internaltemperature', 'read_thermometer'],
	['service-records', 'read_service_history'],
	['diagnostics-dtclist', 'read_diagnostics'],
	['connectivitystatus-isonline', undefined],
	['transmission-gearstate', undefined],
	['constructor-prototype', undefined],
])('signal %s needs %s', (code, permission) => {
	expect(permissionForSignal(code)).toBe(permission);
});

test.each([
	['/v3/vehicles/v1/signals/tractionbattery-stateofcharge', { permission: 'read_battery' }],
	['/v3/vehicles/v1/commands/security/lock', { permission: 'control_security' }],
	['/v3/vehicles/v1/commands/charge/set-limit', { permission: 'control_charge' }],
	['/v3/vehicles/v1', { permission: 'read_vehicle_info' }],
	['/v3/vehicles/v1/signals', { allSignals: true }],
	['/v3/vehicles/v1/signals/connectivitystatus-isonline', undefined],
	['/v3/connections', undefined],
	['/v3/users/u1', undefined],
])('a request to %s needs %j', (path, needed) => {
	expect(permissionForPath(path)).toEqual(needed);
});

test('every permission says what it allows (not just "Scope …"), and every permission a signal or command needs is offered', () => {
	const offered = PERMISSIONS.map((permission) => permission.value);
	for (const permission of PERMISSIONS) {
		expect(permission.description).not.toMatch(/^Scope /);
		expect(permission.description.length).toBeGreaterThan(20);
	}
	const needed = KNOWN_SIGNALS.map(({ code }) => permissionForSignal(code)).filter((value) => value !== undefined);
	expect(needed.filter((value) => !offered.includes(value))).toEqual([]);
	expect(offered).toEqual([...offered].sort());
});

/** What the example workflows read: the signals their nodes name, and Vehicle → Get / Get Many (make and model). */
function examplesNeed(): { permissions: Set<string>; connectScopes: string[][] } {
	const permissions = new Set<string>();
	const connectScopes: string[][] = [];
	const codes = new Set(KNOWN_SIGNALS.map(({ code }) => code));
	for (const file of readdirSync(EXAMPLES).filter((name) => name.endsWith('.json'))) {
		const text = readFileSync(join(EXAMPLES, file), 'utf8');
		for (const [code] of text.matchAll(/[a-z]+-[a-z]+/g)) {
			const permission = codes.has(code) ? permissionForSignal(code) : undefined;
			if (permission) permissions.add(permission);
		}
		const workflow = JSON.parse(text) as { nodes: Array<{ type: string; parameters: { resource?: string; scopes?: string[] } }> };
		for (const node of workflow.nodes.filter((candidate) => candidate.type === 'n8n-nodes-smartcar.smartcar')) {
			if (node.parameters.resource === 'vehicle') permissions.add('read_vehicle_info');
			if (node.parameters.resource === 'connect') connectScopes.push(node.parameters.scopes ?? [...DEFAULT_PERMISSIONS]);
		}
	}
	return { permissions, connectScopes };
}

test('the default Permissions, and the examples\' Connect link, cover every read the example workflows make', () => {
	const { permissions, connectScopes } = examplesNeed();
	expect([...permissions].sort()).toEqual(['read_battery', 'read_fuel', 'read_odometer', 'read_security', 'read_vehicle_info']);

	expect([...permissions].filter((permission) => !DEFAULT_PERMISSIONS.includes(permission))).toEqual([]);
	expect(connectScopes).toHaveLength(1);
	for (const scopes of connectScopes) expect([...permissions].filter((permission) => !scopes.includes(permission))).toEqual([]);
});
