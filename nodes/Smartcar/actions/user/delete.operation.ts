import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { userIdFields } from '../id-fields';
import { requiredId } from '../validation';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = userIdFields(
	true,
	'The Smartcar user to remove: all of their connections and data are purged. This cannot be undone.',
);

const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['delete'] } }, properties);

interface DeleteUserParams {
	userId: string;
}

function validate(this: IExecuteFunctions, itemIndex: number): DeleteUserParams {
	return { userId: requiredId.call(this, 'userId', 'User ID', itemIndex) };
}

/** `DELETE /users/{id}`, sent once: if its outcome is unknown, the error says how to find out. */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId }: DeleteUserParams,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await client.request(
		{
			method: 'DELETE',
			path: `/users/${encodeURIComponent(userId)}`,
			userId,
			verifyHint: 'List Connection → Get Many for this user to see whether the user still exists.',
		},
		itemIndex,
	);
	return { userId, deleted: true, requestId: response.requestId ?? null };
}

export const operation = defineOperation({ description, validate, execute });
