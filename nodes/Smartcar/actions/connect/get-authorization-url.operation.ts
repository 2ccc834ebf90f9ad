import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, randomString, updateDisplayOptions } from 'n8n-workflow';

import { connectTarget, MAX_LINK_VALIDITY_HOURS, MAX_STATE_VALUE_LENGTH, signConnectState } from '../../../shared/connect-state';
import { DEFAULT_PERMISSIONS, PERMISSIONS } from '../../../shared/permissions';
import type { SmartcarClient } from '../../../shared/transport';
import { checkWholeNumber } from '../validation';
import { versioned } from '../versions';
import { defineOperation } from '../operation';

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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI Smartcar could send a driver to safely: https, plain http only to this machine (development), or
 * the `sc<clientId>://` scheme Smartcar assigns to mobile apps; never credentials in the URL or a fragment.
 */
function unsafeRedirectReason(value: string, clientId: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'it is not an absolute URL';
	}
	if (url.username || url.password) return 'it contains a user name or password';
	if (url.hash) return 'it contains a "#" fragment, which Smartcar cannot append parameters to';
	if (url.protocol === 'https:') return undefined;
	if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'plain http is only allowed for localhost';
	if (clientId && url.protocol === `sc${clientId.toLowerCase()}:`) return undefined;
	return `the scheme "${url.protocol}" is not allowed`;
}

interface ConnectOptions {
	approvalPrompt?: unknown;
	flags?: unknown;
	linkExpiryHours?: unknown;
	make?: unknown;
	requiredScopes?: unknown;
	singleSelect?: unknown;
	singleSelectVin?: unknown;
	user?: unknown;
}

/** What `validate` read and checked for one item; `execute` builds the link from exactly this. */
interface AuthorizationUrlParams {
	redirectUri: string;
	/** The `scope` parameter (`required:` prefixes included), '' for none. */
	scope: string;
	mode: string;
	/** The builder's State, or undefined to use a random one. */
	state?: string;
	linkExpiryHours: number;
	/** Connect's optional parameters, in the order they go into the URL; only non-empty ones. */
	optional: Array<[string, string]>;
}

/** A mapped value as trimmed text: expressions may yield numbers, null or undefined. */
function text(value: unknown): string {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return '';
}

function list(value: unknown): string[] {
	const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
	return values.map(text).filter((entry) => entry !== '');
}

function refuse(this: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex, description });
}

function checkedRedirectUri(this: IExecuteFunctions, itemIndex: number, clientId: string): string {
	const redirectUri = text(this.getNodeParameter('redirectUri', itemIndex, ''));
	const reason = redirectUri === '' ? 'it is empty' : unsafeRedirectReason(redirectUri, clientId);
	if (reason) {
		throw refuse.call(
			this,
			itemIndex,
			`Redirect URI in item ${itemIndex} is not usable: ${reason}`,
			'Use an https URL registered in the Smartcar Dashboard (http only for localhost), e.g. the URL of a Smartcar Trigger set to "Connect Redirect".',
		);
	}
	return redirectUri;
}

function checkedState(this: IExecuteFunctions, itemIndex: number): string | undefined {
	const state = text(this.getNodeParameter('state', itemIndex, ''));
	if (state.length > MAX_STATE_VALUE_LENGTH) {
		throw refuse.call(
			this,
			itemIndex,
			`State in item ${itemIndex} is longer than ${MAX_STATE_VALUE_LENGTH} characters`,
			'The State travels inside the Connect link. Use a short reference (e.g. a customer or request ID) and look the rest up after the redirect.',
		);
	}
	return state === '' ? undefined : state;
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

/** Reads and checks one item's fields (no request): the redirect URI, the State's length and the link's validity. */
function validate(this: IExecuteFunctions, itemIndex: number, client: SmartcarClient): AuthorizationUrlParams {
	const redirectUri = checkedRedirectUri.call(this, itemIndex, client.clientId);
	const scopes = list(this.getNodeParameter('scopes', itemIndex, []));
	const mode = text(this.getNodeParameter('mode', itemIndex, 'live')) || 'live';
	const state = checkedState.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as ConnectOptions;
	const linkExpiryHours = checkedExpiryHours.call(this, itemIndex, options.linkExpiryHours);

	const required = list(options.requiredScopes);
	const scope = [...scopes.filter((s) => !required.includes(s)), ...required.map((s) => `required:${s}`)].join(' ');
	const optional: Array<[string, string]> = [
		['approval_prompt', text(options.approvalPrompt)],
		['make', text(options.make)],
		['single_select', options.singleSelect === true || text(options.singleSelect) === 'true' ? 'true' : ''],
		['single_select_vin', text(options.singleSelectVin)],
		['flags', text(options.flags)],
		['user', text(options.user)],
	];
	return { redirectUri, scope, mode, state, linkExpiryHours, optional: optional.filter(([, value]) => value !== '') };
}

/**
 * Builds the Smartcar Connect URL a driver opens to grant access. No API call is made. Its `state` is signed with
 * this credential's key (see shared/connect-state.ts): the builder's State (or a random one), a fresh nonce, an
 * expiry and the target (the Redirect URI's webhook path), so only the Smartcar Trigger at that URL accepts it. The output's `state` is the builder's value, which the Smartcar Trigger outputs again on the redirect.
 */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	params: AuthorizationUrlParams,
): Promise<IDataObject> {
	const value = params.state ?? randomString(24);
	const target = connectTarget(new URL(params.redirectUri).pathname);
	const signed = signConnectState(value, client.connectStateKey, params.linkExpiryHours * 3600, target);
	const query = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: params.redirectUri });
	if (params.scope) query.set('scope', params.scope);
	query.set('state', signed.state);
	query.set('mode', params.mode);
	for (const [name, optionValue] of params.optional) query.set(name, optionValue);

	return {
		url: `${client.endpoints.connectUrl}?${query.toString()}`,
		state: value,
		expiresAt: signed.expiresAt.toISOString(),
		redirectUri: params.redirectUri,
		scopes: params.scope === '' ? [] : params.scope.split(' '),
		mode: params.mode,
	};
}

export const operation = defineOperation({ description, validate, execute });
