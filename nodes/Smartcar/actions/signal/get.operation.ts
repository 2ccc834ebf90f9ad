import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { KNOWN_SIGNALS } from '../../../shared/signal-catalog';
import { resourceOf } from '../../../shared/json-api';
import { normalizeSignal, toSignalCode } from '../../../shared/signals';
import type { SmartcarClient } from '../../../shared/transport';
import { readOptionsCollection } from '../common.descriptions';
import { userIdFields, vehicleIdField } from '../id-fields';
import { requiredVehicleTarget, type VehicleTarget } from '../validation';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [
	...userIdFields(true),
	vehicleIdField,
	{
		displayName: 'Signal',
		name: 'signalCode',
		type: 'options',
		default: 'tractionbattery-stateofcharge',
		required: true,
		options: KNOWN_SIGNALS.map(({ code, name }) => ({ name, value: code })),
		description:
			'The signal to read. Any other Smartcar signal code (e.g. "charge-chargerate") or dotted name (e.g. "Charge.ChargeRate") can be given as an expression.',
	},
	readOptionsCollection(),
];

const description = updateDisplayOptions({ show: { resource: ['signal'], operation: ['get'] } }, properties);

interface GetSignalParams extends VehicleTarget {
	/** The lowercase signal code, e.g. "tractionbattery-stateofcharge". */
	code: string;
}

/** User, vehicle, and a signal code (or its dotted name) in Smartcar's code form. */
function validate(this: IExecuteFunctions, itemIndex: number): GetSignalParams {
	const target = requiredVehicleTarget.call(this, itemIndex);
	const input = String(this.getNodeParameter('signalCode', itemIndex, '') ?? '');
	const code = toSignalCode(input);
	if (code === undefined) {
		throw new NodeOperationError(this.getNode(), `Signal "${input}" in item ${itemIndex} is not a Smartcar signal code`, {
			itemIndex,
			description:
				'A signal code is lowercase "<group>-<name>", e.g. "tractionbattery-stateofcharge"; the dotted form "TractionBattery.StateOfCharge" is accepted too.',
		});
	}
	return { ...target, code };
}

/** One signal. To read several, use Get Many: Smartcar bills each signals call per vehicle. */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, vehicleId, code }: GetSignalParams,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await client.request(
		{
			method: 'GET',
			path: `/vehicles/${encodeURIComponent(vehicleId)}/signals/${encodeURIComponent(code)}`,
			userId,
		},
		itemIndex,
	);
	return { ...normalizeSignal(resourceOf(response.body), vehicleId), userId };
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
