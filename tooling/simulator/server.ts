/**
 * A real HTTP server on 127.0.0.1 that behaves like Smartcar: the client-credentials token endpoint,
 * the Vehicle API v3, the Management API v3 (webhooks, subscriptions) and a stand-in Connect page, with fault
 * injection, Smartcar's rate limits (off by default), latency with seeded jitter and request statistics.
 */
import { randomUUID } from 'crypto';
import http from 'http';
import type { AddressInfo } from 'net';

import { handleApiRequest, type ApiSettings, type CommandMode, type SingleSignalForm } from './api-routes';
import { handleTokenRequest, MAX_CLIENT_SECRETS, TokenStore } from './auth';
import { connectPage } from './connect-page';
import type { ConnectionsShape, NextLinkForm } from './connections';
import { errorResponse, errorSpecs, type ErrorForm } from './errors';
import { demoFleet, tick, type Fleet } from './fleet';
import {
	bearerToken,
	BodyTooLargeError,
	Delays,
	headerValue,
	readBody,
	writeReply,
	type Reply,
	type RequestContext,
} from './http-utils';
import { Latency } from './latency';
import { handleManagementRequest, MANAGEMENT_PREFIX } from './management';
import { ManagementStore, type SimSubscription, type SimWebhook } from './management-store';
import { RateLimiter, rateLimitReply, validateRateLimit, vehicleIdOf, type RateLimit } from './rate-limits';

export interface SimulatorSettings {
	clientId: string;
	/** Up to 3 valid at once (Smartcar's rotation). Removing a secret invalidates its tokens at once. */
	clientSecrets: string[];
	managementToken: string;
	tokenLifetimeSeconds: number;
	/** Delay before every response. */
	latencyMs: number;
	/** Each delay is latencyMs moved uniformly by up to ± this many ms, never below 0 (default 0: none). */
	latencyJitterMs: number;
	/** Seed of the jitter's random numbers (same seed, same order of requests: same delays). Setting it restarts them. */
	latencySeed: number;
	/**
	 * Smartcar's application limit over Vehicle API and Management API requests (not the token endpoint, not requests
	 * refused with 401): a token bucket answering 429 RATE_LIMIT:SMARTCAR_API with `retry-after`. null (default): off.
	 * Setting it, even to the same value, starts the bucket full.
	 */
	applicationRateLimit: RateLimit | null;
	/**
	 * A token bucket per vehicle ID for `/v3/vehicles/{id}/…`, answering 429 RATE_LIMIT:VEHICLE with `retry-after`.
	 * null (default): off. Setting it, even to the same value, starts every vehicle's bucket full.
	 */
	vehicleRateLimit: RateLimit | null;
	/**
	 * The clock the rate limits read, in ms (default Date.now). Specs pass a fake one to move time without sleeping;
	 * setting it starts every bucket full. Latency still waits in real time.
	 */
	now: () => number;
	connectionsShape: ConnectionsShape;
	connectionsNextLink: NextLinkForm;
	/** Shape A page size. */
	cursorPageSize: number;
	singleSignalForm: SingleSignalForm;
	errorForm: ErrorForm;
	/** async: commands answer 202 with status PENDING. */
	commandMode: CommandMode;
	/** Cap of stats.requests. */
	requestLogLimit: number;
	/** How long a subscription answered with 202 stays in progress before it is active and listed (default 0). */
	subscriptionDelayMs: number;
}

export interface SimulatorOptions extends Partial<SimulatorSettings> {
	/** Default 0: a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Default demoFleet(). */
	fleet?: Fleet;
}

export interface FaultRule {
	method?: string;
	/** Exact pathname, or a pattern tested against the pathname. */
	path: string | RegExp;
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** How many matching requests get this answer (default 1). */
	times?: number;
	/**
	 * Instead of answering: `drop` reads the whole request, then closes the connection without a response (the
	 * client sees a reset after sending: it cannot know whether the request ran); `trickle` sends the status line
	 * and then one byte of body every `trickleIntervalMs` (default 200) and never finishes (an idle timeout never
	 * fires; only a total deadline ends the request). Both are recorded in stats with status 0.
	 */
	mode?: 'drop' | 'trickle';
	trickleIntervalMs?: number;
	/**
	 * Only requests carrying a token the simulator accepts get this answer; others get the usual 401. Smartcar
	 * authenticates a request before the automaker sees it, so a 5xx of the automaker comes only after that.
	 */
	authenticated?: boolean;
}

