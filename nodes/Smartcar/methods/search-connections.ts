import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { listConnections } from '../../shared/connections';
import { SmartcarClient } from '../../shared/transport';
import { vehicleLabel } from '../../shared/vehicle';
import { matching, MAX_LISTED } from './picker-context';

/** The Connection picker (Connection → Get): the application's connections, each as its vehicle and its user. */
export async function searchConnections(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await SmartcarClient.create(this);
	const connections = await listConnections(client, { limit: MAX_LISTED });
	const results: INodeListSearchItems[] = [];
	for (const connection of connections) {
		if (connection.id === '') continue;
		const vehicle = vehicleLabel(connection.vehicle) || (connection.vehicleId ?? 'a vehicle');
		results.push({ name: `${vehicle} of user ${connection.userId ?? 'unknown'} (${connection.id})`, value: connection.id });
	}
	return { results: matching(results, filter) };
}
