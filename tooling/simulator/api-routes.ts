/**
 * The Vehicle API v3 routes, as in Smartcar's reference: vehicles, signals, connections, users and commands.
 * Authentication is checked by the server before these run.
 */
import { randomUUID } from 'crypto';

import { listConnections, type ConnectionsShape, type NextLinkForm } from './connections';
import { errorResponse, errorSpecs, type ErrorForm, type ErrorSpec } from './errors';
import { isElectric, type Fleet, type SimVehicle } from './fleet';
import { deleteUser, findConnection, findSignal, findVehicle, isConnected, setChargeLimit, setCharging, setLocked } from './fleet-state';
import { decodeSegments, type Reply, type RequestContext } from './http-utils';
import { isJsonObject, tryParseJson, type JsonObject } from './json';
import { commandPermission, lacksPermission, permissionDenied, signalPermission, VEHICLE_INFO_PERMISSION, withoutPermission } from './permissions';
import { connectionResource, includedVehicle, signalResource, vehicleDocument } from './render';

export type SingleSignalForm = 'wrapped' | 'flat';
export type CommandMode = 'sync' | 'async';

export interface ApiSettings {
	singleSignalForm: SingleSignalForm;
	errorForm: ErrorForm;
	commandMode: CommandMode;
	connectionsShape: ConnectionsShape;
	connectionsNextLink: NextLinkForm;
	cursorPageSize: number;
}

export interface ApiEnvironment {
	fleet: Fleet;
	settings: ApiSettings;
	/** Server origin, e.g. http://127.0.0.1:7070. */
	url: string;
	apiBaseUrl: string;
}

type Handler = (context: RequestContext, env: ApiEnvironment, match: string[]) => Reply;

interface Route {
	method: string;
	pattern: RegExp;
	handler: Handler;
}

export function errorReply(context: RequestContext, env: ApiEnvironment, spec: ErrorSpec): Reply {
	return errorResponse(spec, env.settings.errorForm, context.requestId);
}

function ok(body: JsonObject, status = 200): Reply {
	return { status, body };
}

const missingUserId = () => errorSpecs.validation('The sc-user-id header is required for this endpoint.');
const vehicleNotFound = (id: string) => errorSpecs.notFound(`Vehicle ${id} was not found.`);

/** The vehicle, or an error reply: 400 without a required sc-user-id, 404 when unknown or not the user's. */
function resolveVehicle(context: RequestContext, env: ApiEnvironment, id: string, userRequired: boolean): SimVehicle | Reply {
	if (userRequired && !context.userId) return errorReply(context, env, missingUserId());
	const vehicle = findVehicle(env.fleet, id);
	if (!vehicle) return errorReply(context, env, vehicleNotFound(id));
	if (context.userId && !isConnected(env.fleet, context.userId, id)) {
		return errorReply(context, env, vehicleNotFound(id));
	}
	return vehicle;
}

function isReply(value: SimVehicle | Reply): value is Reply {
	return 'status' in value;
}

// ---------------------------------------------------------------------------------------------
// Vehicles and signals

/** 403 PERMISSION when the user's connection to the vehicle lacks `permission`; undefined when it may go on. */
function permissionReply(context: RequestContext, env: ApiEnvironment, vehicle: SimVehicle, permission: string | undefined): Reply | undefined {
	return lacksPermission(env.fleet, context.userId, vehicle.id, permission) ? errorReply(context, env, permissionDenied()) : undefined;
}

const getVehicle: Handler = (context, env, [id]) => {
	const vehicle = resolveVehicle(context, env, id, false);
	if (isReply(vehicle)) return vehicle;
	return permissionReply(context, env, vehicle, VEHICLE_INFO_PERMISSION) ?? ok(vehicleDocument(vehicle, env.apiBaseUrl));
};

