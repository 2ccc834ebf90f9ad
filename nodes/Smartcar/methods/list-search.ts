import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { SmartcarClient } from '../../shared/transport';

const MAX_LISTED = 200;

/** The vehicles of the User ID field's user (or of every user when it is empty), for the Vehicle picker. */
export async function searchVehicles(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const rawUserId = this.getCurrentNodeParameter('userId');
	const userId = typeof rawUserId === 'string' && rawUserId.trim() !== '' && !rawUserId.startsWith('=') ? rawUserId.trim() : undefined;
	const client = await SmartcarClient.create(this);
	const connections = await client.listConnections({ userId, limit: MAX_LISTED });
	const needle = filter?.trim().toLowerCase() ?? '';
	const seen = new Set<string>();
	const results: INodeListSearchResult['results'] = [];
	for (const { vehicleId, vehicle } of connections) {
		if (!vehicleId || seen.has(vehicleId)) continue;
		seen.add(vehicleId);
		const label = [vehicle.year, vehicle.make, vehicle.model].filter((part) => part !== null).join(' ');
		const name = label ? `${label} (${vehicleId})` : vehicleId;
		if (needle && !name.toLowerCase().includes(needle)) continue;
		results.push({ name, value: vehicleId });
	}
	return { results };
}
