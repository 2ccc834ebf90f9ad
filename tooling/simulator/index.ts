/** Public API of the Smartcar simulator (test tooling). Usage examples: simulator.test.ts. */
export {
	startSimulator,
	DEFAULT_SETTINGS,
	type Simulator,
	type SimulatorOptions,
	type SimulatorSettings,
	type SimulatorStats,
	type RequestRecord,
	type FaultRule,
} from './server';
export {
	createFleet,
	demoFleet,
	seededUuid,
	isElectric,
	hasFuel,
	MAX_FLEET_VEHICLES,
	type Fleet,
	type FleetSpec,
	type FleetUserSpec,
	type PowertrainType,
	type VehicleMode,
	type TimestampForm,
	type SimUser,
	type SimVehicle,
	type SimConnection,
} from './fleet';
export {
	tick,
	findUser,
	findVehicle,
	findConnection,
	findSignal,
	isConnected,
	ownerOf,
	vehiclesOf,
	deleteUser,
	updateSignal,
	numberValue,
	booleanValue,
	chargeLimit,
	setLocked,
	setCharging,
	setChargeLimit,
} from './fleet-state';
export { setPermissions, signalPermission, commandPermission } from './permissions';
export { CODES, signalDefinition, type SimSignal, type SignalStatus, type SignalError, type SignalStatusValue } from './signals';
export {
	signBody,
	challengeAnswer,
	isValidVerifyAnswer,
	newDelivery,
	sendWebhook,
	type SendWebhookOptions,
	type WebhookResponse,
} from './webhook-http';
export {
	verifyPayload,
	vehicleStatePayload,
	vehicleErrorPayload,
	type WebhookForm,
	type WebhookMode,
	type TriggerType,
	type VehicleErrorKind,
	type VehicleStateOptions,
	type VehicleErrorOptions,
} from './webhooks';
export {
	DEFAULT_WEBHOOK_ID,
	DEFAULT_WEBHOOK_NAME,
	DEFAULT_CALLBACK_URI,
	type SimWebhook,
	type SimSubscription,
	type SubscriptionRequest,
} from './management-store';
export { MANAGEMENT_PREFIX } from './management';
export {
	deliverVehicleState,
	deliverVehicleError,
	deliverableVehicleIds,
	undeliverableReason,
	NotDeliverableError,
	type DeliveryOptions,
	type DeliveredStateOptions,
	type DeliveredErrorOptions,
} from './delivery';
export { WebhookPump } from './webhook-pump';
export { TokenBucket, describeRateLimit, type RateLimit, type RateLimitKind } from './rate-limits';
export { smartcarErrors, errorSpecs, errorResponse, v3ErrorBody, flatErrorBody, type ErrorForm, type ErrorSpec, type SimulatedResponse } from './errors';
export type { ConnectionsShape, NextLinkForm } from './connections';
export type { SingleSignalForm, CommandMode } from './api-routes';
export type { JsonValue, JsonObject } from './json';
export { startOtherOrigin, OTHER_ORIGIN_BODY, type OtherOrigin, type ReceivedRequest } from './other-origin';
export { runSimulatorCli, parseCliArgs, type CliOptions, type CliHandle } from './cli';
