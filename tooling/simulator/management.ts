/**
 * The Management API v3 routes under `/management/v3` (Smartcar's Management API reference): list and get webhooks;
 * create (202, asynchronous), list, get and delete subscriptions. Errors always take the v3 form. Authentication is
 * checked by the server before these run.
 */
import { errorResponse, errorSpecs, type ErrorSpec } from './errors';
import type { Fleet, VehicleMode } from './fleet';
import { findVehicle } from './fleet-state';
import { decodeSegments, type Reply, type RequestContext } from './http-utils';
import { isJsonObject, tryParseJson } from './json';
import { pagedBody, readPage, subscriptionResource, webhookResource } from './management-render';
import type { ManagementStore, SimSubscription, SimWebhook, SubscriptionRequest } from './management-store';

export const MANAGEMENT_PREFIX = '/management/v3';
const WEBHOOK_PAGE_SIZE = 50;
const SUBSCRIPTION_PAGE_SIZE = 25;

export interface ManagementEnvironment {
	store: ManagementStore;
	fleet: Fleet;
	/** Absolute base URL, e.g. http://127.0.0.1:7070/management/v3. */
	baseUrl: string;
	/** How long a 202 subscription stays in progress before it is listed. */
	subscriptionDelayMs: number;
}

type Handler = (context: RequestContext, env: ManagementEnvironment, match: string[]) => Reply;

function fail(context: RequestContext, spec: ErrorSpec): Reply {
	return errorResponse(spec, 'v3', context.requestId);
}

