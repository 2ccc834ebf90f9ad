/**
 * A real HTTP server on 127.0.0.1 that behaves like Smartcar: the client-credentials token endpoint,
 * the Vehicle API v3, the Management API v3 (webhooks, subscriptions) and a stand-in Connect page, with fault
 * injection, Smartcar's rate limits (off by default), latency with seeded jitter and request statistics.
 */
import { randomUUID } from 'crypto';
import http from 'http';
import type { AddressInfo } from 'net';

import { handleApiRequest, type ApiSettings } from './api-routes';
import { handleTokenRequest, TokenStore } from './auth';
import { connectPage } from './connect-page';
import { errorResponse, errorSpecs, type ErrorForm } from './errors';
import { Faults, type FaultRule } from './faults';
import { demoFleet, type Fleet } from './fleet';
import { tick } from './fleet-state';
import { Delays, readContext, writeReply, type Reply, type RequestContext } from './http-utils';
import { Latency } from './latency';
import { handleManagementRequest, MANAGEMENT_PREFIX } from './management';
import { ManagementStore, type SimSubscription, type SimWebhook } from './management-store';
import { RateLimiter, rateLimitReply, vehicleIdOf } from './rate-limits';
import { DEFAULT_SETTINGS, definedOnly, validateSettings, type SimulatorOptions, type SimulatorSettings } from './settings';

import { emptyStats, recordRequest, type Simulator } from './simulator';

const TOKEN_PATH = '/oauth2/token';
const CONNECT_PATH = '/oauth/authorize';

export type { FaultRule } from './faults';
export { DEFAULT_SETTINGS, type SimulatorOptions, type SimulatorSettings } from './settings';
export type { RequestRecord, Simulator, SimulatorStats } from './simulator';

class SimulatorServer implements Simulator {
	readonly url: string;
	readonly apiBaseUrl: string;
	readonly tokenUrl: string;
	readonly connectUrl: string;
	readonly managementApiUrl: string;
	readonly stats = emptyStats();
	private current: SimulatorSettings;
	private readonly initial: SimulatorSettings;
	private readonly management: ManagementStore;
	private readonly tokens = new TokenStore();
	private readonly delays = new Delays();
	private readonly limiter = new RateLimiter();
	private readonly latency: Latency;
	private readonly faults = new Faults();
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
		this.initial = settings;
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

	resetOptions(): void {
		this.setOptions(this.initial);
	}

	failNext(rule: FaultRule): void {
		this.faults.add(rule);
	}

	clearFaults(): void {
		this.faults.clear();
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
			this.faults.destroyAll();
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
		return this.closing;
	}

	// -------------------------------------------------------------------------------------------

	private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		const requestId = randomUUID();
		try {
			const context = await readContext(request, requestId);
			const fault = typeof context === 'string' ? undefined : this.faults.take(context, this.tokens.isValid(context.token, this.current));
			if (fault?.mode) {
				recordRequest(this.stats, request, { status: 0, delayMs: 0, limit: this.current.requestLogLimit });
				this.faults.misbehave(fault, response, () => this.closing !== undefined);
				return;
			}
			const reply = fault?.reply ?? (typeof context === 'string' ? this.tooLarge(requestId) : this.answer(context));
			const delayMs = this.latency.next(this.current.latencyMs, this.current.latencyJitterMs);
			await this.delays.wait(delayMs);
			if (this.closing) return;
			writeReply(response, reply, requestId);
			recordRequest(this.stats, request, { status: reply.status, delayMs, limit: this.current.requestLogLimit });
		} catch {
			// e.g. an invalid header value in a fault rule: never let one request crash the test process.
			response.destroy();
		}
	}

	private tooLarge(requestId: string): Reply {
		return errorResponse(errorSpecs.validation('The request body is too large.'), this.current.errorForm, requestId);
	}

	private answer(context: RequestContext): Reply {
		try {
			return this.route(context);
		} catch (error: unknown) {
			const reply = errorResponse(errorSpecs.server(), this.current.errorForm, context.requestId);
			return { ...reply, headers: { ...reply.headers, 'x-simulator-error': String(error).slice(0, 200) } };
		}
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