/** Every signal; those the user's connection has no permission for are PERMISSION errors without a value. */
const listSignals: Handler = (context, env, [id]) => {
	const vehicle = resolveVehicle(context, env, id, true);
	if (isReply(vehicle)) return vehicle;
	const count = vehicle.signals.length;
	const shown = vehicle.signals.map((signal) =>
		lacksPermission(env.fleet, context.userId, vehicle.id, signalPermission(signal.code)) ? withoutPermission(signal) : signal,
	);
	return ok({
		data: shown.map((signal) => signalResource(vehicle, signal, env.apiBaseUrl)),
		meta: { totalCount: count, pageSize: count, pageNumber: 1 },
		links: { self: `${env.apiBaseUrl}/vehicles/${vehicle.id}/signals` },
		included: includedVehicle(vehicle),
	});
};

const getSignal: Handler = (context, env, [id, code]) => {
	const vehicle = resolveVehicle(context, env, id, true);
	if (isReply(vehicle)) return vehicle;
	const signal = findSignal(vehicle, code);
	if (!signal) {
		const spec = errorSpecs.notFound(`Signal ${code} is not available for vehicle ${id}.`, 'SIGNAL_NOT_FOUND');
		return errorReply(context, env, spec);
	}
	const denied = permissionReply(context, env, vehicle, signalPermission(signal.code));
	if (denied) return denied;
	const resource = signalResource(vehicle, signal, env.apiBaseUrl);
	return ok(env.settings.singleSignalForm === 'flat' ? resource : { data: resource, included: includedVehicle(vehicle) });
};

// ---------------------------------------------------------------------------------------------
// Connections and users

const getConnections: Handler = (context, env) => {
	const result = listConnections(env.fleet, context.params, context.userId, {
		shape: env.settings.connectionsShape,
		nextLink: env.settings.connectionsNextLink,
		cursorPageSize: env.settings.cursorPageSize,
		url: env.url,
		apiBaseUrl: env.apiBaseUrl,
	});
	return result.ok ? ok(result.body) : errorReply(context, env, result.error);
};

const getConnection: Handler = (context, env, [id]) => {
	const connection = findConnection(env.fleet, id);
	if (!connection || (context.userId && connection.userId !== context.userId)) {
		return errorReply(context, env, errorSpecs.notFound(`Connection ${id} was not found.`));
	}
	return ok({ data: connectionResource(env.fleet, connection, env.apiBaseUrl) });
};

const removeUser: Handler = (context, env, [id]) => {
	if (!deleteUser(env.fleet, id)) return errorReply(context, env, errorSpecs.notFound(`User ${id} was not found.`));
	return { status: 204 };
};

// ---------------------------------------------------------------------------------------------
// Commands

type ParseResult = { ok: true; parameters?: JsonObject } | { ok: false; error: ErrorSpec };

interface CommandDefinition {
	commandType: string;
	electricOnly: boolean;
	parse: (context: RequestContext) => ParseResult;
	apply: (vehicle: SimVehicle, parameters: JsonObject | undefined, now: number) => void;
}

function parseChargeLimit(context: RequestContext): ParseResult {
	const body = tryParseJson(context.rawBody.toString('utf8'));
	const data = isJsonObject(body) ? body.data : undefined;
	const attributes = isJsonObject(data) ? data.attributes : undefined;
	const percent = isJsonObject(attributes) ? attributes.percent : undefined;
	if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
		return { ok: false, error: errorSpecs.validation('data.attributes.percent must be a number between 0 and 100.') };
	}
	return { ok: true, parameters: { percent } };
}

const noParameters = (): ParseResult => ({ ok: true });

