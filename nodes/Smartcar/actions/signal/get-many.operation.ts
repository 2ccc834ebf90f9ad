import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { MAX_SIGNAL_PAGES, normalizeSignal, readSignalsPage, toVehicleSignalMap } from '../../../shared/signals';
import { listPages, type SmartcarClient } from '../../../shared/transport';
import { asRecord, isRecord, toSafeJson } from '../../../shared/values';
import { requestsInFlightOption } from '../common.descriptions';
import { userIdFields, vehicleIdField } from '../id-fields';
import { oneOf, requiredVehicleTarget, type VehicleTarget } from '../validation';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [
	...userIdFields(true),
	vehicleIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'perSignal',
				options: [
					{
						name: 'One Item per Signal',
						value: 'perSignal',
						description: '{vehicleId, code, name, group, value, unit, status, retrievedAt, …} for each signal',
					},
					{
						name: 'One Item per Vehicle',
						value: 'perVehicle',
						description: 'One item with code → value, code → unit and code → error maps',
					},
					{
						name: 'Raw Smartcar Response',
						value: 'raw',
						description: 'The response body exactly as Smartcar sent it',
					},
				],
			},
			requestsInFlightOption,
		],
	},
];

const description = updateDisplayOptions({ show: { resource: ['signal'], operation: ['getAll'] } }, properties);

const OUTPUTS = ['perSignal', 'perVehicle', 'raw'] as const;

interface GetManySignalsParams extends VehicleTarget {
	output: (typeof OUTPUTS)[number];
}

/** User, vehicle, and the Output option (one of its listed values; One Item per Signal when not set). */
function validate(this: IExecuteFunctions, itemIndex: number): GetManySignalsParams {
	const target = requiredVehicleTarget.call(this, itemIndex);
	const options: unknown = this.getNodeParameter('options', itemIndex, {});
	const given = isRecord(options) ? options.output : undefined;
	const output = oneOf(this, given, { label: 'Output', allowed: OUTPUTS, fallback: 'perSignal' }, itemIndex);
	return { ...target, output };
}

/**
 * Every signal of the vehicle in one `GET /vehicles/{id}/signals`, read by the pager when Smartcar pages it (its
 * `links.next`, at most MAX_SIGNAL_PAGES pages); Raw Smartcar Response is the first answer as it came.
 */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, vehicleId, output }: GetManySignalsParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	const path = `/vehicles/${encodeURIComponent(vehicleId)}/signals`;
	if (output === 'raw') {
		const response = await client.request({ method: 'GET', userId, path }, itemIndex);
		return [asRecord(toSafeJson(response.body)) as IDataObject];
	}
	const list = { path, userId, read: readSignalsPage, pageParameters: false, maxPages: MAX_SIGNAL_PAGES };
	const raw = await listPages(client, list, itemIndex);
	const signals = raw.map((signal) => ({ ...normalizeSignal(signal, vehicleId), userId }));
	if (output === 'perVehicle') return [toVehicleSignalMap(vehicleId, userId, signals)];
	return signals;
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
