import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { connectionOf } from '../../../shared/connections';
import type { SmartcarClient } from '../../../shared/transport';
import { requiredId } from '../validation';
import { readOptionsCollection } from '../common.descriptions';
import { connectionIdFields } from '../id-fields';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [...connectionIdFields(), readOptionsCollection()];

const description = updateDisplayOptions({ show: { resource: ['connection'], operation: ['get'] } }, properties);

interface GetConnectionParams {
	connectionId: string;
}

function validate(this: IExecuteFunctions, itemIndex: number): GetConnectionParams {
	return { connectionId: requiredId.call(this, 'connectionId', 'Connection ID', itemIndex) };
}

async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ connectionId }: GetConnectionParams,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await client.request(
		{ method: 'GET', path: `/connections/${encodeURIComponent(connectionId)}` },
		itemIndex,
	);
	return connectionOf(response.body);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
