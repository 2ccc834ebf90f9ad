import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listConnections } from '../../shared/connections';
import { SmartcarClient } from '../../shared/transport';
import { vehicleLabel } from '../../shared/vehicle';
import { currentOperation, matching, MAX_LISTED, pickedId } from './picker-context';

/** Operations whose User is only a filter (empty: every user), so the Vehicle list may show every user's vehicles. */
const USER_OPTIONAL = new Set(['connection:getMany', 'subscription:getMany', 'subscription:unsubscribe']);

/** Why the Vehicle list cannot be shown for the User field as it is. */
function noUserError(context: ILoadOptionsFunctions, expression?: string): NodeOperationError {
	if (expression !== undefined) {
		return new NodeOperationError(context.getNode(), 'The list shows the chosen user\'s vehicles, and the User is an expression', {
			description: `The User ${expression.trim()} is only known when the workflow runs. Choose Vehicle → By ID and map it too (e.g. {{ $json.vehicleId }}), or pick a User from its list first.`,
		});
	}
	return new NodeOperationError(context.getNode(), 'Choose the User first: the list shows that user\'s vehicles', {
		description: 'Pick a User from its list (or enter its ID), then open this list again. A vehicle of another user could not be read for this one.',
	});
}

/**
 * The Vehicle picker: the vehicles of the user in the User field (sent as `sc-user-id`), so a vehicle of another user
 * can never be picked. Where the User is only a filter (Connection → Get Many, Subscription → Get Many, Unsubscribe)
 * and left empty, every user's vehicles, each naming its user. An expression or an empty required User: an error that
 * says what to do, and no request.
 */
export async function searchVehicles(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const user = pickedId(this, 'userId', 'User ID');
	const everyone = user.kind === 'empty' && USER_OPTIONAL.has(currentOperation(this));
	if (user.kind === 'expression') throw noUserError(this, user.text);
	if (user.kind === 'empty' && !everyone) throw noUserError(this);
	const userId = user.kind === 'id' ? user.value : undefined;
	const client = await SmartcarClient.create(this);
	const connections = await listConnections(client, { userId, limit: MAX_LISTED });
	const seen = new Set<string>();
	const results: INodeListSearchItems[] = [];
	for (const connection of connections) {
		const { vehicleId } = connection;
		if (!vehicleId || seen.has(vehicleId)) continue;
		seen.add(vehicleId);
		const label = vehicleLabel(connection.vehicle);
		const owner = everyone && connection.userId ? `, user ${connection.userId}` : '';
		results.push({ name: label ? `${label} (${vehicleId}${owner})` : `${vehicleId}${owner ? ` (${owner.slice(2)})` : ''}`, value: vehicleId });
	}
	return { results: matching(results, filter) };
}