const COMMANDS: Record<string, CommandDefinition> = {
	'security/lock': {
		commandType: 'security-lock',
		electricOnly: false,
		parse: noParameters,
		apply: (vehicle, _parameters, now) => setLocked(vehicle, true, now),
	},
	'security/unlock': {
		commandType: 'security-unlock',
		electricOnly: false,
		parse: noParameters,
		apply: (vehicle, _parameters, now) => setLocked(vehicle, false, now),
	},
	'charge/start': {
		commandType: 'charge-start',
		electricOnly: true,
		parse: noParameters,
		apply: (vehicle, _parameters, now) => setCharging(vehicle, true, now),
	},
	'charge/stop': {
		commandType: 'charge-stop',
		electricOnly: true,
		parse: noParameters,
		apply: (vehicle, _parameters, now) => setCharging(vehicle, false, now),
	},
	'charge/set-limit': {
		commandType: 'charge-set-limit',
		electricOnly: true,
		parse: parseChargeLimit,
		apply: (vehicle, parameters, now) => {
			const percent = parameters?.percent;
			if (typeof percent === 'number') setChargeLimit(vehicle, percent, now);
		},
	},
};

function commandExecution(definition: CommandDefinition, parameters: JsonObject | undefined, mode: CommandMode, now: number): JsonObject {
	const attributes: JsonObject = {
		commandType: definition.commandType,
		status: { value: mode === 'async' ? 'PENDING' : 'SUCCESS' },
		executionMode: mode,
	};
	if (parameters) attributes.parameters = parameters;
	const meta: JsonObject =
		mode === 'async'
			? { executedAt: new Date(now).toISOString(), completedAt: null, durationInSeconds: null }
			: {
					executedAt: new Date(now - 2_000).toISOString(),
					completedAt: new Date(now).toISOString(),
					durationInSeconds: 2,
				};
	return { data: { id: randomUUID(), type: 'command-execution', attributes, meta } };
}

/** Async mode answers 202 PENDING; the state change is applied at once either way. */
const runCommand: Handler = (context, env, [id, name]) => {
	const definition = COMMANDS[name];
	if (!definition) return errorReply(context, env, errorSpecs.notFound(`Unknown command: ${name}`));
	const vehicle = resolveVehicle(context, env, id, true);
	if (isReply(vehicle)) return vehicle;
	if (definition.electricOnly && !isElectric(vehicle)) return errorReply(context, env, errorSpecs.compatibility());
	const denied = permissionReply(context, env, vehicle, commandPermission(name));
	if (denied) return denied;
	const parsed = definition.parse(context);
	if (!parsed.ok) return errorReply(context, env, parsed.error);
	const now = Date.now();
	definition.apply(vehicle, parsed.parameters, now);
	const mode = env.settings.commandMode;
	return ok(commandExecution(definition, parsed.parameters, mode, now), mode === 'async' ? 202 : 200);
};

// ---------------------------------------------------------------------------------------------
// Dispatch

const SEGMENT = '([^/]+)';

const ROUTES: readonly Route[] = [
	{ method: 'GET', pattern: new RegExp(`^/v3/vehicles/${SEGMENT}$`), handler: getVehicle },
	{ method: 'GET', pattern: new RegExp(`^/v3/vehicles/${SEGMENT}/signals$`), handler: listSignals },
	{ method: 'GET', pattern: new RegExp(`^/v3/vehicles/${SEGMENT}/signals/${SEGMENT}$`), handler: getSignal },
	{ method: 'POST', pattern: new RegExp(`^/v3/vehicles/${SEGMENT}/commands/([a-z-]+/[a-z-]+)$`), handler: runCommand },
	{ method: 'GET', pattern: /^\/v3\/connections$/, handler: getConnections },
	{ method: 'GET', pattern: new RegExp(`^/v3/connections/${SEGMENT}$`), handler: getConnection },
	{ method: 'DELETE', pattern: new RegExp(`^/v3/users/${SEGMENT}$`), handler: removeUser },
];

export function handleApiRequest(context: RequestContext, env: ApiEnvironment): Reply {
	for (const route of ROUTES) {
		const match = route.method === context.method ? route.pattern.exec(context.path) : null;
		const segments = match ? decodeSegments(match) : undefined;
		if (segments) return route.handler(context, env, segments);
	}
	return errorReply(context, env, errorSpecs.notFound(`No route for ${context.method} ${context.path}.`));
}
