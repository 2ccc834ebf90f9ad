import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { flagOf, optionIn, textListOf } from '../shared/parameters';
import { asRecord, asString } from '../shared/values';

/**
 * The trigger's fields, read through the typed readers of shared/parameters.ts. A webhook answers HTTP requests and
 * has no item to fail, so a value a field does not offer falls back to the field's safe default (the one the editor
 * starts with; for Verify Signature and Ignore Repeated Deliveries, on).
 */

type TriggerContext = IWebhookFunctions | IHookFunctions;

const TRIGGER_ON = ['vehicleEvents', 'connectRedirect'] as const;
const OUTPUTS = ['perEvent', 'perSignal'] as const;
const STATE_CHECKS = ['signed', 'expectedValue', 'none'] as const;
const DEFAULT_EVENTS = ['VEHICLE_STATE', 'VEHICLE_ERROR'];

/** Trigger On: what the webhook receives. */
export function triggerOn(context: TriggerContext): (typeof TRIGGER_ON)[number] {
	return optionIn(context.getNodeParameter('trigger', 'vehicleEvents'), TRIGGER_ON) ?? 'vehicleEvents';
}

/** Vehicle Events → Options. */
export interface VehicleEventOptions {
	output: (typeof OUTPUTS)[number];
	deduplicate: boolean;
	verifySignature: boolean;
	checkWebhookOnPublish: boolean;
}

export function vehicleEventOptions(context: TriggerContext): VehicleEventOptions {
	const options = asRecord(context.getNodeParameter('options', {}));
	return {
		output: optionIn(options.output, OUTPUTS) ?? 'perEvent',
		deduplicate: flagOf(options.deduplicate, true),
		verifySignature: flagOf(options.verifySignature, true),
		checkWebhookOnPublish: flagOf(options.checkWebhookOnPublish, false),
	};
}

/**
 * Vehicle Events → Events: the event types that start the workflow (a mapped text may list them). A value that is no
 * list of event types falls back to the field's default, never to "none": an event answered "ignored" is gone for good.
 */
export function selectedEvents(context: IWebhookFunctions): string[] {
	const raw: unknown = context.getNodeParameter('events', DEFAULT_EVENTS);
	if (raw === null || raw === undefined) return DEFAULT_EVENTS;
	return textListOf(raw) ?? DEFAULT_EVENTS;
}

/** Connect Redirect → Check State. */
export function stateCheckOf(context: IWebhookFunctions): (typeof STATE_CHECKS)[number] {
	return optionIn(context.getNodeParameter('stateCheck', 'signed'), STATE_CHECKS) ?? 'signed';
}

/** Connect Redirect → Options (Expected State: versions 1 and 2 only; version 3 has a field of its own). */
export interface RedirectOptions {
	successRedirectUrl?: string;
	failureRedirectUrl?: string;
	expectedState?: string;
}

export function redirectOptions(context: IWebhookFunctions): RedirectOptions {
	const options = asRecord(context.getNodeParameter('redirectOptions', {}));
	return {
		successRedirectUrl: asString(options.successRedirectUrl),
		failureRedirectUrl: asString(options.failureRedirectUrl),
		expectedState: asString(options.expectedState),
	};
}