function isError(value: unknown): value is ErrorSpec {
	return isJsonObject(value) && typeof value.status === 'number' && typeof value.type === 'string';
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/** `filter[isEnabled]` / `filter[autoSubscribe]`: 'true', 'false', or absent. */
function booleanFilter(params: URLSearchParams, name: string): boolean | undefined | ErrorSpec {
	const value = params.get(name);
	if (value === null) return undefined;
	if (value === 'true' || value === 'false') return value === 'true';
	return errorSpecs.validation(`${name} must be "true" or "false".`);
}

function contains(value: string, filter: string | null): boolean {
	return filter === null || value.toLowerCase().includes(filter.toLowerCase());
}

function webhookFilter(params: URLSearchParams): ((webhook: SimWebhook) => boolean) | ErrorSpec {
	const isEnabled = booleanFilter(params, 'filter[isEnabled]');
	if (isError(isEnabled)) return isEnabled;
	const autoSubscribe = booleanFilter(params, 'filter[autoSubscribe]');
	if (isError(autoSubscribe)) return autoSubscribe;
	const name = params.get('filter[name]');
	const callbackUri = params.get('filter[callbackUri]');
	return (webhook) =>
		contains(webhook.name, name) &&
		contains(webhook.callbackUri, callbackUri) &&
		(isEnabled === undefined || webhook.isEnabled === isEnabled) &&
		(autoSubscribe === undefined || webhook.autoSubscribe === autoSubscribe);
}

const listWebhooks: Handler = (context, env) => {
	const filter = webhookFilter(context.params);
	if (isError(filter)) return fail(context, filter);
	const page = readPage(context.params, WEBHOOK_PAGE_SIZE);
	if (isError(page)) return fail(context, page);
	const webhooks = env.store.webhooks.filter(filter);
	const path = `${MANAGEMENT_PREFIX}/webhooks`;
	return { status: 200, body: pagedBody(webhooks, page, context.params, path, (w) => webhookResource(w, env.baseUrl)) };
};

const getWebhook: Handler = (context, env, [id]) => {
	const webhook = env.store.findWebhook(id);
	if (!webhook) return fail(context, errorSpecs.notFound(`Webhook ${id} was not found.`));
	return { status: 200, body: { data: webhookResource(webhook, env.baseUrl) } };
};

// ---------------------------------------------------------------------------------------------
// Subscriptions

const REQUIRED_ATTRIBUTES = ['webhookId', 'userId', 'vehicleId'] as const;

function readSubscriptionRequest(context: RequestContext): SubscriptionRequest | ErrorSpec {
	const body = tryParseJson(context.rawBody.toString('utf8'));
	const data = isJsonObject(body) ? body.data : undefined;
	const attributes = isJsonObject(data) ? data.attributes : undefined;
	if (!isJsonObject(attributes)) return errorSpecs.validation('The body must be { data: { attributes: { webhookId, userId, vehicleId } } }.');
	const missing = REQUIRED_ATTRIBUTES.filter((name) => typeof attributes[name] !== 'string' || attributes[name] === '');
	if (missing.length > 0) {
		return errorSpecs.validation(`Missing required attribute(s): ${missing.map((name) => `data.attributes.${name}`).join(', ')}.`);
	}
	const read = (name: (typeof REQUIRED_ATTRIBUTES)[number]) => String(attributes[name]);
	return { webhookId: read('webhookId'), userId: read('userId'), vehicleId: read('vehicleId') };
}

const createSubscription: Handler = (context, env) => {
	const request = readSubscriptionRequest(context);
	if (isError(request)) return fail(context, request);
	const refusal = env.store.requestSubscription(request, env.subscriptionDelayMs);
	if (refusal) return fail(context, refusal);
	return { status: 202, body: { meta: { message: 'subscription creation in progress' } } };
};

function subscriptionFilter(params: URLSearchParams, fleet: Fleet): ((s: SimSubscription) => boolean) | ErrorSpec {
	const mode = params.get('filter[vehicle.mode]');
	if (mode !== null && mode !== 'live' && mode !== 'simulated') {
		return errorSpecs.validation('filter[vehicle.mode] must be "live" or "simulated".');
	}
	const equal = (value: string, name: string) => {
		const filter = params.get(name);
		return filter === null || filter === value;
	};
	return (s) =>
		equal(s.userId, 'filter[userId]') &&
		equal(s.webhookId, 'filter[webhookId]') &&
		equal(s.vehicleId, 'filter[vehicleId]') &&
		(mode === null || findVehicle(fleet, s.vehicleId)?.mode === (mode as VehicleMode));
}

const listSubscriptions: Handler = (context, env) => {
	const filter = subscriptionFilter(context.params, env.fleet);
	if (isError(filter)) return fail(context, filter);
	const page = readPage(context.params, SUBSCRIPTION_PAGE_SIZE);
	if (isError(page)) return fail(context, page);
	const subscriptions = env.store.subscriptions().filter(filter);
	const path = `${MANAGEMENT_PREFIX}/subscriptions`;
	const render = (s: SimSubscription) => subscriptionResource(env.fleet, s, env.baseUrl);
	return { status: 200, body: pagedBody(subscriptions, page, context.params, path, render) };
};

const subscriptionNotFound = (id: string) => errorSpecs.notFound(`Subscription ${id} was not found.`);

const getSubscription: Handler = (context, env, [id]) => {
	const subscription = env.store.findSubscription(id);
	if (!subscription) return fail(context, subscriptionNotFound(id));
	return { status: 200, body: { data: subscriptionResource(env.fleet, subscription, env.baseUrl) } };
};

const deleteSubscription: Handler = (context, env, [id]) => {
	if (!env.store.removeSubscription(id)) return fail(context, subscriptionNotFound(id));
	return { status: 204 };
};

// ---------------------------------------------------------------------------------------------
// Dispatch

const SEGMENT = '([^/]+)';
const ROUTES: ReadonlyArray<{ method: string; pattern: RegExp; handler: Handler }> = [
	{ method: 'GET', pattern: /^\/webhooks$/, handler: listWebhooks },
	{ method: 'GET', pattern: new RegExp(`^/webhooks/${SEGMENT}$`), handler: getWebhook },
	{ method: 'POST', pattern: /^\/subscriptions$/, handler: createSubscription },
	{ method: 'GET', pattern: /^\/subscriptions$/, handler: listSubscriptions },
	{ method: 'GET', pattern: new RegExp(`^/subscriptions/${SEGMENT}$`), handler: getSubscription },
	{ method: 'DELETE', pattern: new RegExp(`^/subscriptions/${SEGMENT}$`), handler: deleteSubscription },
];

/** Routes a request whose path starts with `/management/v3`. */
export function handleManagementRequest(context: RequestContext, env: ManagementEnvironment): Reply {
	const path = context.path.slice(MANAGEMENT_PREFIX.length);
	for (const route of ROUTES) {
		const match = route.method === context.method ? route.pattern.exec(path) : null;
		const segments = match ? decodeSegments(match) : undefined;
		if (segments) return route.handler(context, env, segments);
	}
	return fail(context, errorSpecs.notFound(`No route for ${context.method} ${context.path}.`));
}
