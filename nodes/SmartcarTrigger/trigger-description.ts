import type { INodeProperties } from 'n8n-workflow';

import {
	CHECK_ON_PUBLISH_DESCRIPTION,
	CONNECT_REDIRECT_NOTICE,
	EXPECTED_STATE_NOTICE,
	EXPECTED_STATE_OPTIONAL_DESCRIPTION,
	EXPECTED_STATE_REQUIRED_DESCRIPTION,
	SUBSCRIPTION_NOTICE,
	VEHICLE_EVENTS_NOTICE,
} from './setup-texts';

/** The Smartcar Trigger's fields (its node class is SmartcarTrigger.node.ts; the texts are in setup-texts.ts). */

const vehicleEventsOnly = { show: { trigger: ['vehicleEvents'] } };
const connectRedirectOnly = { show: { trigger: ['connectRedirect'] } };
/**
 * The credential: always for vehicle events (management token), and for Connect redirects checked as "Signed" (its
 * client secret verifies the state). `stateCheck` is only displayed, so only set, in Connect Redirect mode: n8n drops
 * parameters that are not displayed before checking a credential's display options.
 */
export const credentialShown = { hide: { stateCheck: ['expectedValue', 'none'] } };

/** Connect Redirect's onward pages (Options), the same in every version. */
const onwardRedirectOptions: INodeProperties[] = [
	{
		displayName: 'Failure Redirect URL',
		name: 'failureRedirectUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/connect-failed',
		description: 'Send the driver here when Connect failed; by default a short page explains it',
	},
	{
		displayName: 'Success Redirect URL',
		name: 'successRedirectUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/connected',
		description: 'Send the driver here after connecting; by default a short confirmation page is shown',
	},
];

/**
 * Connect Redirect's Options. Versions 1 and 2 hold Expected State here (`redirectOptions.expectedState`, as saved
 * workflows have it); from version 3 on it is a field of its own under Check State.
 */
const redirectOptionsFields: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'redirectOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { '@version': [1, 2], trigger: ['connectRedirect'] } },
		options: [
			{
				displayName: 'Expected State',
				name: 'expectedState',
				type: 'string',
				default: '',
				description:
					'Only accept redirects whose State value (the one set in Get Authorization URL, not the signed text in the link) equals this; others are rejected and do not start the workflow. Required for Check State: Expected Value Only.',
			},
			...onwardRedirectOptions,
		],
	},
	{
		displayName: 'Options',
		name: 'redirectOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { '@version': [{ _cnd: { gte: 3 } }], trigger: ['connectRedirect'] } },
		options: onwardRedirectOptions,
	},
];

/**
 * Version 3: Expected State right under Check State, required for Expected Value Only (the only check there) and
 * optional for Signed (compared with the signed State value). One parameter name, `expectedState`, in both.
 */
const expectedStateFields: INodeProperties[] = [
	{
		displayName: 'Expected State',
		name: 'expectedState',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. campaign-7',
		description: EXPECTED_STATE_REQUIRED_DESCRIPTION,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 3 } }], trigger: ['connectRedirect'], stateCheck: ['expectedValue'] } },
	},
	{
		displayName: 'Expected State',
		name: 'expectedState',
		type: 'string',
		default: '',
		placeholder: 'e.g. campaign-7',
		description: EXPECTED_STATE_OPTIONAL_DESCRIPTION,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 3 } }], trigger: ['connectRedirect'], stateCheck: ['signed'] } },
	},
];