export interface RequestRecord {
	method: string;
	path: string;
	query: Record<string, string>;
	userId?: string;
	status: number;
	token?: string;
	/** How long the answer was held (latencyMs ± jitter); 0 for drop and trickle faults. */
	delayMs: number;
}

export interface SimulatorStats {
	/** Successful token exchanges. */
	tokenExchanges: number;
	/** Token requests answered with anything but 200. */
	failedTokenExchanges: number;
	/** Requests to /v3/…, whatever their outcome. */
	apiRequests: number;
	/** Every request, oldest first, capped at requestLogLimit. */
	requests: RequestRecord[];
	/**
	 * Requests the rate limits refused with a 429 (counted when refused; the answer then waits out the latency like any
	 * other): RATE_LIMIT:SMARTCAR_API (application) and RATE_LIMIT:VEHICLE (vehicle).
	 */
	rateLimited: { application: number; vehicle: number };
}

export interface Simulator {
	readonly url: string;
	readonly apiBaseUrl: string;
	readonly tokenUrl: string;
	readonly connectUrl: string;
	/** `${url}/management/v3`: the Management API (same tokens as the Vehicle API). */
	readonly managementApiUrl: string;
	readonly fleet: Fleet;
	readonly stats: SimulatorStats;
	readonly settings: Readonly<SimulatorSettings>;
	/** The application's webhooks, oldest first; one is seeded (DEFAULT_WEBHOOK_ID). Fields may be changed in place. */
	readonly webhooks: SimWebhook[];
	/** The active subscriptions, oldest first (a 202 request shows up here after `subscriptionDelayMs`). */
	readonly subscriptions: SimSubscription[];
	/** Adds a webhook (defaults: new id, enabled, not auto-subscribe). Throws on an unknown signal code. */
	addWebhook(partial?: Partial<SimWebhook>): SimWebhook;
	/** Removes every webhook, the seeded one too, and so every subscription. */
	clearWebhooks(): void;
	/** Subscribes a vehicle at once, without a request (spec setup); the user defaults to the vehicle's owner. */
	subscribe(webhookId: string, vehicleId: string, userId?: string): SimSubscription;
	/** Removes every subscription, active or in progress. */
	clearSubscriptions(): void;
	/** Back to the seeded default webhook and no subscriptions (subscriptionDelayMs is a setting: setOptions). */
	resetManagement(): void;
	/**
	 * Whether events of this vehicle go to this webhook: an active subscription (an enabled auto-subscribe webhook
	 * subscribes every connected vehicle). Whether the webhook is enabled is not part of it.
	 */
	isSubscribed(webhookId: string, vehicleId: string): boolean;
	resetStats(): void;
	/**
	 * Tokens in the application bucket now (without a vehicle ID) or in that vehicle's bucket (full for a vehicle not
	 * seen yet), fractional while refilling; undefined when that limit is off. Reads the `now` setting's clock.
	 */
	rateLimitLevel(vehicleId?: string): number | undefined;
	/** Every token issued so far becomes invalid (401). */
	expireTokens(): void;
	setOptions(partial: Partial<SimulatorSettings>): void;
	/** Serve this answer instead of the normal one (checked before authentication). */
	failNext(rule: FaultRule): void;
	clearFaults(): void;
	/** A valid token without an HTTP exchange (not counted in stats). */
	issueToken(): string;
	/** Evolves the fleet one step. */
	tick(): void;
	close(): Promise<void>;
}

export const DEFAULT_SETTINGS: Readonly<SimulatorSettings> = {
	clientId: 'demo-client-id',
	clientSecrets: ['demo-client-secret'],
	managementToken: 'demo-management-token',
	tokenLifetimeSeconds: 3600,
	latencyMs: 0,
	latencyJitterMs: 0,
	latencySeed: 1,
	applicationRateLimit: null,
	vehicleRateLimit: null,
	now: () => Date.now(),
	connectionsShape: 'B',
	connectionsNextLink: 'relative',
	cursorPageSize: 100,
	singleSignalForm: 'wrapped',
	errorForm: 'v3',
	commandMode: 'sync',
	requestLogLimit: 10_000,
	subscriptionDelayMs: 0,
};

const MAX_FAULT_RULES = 100;
const TOKEN_PATH = '/oauth2/token';
const CONNECT_PATH = '/oauth/authorize';

