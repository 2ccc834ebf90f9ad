import type { INodeProperties } from 'n8n-workflow';

import { versioned } from './versions';

/**
 * The ID fields (user, vehicle, connection, subscription) and the node versions they differ in. Version 1 keeps the
 * plain text fields saved workflows have; from version 2 on the same parameter names are pickers (resource locators:
 * From List or By ID), which store `{ __rl, mode, value }` instead of text, hence the new version. Validation reads
 * either with `extractValue`, so both versions run the same code.
 */

interface PickerSpec {
	displayName: string;
	name: string;
	required: boolean;
	description: string;
	/** The listSearch method of From List. */
	searchListMethod: string;
	/** "user", "vehicle"… in the list's placeholder. */
	noun: string;
	/** An example ID for By ID's placeholder. */
	example: string;
	hint?: string;
}

/** A picker (resource locator): From List (the listSearch method, the default mode) or By ID (typed or mapped). */
function pickerField(spec: PickerSpec): INodeProperties {
	const field: INodeProperties = {
		displayName: spec.displayName,
		name: spec.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: spec.required,
		description: spec.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${spec.noun}…`,
				typeOptions: { searchListMethod: spec.searchListMethod, searchable: true },
			},
			{ displayName: 'By ID', name: 'id', type: 'string', placeholder: `e.g. ${spec.example}` },
		],
	};
	return spec.hint === undefined ? field : { ...field, hint: spec.hint };
}

const USER_EXAMPLE = '93b3b8b5-8c5f-4b4a-9a53-2b6c2f1f0c11';

const USER_ID_HINT = 'Smartcar user ID: from the Connect redirect (user_id), the Smartcar Trigger, or Connection → Get Many';

const USER_PICKER_HINT =
	'From List shows the users who connected a vehicle to the application. To use the user of an earlier node, choose By ID and map it, e.g. {{ $json.userId }}.';

/**
 * The user whose vehicles are meant (sent as `sc-user-id`): a text field in version 1, a picker of the application's
 * users from version 2 on. `description` says what the user is for in this operation.
 */
export function userIdFields(required: boolean, description?: string): INodeProperties[] {
	const text =
		description ??
		(required
			? 'The Smartcar user whose vehicle this is; sent as the sc-user-id header'
			: 'Only this user\'s connections (sent as the sc-user-id header). Leave empty for every user of the application.');
	return versioned(
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			required,
			placeholder: `e.g. ${USER_EXAMPLE}`,
			hint: USER_ID_HINT,
			description: text,
		},
		pickerField({
			displayName: 'User',
			name: 'userId',
			required,
			description: text,
			hint: USER_PICKER_HINT,
			searchListMethod: 'searchUsers',
			noun: 'user',
			example: USER_EXAMPLE,
		}),
	);
}

const VEHICLE_EXAMPLE = '36ab27d0-fd9d-4455-823a-ce30af709ffc';

/** The vehicle picker (every version): the chosen user's connected vehicles, or a vehicle ID. */
export const vehicleIdField: INodeProperties = {
	...pickerField({
		displayName: 'Vehicle',
		name: 'vehicleId',
		required: true,
		description: 'The vehicle, picked from the user\'s connected vehicles or given by its Smartcar vehicle ID',
		searchListMethod: 'searchVehicles',
		noun: 'vehicle',
		example: VEHICLE_EXAMPLE,
	}),
	// The list shows the chosen user's vehicles, so it is loaded again when the user changes (text in v1, picker from v2).
	typeOptions: { loadOptionsDependsOn: ['userId', 'userId.value'] },
};

/** Connection → Get Many's optional vehicle: text in version 1, the vehicle picker from version 2 on. */
export function vehicleFilterFields(description: string): INodeProperties[] {
	return versioned(
		{
			displayName: 'Vehicle ID',
			name: 'vehicleId',
			type: 'string',
			default: '',
			placeholder: `e.g. ${VEHICLE_EXAMPLE}`,
			description,
		},
		{ ...vehicleIdField, required: false, description },
	);
}

/** Connection → Get's connection: text in version 1, a picker of the application's connections from version 2 on. */
export function connectionIdFields(): INodeProperties[] {
	const example = '553c2c4a-9a3e-4a8c-8f1e-0c2d7f0b6a11';
	const description = 'The ID of a connection, as listed by Connection → Get Many';
	return versioned(
		{ displayName: 'Connection ID', name: 'connectionId', type: 'string', default: '', required: true, placeholder: `e.g. ${example}`, description },
		pickerField({
			displayName: 'Connection',
			name: 'connectionId',
			required: true,
			description: 'The connection (a user\'s vehicle), picked from the application\'s connections or given by its ID',
			searchListMethod: 'searchConnections',
			noun: 'connection',
			example,
		}),
	);
}

/** Subscription → Get's and Unsubscribe's subscription: text in version 1, a picker from version 2 on. */
export function subscriptionIdFields(): INodeProperties[] {
	const example = '0c4f1a3e-7b2d-4e8a-9f61-2d5c8b0a7e14';
	return versioned(
		{
			displayName: 'Subscription ID',
			name: 'subscriptionId',
			type: 'string',
			default: '',
			required: true,
			placeholder: `e.g. ${example}`,
			description: 'The ID of a subscription, as output by Subscription → Get Many or Subscribe (with Wait Until Active)',
		},
		pickerField({
			displayName: 'Subscription',
			name: 'subscriptionId',
			required: true,
			description: 'The subscription (a vehicle subscribed to a webhook), picked from the application\'s subscriptions or given by its ID',
			searchListMethod: 'searchSubscriptions',
			noun: 'subscription',
			example,
		}),
	);
}