/** Every field of the trigger, in the order the editor shows them. */
export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Trigger On',
		name: 'trigger',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Connect Redirect',
				value: 'connectRedirect',
				description: 'A driver comes back from Smartcar Connect (use this URL as the Redirect URI)',
			},
			{
				name: 'Vehicle Events',
				value: 'vehicleEvents',
				description: 'Smartcar sends a webhook: vehicle state or vehicle error',
			},
		],
		default: 'vehicleEvents',
	},
	{
		displayName: VEHICLE_EVENTS_NOTICE,
		name: 'vehicleEventsNotice',
		type: 'notice',
		default: '',
		displayOptions: vehicleEventsOnly,
	},
	{
		displayName: SUBSCRIPTION_NOTICE,
		name: 'subscriptionNotice',
		type: 'notice',
		default: '',
		displayOptions: vehicleEventsOnly,
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: 'Vehicle Error', value: 'VEHICLE_ERROR', description: 'A signal or the vehicle stopped reporting, or recovered' },
			{ name: 'Vehicle State', value: 'VEHICLE_STATE', description: 'Subscribed signals changed or were refreshed' },
		],
		default: ['VEHICLE_STATE', 'VEHICLE_ERROR'],
		description: 'Other event types are acknowledged to Smartcar without starting the workflow',
		displayOptions: vehicleEventsOnly,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: vehicleEventsOnly,
		options: [
			{
				displayName: 'Check Smartcar Webhook on Publish',
				name: 'checkWebhookOnPublish',
				type: 'boolean',
				default: false,
				description: CHECK_ON_PUBLISH_DESCRIPTION,
			},
			{
				displayName: 'Ignore Repeated Deliveries',
				name: 'deduplicate',
				type: 'boolean',
				default: true,
				description:
					'Whether to start the workflow only once per event ID (or, for a delivery without one, per identical body) when Smartcar delivers an event again (it retries on timeouts and errors)',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'perEvent',
				options: [
					{ name: 'One Item per Event', value: 'perEvent', description: 'The event with its signals, triggers and errors' },
					{
						name: 'One Item per Signal',
						value: 'perSignal',
						description: 'Each signal as an item, still carrying event, user and vehicle',
					},
				],
			},
			{
				displayName: 'Respond',
				name: 'respond',
				type: 'options',
				default: 'onReceived',
				options: [
					{
						name: 'Immediately',
						value: 'onReceived',
						description:
							'Smartcar gets its 200 as soon as n8n has stored the execution (n8n 2.x), so an event is never lost once acknowledged: after a crash n8n recovers it. On n8n 1.x the 200 goes out just before the execution is stored: use When the Workflow Finishes there.',
					},
					{
						name: 'When the Workflow Finishes',
						value: 'lastNode',
						description:
							'Smartcar gets its 200 only after a successful run; a failed or interrupted run is answered with an error, and Smartcar delivers the event again (after 25, 50 and 100 s). The workflow must finish within Smartcar\'s 15 s, and its steps should tolerate running twice for one event ID.',
					},
				],
				description: 'When Smartcar is told that the event arrived. Smartcar retries only deliveries that did not get a 2xx.',
			},
			{
				displayName: 'Verify Signature',
				name: 'verifySignature',
				type: 'boolean',
				default: true,
				description:
					'Whether to reject deliveries without a valid SC-Signature. Turning this off is insecure: anyone who knows the URL could start the workflow with made-up data.',
			},
		],
	},
	{
		displayName: CONNECT_REDIRECT_NOTICE,
		name: 'connectRedirectNotice',
		type: 'notice',
		default: '',
		displayOptions: connectRedirectOnly,
	},
	{
		displayName: 'Check State',
		name: 'stateCheck',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Signed by Get Authorization URL',
				value: 'signed',
				description:
					'Only redirects from a link made by Connect → Get Authorization URL with the same credential for this trigger\'s URL, not expired and not used before',
			},
			{
				name: 'Expected Value Only',
				value: 'expectedValue',
				description:
					'For Connect links built outside n8n: only Expected State is compared. Anyone who knows one link can forge other users\' redirects, and replays are accepted.',
			},
			{
				name: 'None',
				value: 'none',
				description: 'Accepts anyone who calls this URL, with any user_id. Only for trying things out.',
			},
		],
		default: 'signed',
		description: 'Which redirects may start the workflow; others get an error page and start nothing',
		displayOptions: connectRedirectOnly,
	},
	{
		displayName: EXPECTED_STATE_NOTICE,
		name: 'expectedStateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [1, 2], trigger: ['connectRedirect'], stateCheck: ['expectedValue'] } },
	},
	...expectedStateFields,
	...redirectOptionsFields,
];