function validateSettings(settings: SimulatorSettings): void {
	const secrets = settings.clientSecrets;
	if (secrets.length < 1 || secrets.length > MAX_CLIENT_SECRETS) {
		throw new Error(`clientSecrets must hold 1 to ${MAX_CLIENT_SECRETS} secrets`);
	}
	if (!(settings.tokenLifetimeSeconds > 0)) throw new Error('tokenLifetimeSeconds must be positive');
	if (!(settings.latencyMs >= 0)) throw new Error('latencyMs must be 0 or more');
	if (!(settings.cursorPageSize >= 1 && settings.cursorPageSize <= 100)) throw new Error('cursorPageSize must be 1..100');
	if (!(settings.requestLogLimit >= 1)) throw new Error('requestLogLimit must be at least 1');
	if (!(settings.subscriptionDelayMs >= 0)) throw new Error('subscriptionDelayMs must be 0 or more');
	if (!(Number.isFinite(settings.latencyJitterMs) && settings.latencyJitterMs >= 0)) throw new Error('latencyJitterMs must be 0 or more');
	if (!Number.isFinite(settings.latencySeed)) throw new Error('latencySeed must be a number');
	if (typeof settings.now !== 'function') throw new Error('now must be a function returning milliseconds');
	validateRateLimit('applicationRateLimit', settings.applicationRateLimit);
	validateRateLimit('vehicleRateLimit', settings.vehicleRateLimit);
}

interface ActiveFault {
	method?: string;
	path: string | RegExp;
	reply: Reply;
	remaining: number;
	mode?: 'drop' | 'trickle';
	trickleIntervalMs: number;
	authenticated: boolean;
}

function toActiveFault(rule: FaultRule): ActiveFault {
	const times = rule.times ?? 1;
	if (!(times >= 1)) throw new Error('failNext: times must be at least 1');
	const path = typeof rule.path === 'string' ? rule.path : new RegExp(rule.path.source, rule.path.flags.replace(/[gy]/g, ''));
	return {
		method: rule.method?.toUpperCase(),
		path,
		reply: { status: rule.status, body: rule.body, headers: { ...(rule.headers ?? {}) } },
		remaining: times,
		mode: rule.mode,
		trickleIntervalMs: rule.trickleIntervalMs ?? 200,
		authenticated: rule.authenticated === true,
	};
}

/** Drops keys set to undefined so they do not override defaults. */
function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
	return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function emptyStats(): SimulatorStats {
	return { tokenExchanges: 0, failedTokenExchanges: 0, apiRequests: 0, requests: [], rateLimited: { application: 0, vehicle: 0 } };
}

class SimulatorServer implements Simulator {
	readonly url: string;
	readonly apiBaseUrl: string;
	readonly tokenUrl: string;
	readonly connectUrl: string;
	readonly managementApiUrl: string;
	readonly stats = emptyStats();
	private current: SimulatorSettings;
	private readonly management: ManagementStore;
	private readonly tokens = new TokenStore();
	private readonly delays = new Delays();
	private readonly limiter = new RateLimiter();
	private readonly latency: Latency;
	private faults: ActiveFault[] = [];
	private readonly trickles = new Set<http.ServerResponse>();
	private closing: Promise<void> | undefined;

