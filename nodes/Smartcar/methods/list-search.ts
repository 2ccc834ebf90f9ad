import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { idProblem } from '../../shared/ids';
import { SmartcarClient } from '../../shared/transport';
import { vehicleLabel } from '../../shared/vehicle';

const MAX_LISTED = 200;

/**
 * The User ID typed in the node, for the picker: undefined when it is empty or an expression (not resolvable
 * here); an error, before any request, when it is not a Smartcar ID (it is never trimmed or cleaned).
 */
function pickerUserId(this: ILoadOptionsFunctions): string | undefined {
	const raw = this.getCurrentNodeParameter('userId');
	if (typeof raw !== 'string' || raw.trim() === '' || raw.startsWith('=')) return undefined;
	const problem = idProblem(raw);
	if (problem !== undefined) {
		throw new NodeOperationError(this.getNode(), `User ID is not a valid Smartcar ID: ${problem}`, {
			description: 'Correct the User ID field to list that user\'s vehicles, or leave it empty to list every user\'s.',
		});
	}
	return raw;
}

/** The vehicles of the User ID field's user (or of every user when it is empty), for the Vehicle picker. */
export async function searchVehicles(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const userId = pickerUserId.call(this);
	const client = await SmartcarClient.create(this);
	const connections = await client.listConnections({ userId, limit: MAX_LISTED });
	const needle = filter?.trim().toLowerCase() ?? '';
	const seen = new Set<string>();
	const results: INodeListSearchResult['results'] = [];
	for (const { vehicleId, vehicle } of connections) {
		if (!vehicleId || seen.has(vehicleId)) continue;
		seen.add(vehicleId);
		const label = vehicleLabel(vehicle);
		const name = label ? `${label} (${vehicleId})` : vehicleId;
		if (needle && !name.toLowerCase().includes(needle)) continue;
		results.push({ name, value: vehicleId });
	}
	return { results };
}
