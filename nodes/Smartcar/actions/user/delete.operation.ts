import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { userIdField } from '../common.descriptions';
import { requiredId } from '../validation';

const properties: INodeProperties[] = [
	{
		...userIdField(true),
		description: 'The Smartcar user to remove: all of their connections and data are purged. This cannot be undone.',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, client: SmartcarClient, itemIndex: number): Promise<IDataObject> {
	const userId = requiredId.call(this, 'userId', 'User ID', itemIndex);
	const response = await client.request({ method: 'DELETE', path: `/users/${encodeURIComponent(userId)}`, userId }, itemIndex);
	return { userId, deleted: true, requestId: response.requestId ?? null };
}
