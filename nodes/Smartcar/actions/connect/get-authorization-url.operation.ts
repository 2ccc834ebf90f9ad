import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { MAX_LINK_VALIDITY_HOURS, MAX_STATE_VALUE_LENGTH } from '../../../shared/connect-state';
import { DEFAULT_PERMISSIONS, PERMISSIONS } from '../../../shared/permissions';
import type { SmartcarClient } from '../../../shared/transport';
import { defineOperation } from '../operation';
import {
	checkBoolean,
	checkTextList,
	checkTrimmedText,
	checkWholeNumber,
	collection,
	oneOf,
	optionValue,
} from '../validation';
import { versioned } from '../versions';
import {
	APPROVAL_PROMPTS,
	buildAuthorizationUrl,
	CONNECT_MODES,
	scopeOf,
	unsafeRedirectReason,
	type AuthorizationUrlParams,
} from './authorization-url';

/** How long a Connect link works by default: a week, because links go out by email. */
const DEFAULT_LINK_EXPIRY_HOURS = 168;

const PERMISSION_OPTIONS = PERMISSIONS.map(({ value, name, description }) => ({ value, name, description }));

const PERMISSIONS_DESCRIPTION =
	'What the driver is asked to allow; each operation needs its own (see each permission\'s note). Leave empty to use the Vehicle Access settings of the Smartcar Dashboard.';

/** Permissions: version 1 asks only for Read Vehicle Info by default; version 2 for every read the examples make. */
const permissionsFields = versioned(
	{
		displayName: 'Permissions',
		name: 'scopes',
		type: 'multiOptions',
		options: PERMISSION_OPTIONS,
		default: ['read_vehicle_info'],
		description: PERMISSIONS_DESCRIPTION,
	},
	{
		displayName: 'Permissions',
		name: 'scopes',
		type: 'multiOptions',
		options: PERMISSION_OPTIONS,
		default: [...DEFAULT_PERMISSIONS],
		description: PERMISSIONS_DESCRIPTION,
		hint: 'The default covers reading make and model, battery, charge, fuel, location, odometer and lock state. Add Control Security to lock and unlock, Control Charge to start, stop or limit charging.',
	},
);

const properties: INodeProperties[] = [
	{
		displayName: 'Redirect URI',
		name: 'redirectUri',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://n8n.example.com/webhook/smartcar-connect',
		description:
			'Where Smartcar sends the driver back with their user_id. It must be registered under Redirect URIs in the Smartcar Dashboard. The link works only at the Smartcar Trigger with this URL (its Production URL, or its Test URL while testing).',
		hint: 'A Smartcar Trigger set to "Connect Redirect" shows the URL to use here',
	},
	...permissionsFields,
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'Live', value: 'live', description: 'Real vehicles' },
			{ name: 'Simulated', value: 'simulated', description: 'Smartcar\'s simulated vehicles, for development' },
		],
		default: 'live',
	},
	{
		displayName: 'State',
		name: 'state',
		type: 'string',
		default: '',
		description:
			'Your own value to tie the redirect to this request (e.g. a customer ID); the Smartcar Trigger outputs it as <code>state</code>. It travels signed with a one-time nonce and an expiry, so only this credential can produce a link the trigger accepts. Leave empty for a random one (it is in the output).',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Analytics Reference',
				name: 'user',
				type: 'string',
				default: '',
				placeholder: 'e.g. customer-4711',
				description:
					'Your own reference for the driver, shown in Smartcar\'s Connect analytics (Connect\'s "user" parameter). Not the Smartcar User ID: Smartcar assigns that, and the Smartcar Trigger outputs it as userId.',
			},
			{
				displayName: 'Approval Prompt',
				name: 'approvalPrompt',
				type: 'options',
				options: [
					{ name: 'Auto', value: 'auto', description: 'Skip the approval screen when access was already granted' },
					{ name: 'Force', value: 'force', description: 'Always show the approval screen' },
				],
				default: 'auto',
			},
			{
				displayName: 'Flags',
				name: 'flags',
				type: 'string',
				default: '',
				placeholder: 'e.g. country:DE',
				description: 'Space-separated key:value flags for Connect',
			},
			{
				displayName: 'Link Valid For (Hours)',
				name: 'linkExpiryHours',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_LINK_VALIDITY_HOURS, numberPrecision: 0 },
				default: DEFAULT_LINK_EXPIRY_HOURS,
				description:
					'How long the link works, in whole hours (1 to 720; default 168 = 7 days, for links sent by email). A Smartcar Trigger refuses a redirect after that, and every link works once.',
			},
			{
				displayName: 'Make',
				name: 'make',
				type: 'string',
				default: '',
				placeholder: 'e.g. TESLA',
				description: 'Skip the brand selector and go straight to this make',
			},
			{
				displayName: 'Required Permissions',
				name: 'requiredScopes',
				type: 'multiOptions',
				options: PERMISSION_OPTIONS,
				default: [],
				description: 'Permissions the driver cannot untick (sent with the "required:" prefix), e.g. the one an operation failed for',
			},
			{
				displayName: 'Single Vehicle',
				name: 'singleSelect',
				type: 'boolean',
				default: false,
				description: 'Whether the driver may connect only one vehicle',
			},
			{
				displayName: 'Single Vehicle VIN',
				name: 'singleSelectVin',
				type: 'string',
				default: '',
				description: 'Only the vehicle with this VIN may be connected (takes precedence over Make)',
			},
		],
	},
];

