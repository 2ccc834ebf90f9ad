import type { SmartcarOperation, SmartcarResource } from './operation';
import { command } from './command';
import { connect } from './connect';
import { connection } from './connection';
import { signal } from './signal';
import { subscription } from './subscription';
import { user } from './user';
import { vehicle } from './vehicle';
import { webhook } from './webhook';

/**
 * Resource value → its operation values, as stored in workflows (the Resource and Operation options). The map below
 * must give every one of them an operation: a missing one does not compile.
 */
export interface SmartcarMap {
	command: 'lock' | 'unlock' | 'startCharge' | 'stopCharge' | 'setChargeLimit';
	connect: 'getAuthorizationUrl';
	connection: 'get' | 'getMany';
	signal: 'get' | 'getAll';
	subscription: 'get' | 'getMany' | 'subscribe' | 'unsubscribe';
	user: 'delete';
	vehicle: 'get' | 'getMany';
	webhook: 'get' | 'getMany';
}

/** Resource value (stored in workflows) → its fields and operations. */
export const resources: { [R in keyof SmartcarMap]: SmartcarResource<SmartcarMap[R]> } = {
	command,
	connect,
	connection,
	signal,
	subscription,
	user,
	vehicle,
	webhook,
};

function isResource(value: string): value is keyof SmartcarMap {
	return Object.prototype.hasOwnProperty.call(resources, value);
}

/**
 * The operation a workflow's resource and operation values select, or undefined for values this version does not
 * know (only own entries count: `toString` or `__proto__` select nothing).
 */
export function findOperation(resource: string, operation: string): SmartcarOperation | undefined {
	if (!isResource(resource)) return undefined;
	const operations: Partial<Record<string, SmartcarOperation>> = resources[resource].operations;
	return Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
}
