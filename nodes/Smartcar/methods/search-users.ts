import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { listConnections } from '../../shared/connections';
import { SmartcarClient } from '../../shared/transport';
import { vehicleLabel } from '../../shared/vehicle';
import { matching, MAX_LISTED } from './picker-context';

/** How many of a user's vehicles an entry names before "+N more". */
const VEHICLES_NAMED = 2;

/**
 * The User picker: the application's users, read from its connections (Smartcar has no list of users), newest
 * connection first. Smartcar knows no names for users, so each entry is the user ID with the vehicles they connected.
 */
export async function searchUsers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await SmartcarClient.create(this);
	const connections = await listConnections(client, { limit: MAX_LISTED });
	const vehiclesByUser = new Map<string, string[]>();
	for (const connection of connections) {
		if (!connection.userId) continue;
		const vehicles = vehiclesByUser.get(connection.userId) ?? [];
		vehicles.push(vehicleLabel(connection.vehicle) || (connection.vehicleId ?? 'a vehicle'));
		vehiclesByUser.set(connection.userId, vehicles);
	}
	const results: INodeListSearchItems[] = [];
	for (const [userId, vehicles] of vehiclesByUser) {
		const more = vehicles.length > VEHICLES_NAMED ? `, +${vehicles.length - VEHICLES_NAMED} more` : '';
		results.push({ name: `${userId} (${vehicles.slice(0, VEHICLES_NAMED).join(', ')}${more})`, value: userId });
	}
	return { results: matching(results, filter) };
}
