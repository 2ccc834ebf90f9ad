import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { resourceOf } from '../../../shared/json-api';
import { asRecord, asString, isRecord, textIn, toSafeJson } from '../../../shared/values';
import { defineOperation, type SmartcarOperation } from '../operation';
import { requiredVehicleTarget, type VehicleTarget } from '../validation';

interface CommandSpec {
	/** The operation's name, echoed in the output item. */
	command: string;
	/** Path below `/vehicles/{id}/commands/`. */
	path: string;
	body?: IDataObject;
	/** What to read to learn whether the command ran, when its outcome is unknown (the request is sent once). */
	verifyHint: string;
}

/**
 * Sends a v3 command and describes its execution. 200 means done; 202 means Smartcar accepted it and it is still
 * running (`pending: true`). Commands return no new vehicle state: read a signal afterwards to see it.
 */
export async function runCommand(
	client: SmartcarClient,
	target: VehicleTarget,
	spec: CommandSpec,
	itemIndex: number,
): Promise<IDataObject> {
	const { userId, vehicleId } = target;
	const response = await client.request(
		{
			method: 'POST',
			path: `/vehicles/${encodeURIComponent(vehicleId)}/commands/${spec.path}`,
			userId,
			body: spec.body,
			verifyHint: spec.verifyHint,
		},
		itemIndex,
	);
	const data = resourceOf(response.body);
	const attributes = asRecord(data.attributes);
	const meta = asRecord(data.meta);
	return {
		vehicleId,
		userId,
		command: spec.command,
		id: asString(data.id) ?? null,
		commandType: asString(attributes.commandType) ?? null,
		status: textIn(attributes.status, 'value') ?? (response.status === 202 ? 'PENDING' : 'SUCCESS'),
		pending: response.status === 202,
		executionMode: asString(attributes.executionMode) ?? null,
		parameters: isRecord(attributes.parameters) ? toSafeJson(attributes.parameters) : (spec.body?.data ?? {}),
		executedAt: asString(meta.executedAt) ?? null,
		completedAt: asString(meta.completedAt) ?? null,
		durationInSeconds: typeof meta.durationInSeconds === 'number' ? meta.durationInSeconds : null,
		requestId: response.requestId ?? null,
	};
}

/**
 * The operation of a command that has only the User ID and Vehicle fields every command shares (Lock, Unlock, Start
 * Charge, Stop Charge), built from what tells the commands apart.
 */
export function commandWithoutFields(spec: CommandSpec): SmartcarOperation {
	return defineOperation({
		description: [],
		validate: requiredVehicleTarget,
		async execute(this: IExecuteFunctions, client: SmartcarClient, params: VehicleTarget, itemIndex: number): Promise<IDataObject> {
			return await runCommand(client, params, spec, itemIndex);
		},
	});
}