const description = updateDisplayOptions(
	{ show: { resource: ['connect'], operation: ['getAuthorizationUrl'] } },
	properties,
);

/** Reads the Redirect URI and refuses one Smartcar could not send a driver to safely (authorization-url.ts). */
function checkedRedirectUri(this: IExecuteFunctions, itemIndex: number, clientId: string): string {
	const redirectUri = checkTrimmedText(this, this.getNodeParameter('redirectUri', itemIndex, ''), 'Redirect URI', itemIndex) ?? '';
	const reason = unsafeRedirectReason(redirectUri, clientId);
	if (reason) {
		throw new NodeOperationError(this.getNode(), `Redirect URI in item ${itemIndex} is not usable: ${reason}`, {
			itemIndex,
			description:
				'Use an https URL registered in the Smartcar Dashboard (http only for localhost), e.g. the URL of a Smartcar Trigger set to "Connect Redirect".',
		});
	}
	return redirectUri;
}

/** The State trimmed, undefined when empty (a random one is used); at most MAX_STATE_VALUE_LENGTH. */
function checkedState(this: IExecuteFunctions, itemIndex: number): string | undefined {
	const state = checkTrimmedText(this, this.getNodeParameter('state', itemIndex, ''), 'State', itemIndex);
	if (state !== undefined && state.length > MAX_STATE_VALUE_LENGTH) {
		throw new NodeOperationError(this.getNode(), `State in item ${itemIndex} is longer than ${MAX_STATE_VALUE_LENGTH} characters`, {
			itemIndex,
			description:
				'The State travels inside the Connect link. Use a short reference (e.g. a customer or request ID) and look the rest up after the redirect.',
		});
	}
	return state;
}

/** Link Valid For (Hours): a whole number from 1 to MAX_LINK_VALIDITY_HOURS, a number or its text; default a week. */
function checkedExpiryHours(this: IExecuteFunctions, itemIndex: number, raw: unknown): number {
	if (raw === undefined || raw === null || raw === '') return DEFAULT_LINK_EXPIRY_HOURS;
	const rule = {
		label: 'Link Valid For (Hours)',
		min: 1,
		max: MAX_LINK_VALIDITY_HOURS,
		description: `Enter how many hours the Connect link works: ${DEFAULT_LINK_EXPIRY_HOURS} is 7 days, ${MAX_LINK_VALIDITY_HOURS} is 30 days.`,
	};
	return checkWholeNumber(this, raw, rule, itemIndex);
}

/** Connect's optional parameters from Options, in the order they go into the URL; only the ones given. */
function optionalParameters(this: IExecuteFunctions, options: IDataObject, itemIndex: number): Array<[string, string]> {
	const label = (name: string) => `Options → ${name}`;
	const singleSelect = checkBoolean(this, options.singleSelect, { label: label('Single Vehicle'), fallback: false }, itemIndex);
	const optional: Array<[string, string | undefined]> = [
		['approval_prompt', optionValue(this, options.approvalPrompt, { label: label('Approval Prompt'), allowed: APPROVAL_PROMPTS }, itemIndex)],
		['make', checkTrimmedText(this, options.make, label('Make'), itemIndex)],
		['single_select', singleSelect ? 'true' : undefined],
		['single_select_vin', checkTrimmedText(this, options.singleSelectVin, label('Single Vehicle VIN'), itemIndex)],
		['flags', checkTrimmedText(this, options.flags, label('Flags'), itemIndex)],
		['user', checkTrimmedText(this, options.user, label('Analytics Reference'), itemIndex)],
	];
	return optional.flatMap(([name, value]) => (value === undefined ? [] : [[name, value]]));
}

/** Reads and checks one item's fields (no request): every field through the validation readers. */
function validate(this: IExecuteFunctions, itemIndex: number, client: SmartcarClient): AuthorizationUrlParams {
	const redirectUri = checkedRedirectUri.call(this, itemIndex, client.clientId);
	const scopes = checkTextList(this, this.getNodeParameter('scopes', itemIndex, []), 'Permissions', itemIndex);
	const mode = oneOf(this, this.getNodeParameter('mode', itemIndex, 'live'), { label: 'Mode', allowed: CONNECT_MODES, fallback: 'live' }, itemIndex);
	const state = checkedState.call(this, itemIndex);
	const options = collection.call(this, 'options', 'Options', itemIndex);
	const linkExpiryHours = checkedExpiryHours.call(this, itemIndex, options.linkExpiryHours);
	const required = checkTextList(this, options.requiredScopes, 'Options → Required Permissions', itemIndex);
	const optional = optionalParameters.call(this, options, itemIndex);
	return { redirectUri, scope: scopeOf(scopes, required), mode, state, linkExpiryHours, optional };
}

/** Builds the Connect link (authorization-url.ts); no API call is made. */
async function execute(this: IExecuteFunctions, client: SmartcarClient, params: AuthorizationUrlParams): Promise<IDataObject> {
	return await Promise.resolve(buildAuthorizationUrl(client, params));
}

export const operation = defineOperation({ description, validate, execute });