	constructor(
		private readonly server: http.Server,
		readonly fleet: Fleet,
		settings: SimulatorSettings,
	) {
		const address = server.address() as AddressInfo;
		this.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
		this.apiBaseUrl = `${this.url}/v3`;
		this.tokenUrl = `${this.url}${TOKEN_PATH}`;
		this.connectUrl = `${this.url}${CONNECT_PATH}`;
		this.managementApiUrl = `${this.url}${MANAGEMENT_PREFIX}`;
		this.management = new ManagementStore(fleet);
		this.current = settings;
		this.latency = new Latency(settings.latencySeed);
		this.limiter.setApplicationLimit(settings.applicationRateLimit, settings.now());
		this.limiter.setVehicleLimit(settings.vehicleRateLimit);
		server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
			void this.handle(request, response);
		});
	}

	get settings(): Readonly<SimulatorSettings> {
		return this.current;
	}

	get webhooks(): SimWebhook[] {
		return this.management.webhooks;
	}

	get subscriptions(): SimSubscription[] {
		return this.management.subscriptions();
	}

	addWebhook(partial: Partial<SimWebhook> = {}): SimWebhook {
		return this.management.addWebhook(partial);
	}

	clearWebhooks(): void {
		this.management.clearWebhooks();
	}

	subscribe(webhookId: string, vehicleId: string, userId?: string): SimSubscription {
		return this.management.subscribe(webhookId, vehicleId, userId);
	}

	clearSubscriptions(): void {
		this.management.clearSubscriptions();
	}

	resetManagement(): void {
		this.management.reset();
	}

	isSubscribed(webhookId: string, vehicleId: string): boolean {
		return this.management.isSubscribed(webhookId, vehicleId);
	}

	resetStats(): void {
		Object.assign(this.stats, emptyStats());
	}

	rateLimitLevel(vehicleId?: string): number | undefined {
		return this.limiter.level(this.current.now(), vehicleId);
	}

	expireTokens(): void {
		this.tokens.expireAll();
	}

	setOptions(partial: Partial<SimulatorSettings>): void {
		const next = { ...this.current, ...definedOnly(partial) };
		next.clientSecrets = [...next.clientSecrets];
		validateSettings(next);
		this.current = next;
		const clockChanged = partial.now !== undefined;
		if (partial.applicationRateLimit !== undefined || clockChanged) this.limiter.setApplicationLimit(next.applicationRateLimit, next.now());
		if (partial.vehicleRateLimit !== undefined || clockChanged) this.limiter.setVehicleLimit(next.vehicleRateLimit);
		if (partial.latencySeed !== undefined) this.latency.reseed(next.latencySeed);
	}

	failNext(rule: FaultRule): void {
		if (this.faults.length >= MAX_FAULT_RULES) throw new Error(`At most ${MAX_FAULT_RULES} pending fault rules`);
		this.faults.push(toActiveFault(rule));
	}

	clearFaults(): void {
		this.faults = [];
	}

	issueToken(): string {
		const { clientId, clientSecrets, tokenLifetimeSeconds } = this.current;
		return this.tokens.issue(clientId, clientSecrets[0], tokenLifetimeSeconds);
	}

	tick(): void {
		tick(this.fleet);
	}

	close(): Promise<void> {
		this.closing ??= new Promise((resolve) => {
			this.delays.cancelAll();
			for (const response of this.trickles) response.destroy();
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
		return this.closing;
	}

	// -------------------------------------------------------------------------------------------

	private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		const requestId = randomUUID();
		try {
			const context = await this.readContext(request, requestId);
			const fault = typeof context === 'string' ? undefined : this.takeFault(context);
			if (fault?.mode) {
				this.record(request, 0, 0);
				this.misbehave(fault, response);
				return;
			}
			const reply = fault?.reply ?? (typeof context === 'string' ? this.tooLarge(requestId) : this.answer(context));
			const delayMs = this.latency.next(this.current.latencyMs, this.current.latencyJitterMs);
			await this.delays.wait(delayMs);
			if (this.closing) return;
			writeReply(response, reply, requestId);
			this.record(request, reply.status, delayMs);
		} catch {
			// e.g. an invalid header value in a fault rule: never let one request crash the test process.
			response.destroy();
		}
	}

	private async readContext(request: http.IncomingMessage, requestId: string): Promise<RequestContext | 'too-large'> {
		const url = new URL(request.url ?? '/', 'http://simulator.invalid');
		let rawBody: Buffer;
		try {
			rawBody = await readBody(request);
		} catch (error: unknown) {
			if (error instanceof BodyTooLargeError) return 'too-large';
			rawBody = Buffer.alloc(0);
		}
		return {
			method: (request.method ?? 'GET').toUpperCase(),
			path: url.pathname,
			params: url.searchParams,
			headers: request.headers,
			userId: headerValue(request.headers, 'sc-user-id'),
			token: bearerToken(request.headers),
			rawBody,
			requestId,
		};
	}

	private tooLarge(requestId: string): Reply {
		return errorResponse(errorSpecs.validation('The request body is too large.'), this.current.errorForm, requestId);
	}

	/** A `drop` or `trickle` fault: no proper answer at all. */
	private misbehave(fault: ActiveFault, response: http.ServerResponse): void {
		if (fault.mode === 'drop') {
			response.socket?.destroy();
			return;
		}
		response.writeHead(fault.reply.status, { 'content-type': 'application/json' });
		response.write('{');
		const timer = setInterval(() => {
			if (this.closing || response.destroyed) {
				clearInterval(timer);
				response.destroy();
				return;
			}
			response.write(' ');
		}, fault.trickleIntervalMs);
		response.on('close', () => clearInterval(timer));
		this.trickles.add(response);
		response.on('close', () => this.trickles.delete(response));
	}

	private answer(context: RequestContext): Reply {
		try {
			return this.route(context);
		} catch (error: unknown) {
			const reply = errorResponse(errorSpecs.server(), this.current.errorForm, context.requestId);
			return { ...reply, headers: { ...reply.headers, 'x-simulator-error': String(error).slice(0, 200) } };
		}
	}

	private takeFault(context: RequestContext): ActiveFault | undefined {
		const fault = this.faults.find(
			(rule) =>
				(rule.method === undefined || rule.method === context.method) &&
				(typeof rule.path === 'string' ? rule.path === context.path : rule.path.test(context.path)) &&
				(!rule.authenticated || this.tokens.isValid(context.token, this.current)),
		);
		if (!fault) return undefined;
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.faults = this.faults.filter((rule) => rule !== fault);
		return fault;
	}

	private route(context: RequestContext): Reply {
		const { method, path } = context;
		if (method === 'POST' && path === TOKEN_PATH) return handleTokenRequest(context, this.current, this.tokens);
		if (method === 'GET' && path === CONNECT_PATH) return connectPage(this.fleet, context.params);
		if (method === 'GET' && path === '/') return { status: 200, body: this.describe() };
		if (path === '/v3' || path.startsWith('/v3/')) return this.routeApi(context);
		if (path === MANAGEMENT_PREFIX || path.startsWith(`${MANAGEMENT_PREFIX}/`)) return this.routeManagement(context);
		const spec = errorSpecs.notFound(`No route for ${method} ${path}.`);
		return errorResponse(spec, this.current.errorForm, context.requestId);
	}

	private routeApi(context: RequestContext): Reply {
		if (!this.tokens.isValid(context.token, this.current)) {
			return errorResponse(errorSpecs.unauthorized(), this.current.errorForm, context.requestId);
		}
		const limited = this.admit(context, this.current.errorForm);
		if (limited) return limited;
		const settings: ApiSettings = this.current;
		return handleApiRequest(context, { fleet: this.fleet, settings, url: this.url, apiBaseUrl: this.apiBaseUrl });
	}

	private routeManagement(context: RequestContext): Reply {
		if (!this.tokens.isValid(context.token, this.current)) {
			return errorResponse(errorSpecs.unauthorized(), 'v3', context.requestId);
		}
		const limited = this.admit(context, 'v3');
		if (limited) return limited;
		return handleManagementRequest(context, {
			store: this.management,
			fleet: this.fleet,
			baseUrl: this.managementApiUrl,
			subscriptionDelayMs: this.current.subscriptionDelayMs,
		});
	}

	/** The rate limits' 429 for this authenticated request, or undefined when it may go on (its tokens are taken). */
	private admit(context: RequestContext, form: ErrorForm): Reply | undefined {
		const limited = this.limiter.admit(vehicleIdOf(context.path), this.current.now());
		if (!limited) return undefined;
		this.stats.rateLimited[limited.kind] += 1;
		return rateLimitReply(limited, form, context.requestId);
	}

	private describe(): Record<string, string> {
		return {
			name: 'smartcar-simulator',
			tokenUrl: this.tokenUrl,
			apiBaseUrl: this.apiBaseUrl,
			connectUrl: this.connectUrl,
			managementApiUrl: this.managementApiUrl,
		};
	}

	private record(request: http.IncomingMessage, status: number, delayMs: number): void {
		const url = new URL(request.url ?? '/', 'http://simulator.invalid');
		const method = (request.method ?? 'GET').toUpperCase();
		if (method === 'POST' && url.pathname === TOKEN_PATH) {
			if (status === 200) this.stats.tokenExchanges += 1;
			else this.stats.failedTokenExchanges += 1;
		}
		if (url.pathname === '/v3' || url.pathname.startsWith('/v3/')) this.stats.apiRequests += 1;
		this.stats.requests.push({
			method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			userId: headerValue(request.headers, 'sc-user-id'),
			status,
			token: bearerToken(request.headers),
			delayMs,
		});
		const overflow = this.stats.requests.length - this.current.requestLogLimit;
		if (overflow > 0) this.stats.requests.splice(0, overflow);
	}
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	const { port = 0, host = '127.0.0.1', fleet = demoFleet(), ...overrides } = options;
	const settings: SimulatorSettings = { ...DEFAULT_SETTINGS, ...definedOnly<SimulatorSettings>(overrides) };
	settings.clientSecrets = [...settings.clientSecrets];
	validateSettings(settings);
	const server = http.createServer();
	await listen(server, port, host);
	return new SimulatorServer(server, fleet, settings);
}
