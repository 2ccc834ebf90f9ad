/**
 * `npm run simulator -- [--port 7070] [--client-id …] [--client-secret …] [--management-token …]
 *   [--webhook-url URL] [--webhook-interval 30] [--auto-subscribe] [--subscription-delay 0] [--tick 5]
 *   [--token-lifetime 3600] [--latency 0] [--latency-jitter 0] [--rate-limit 120:0.0333] [--vehicle-rate-limit 5:0.1]`
 *
 * Starts the simulator with the demo fleet and evolves signals every tick. With --webhook-url, the seeded webhook's
 * callback URI is that URL: it gets one VERIFY, then signed VEHICLE_STATE / VEHICLE_ERROR deliveries for the vehicles
 * subscribed to it (through the Management API, or every vehicle with --auto-subscribe), as Smartcar sends them.
 */
import type { Fleet } from './fleet';
import { vehiclesOf } from './fleet-state';
import { DEFAULT_WEBHOOK_ID } from './management-store';
import { describeRateLimit, validateRateLimit, type RateLimit } from './rate-limits';
import { startSimulator, type Simulator } from './server';
import { WebhookPump } from './webhook-pump';

export interface CliOptions {
	port: number;
	host: string;
	clientId: string;
	clientSecrets: string[];
	managementToken: string;
	webhookUrl?: string;
	webhookIntervalSeconds: number;
	/** The seeded webhook subscribes every connected vehicle by itself (Smartcar's auto-subscribe). */
	autoSubscribe: boolean;
	subscriptionDelayMs: number;
	tickSeconds: number;
	tokenLifetimeSeconds: number;
	latencyMs: number;
	/** Each delay is latencyMs ± up to this (seeded, so runs are reproducible). */
	latencyJitterMs: number;
	/** The application's token bucket (429 RATE_LIMIT:SMARTCAR_API); off when absent. */
	rateLimit?: RateLimit;
	/** Each vehicle's token bucket (429 RATE_LIMIT:VEHICLE); off when absent. */
	vehicleRateLimit?: RateLimit;
	help: boolean;
}

export interface CliHandle {
	simulator: Simulator;
	options: CliOptions;
	/** Clears every timer, removes signal handlers and closes the server. */
	stop(): Promise<void>;
}

export interface CliIo {
	log?: (line: string) => void;
	/** Stop on SIGINT/SIGTERM (default true). */
	handleSignals?: boolean;
}

export const USAGE = `Usage: npm run simulator -- [options]
  --port <n>               listen port (default 7070; 0 = any free port)
  --host <addr>            listen address (default 127.0.0.1)
  --client-id <id>         (default demo-client-id)
  --client-secret <s>      repeat or comma-separate for up to 3 (default demo-client-secret)
  --management-token <t>   Application Management Token for webhook signatures (default demo-management-token)
  --webhook-url <url>      POST VERIFY once, then signed deliveries to this URL
  --webhook-interval <s>   seconds between deliveries (default 30)
  --auto-subscribe         the webhook gets every connected vehicle's events (default: subscribed ones only)
  --subscription-delay <ms>  ms a new subscription stays in progress (default 0)
  --tick <s>               seconds between signal updates (default 5; 0 = never)
  --token-lifetime <s>     access-token lifetime (default 3600)
  --latency <ms>           delay before every response (default 0)
  --latency-jitter <ms>    move each delay by up to ± this, seeded (default 0)
  --rate-limit <capacity>:<refillPerSecond>
                           application token bucket, 429 RATE_LIMIT:SMARTCAR_API (default off;
                           Smartcar's default is 120:0.0333, i.e. 2 per minute)
  --vehicle-rate-limit <capacity>:<refillPerSecond>
                           a token bucket per vehicle, 429 RATE_LIMIT:VEHICLE (default off)
  --help`;

/** How often the pump looks for a newly subscribed vehicle to send its FIRST_DELIVERY. */
const FIRST_DELIVERY_CHECK_MS = 1_000;

const DEFAULTS: CliOptions = {
	port: 7070,
	host: '127.0.0.1',
	clientId: 'demo-client-id',
	clientSecrets: [],
	managementToken: 'demo-management-token',
	webhookIntervalSeconds: 30,
	autoSubscribe: false,
	subscriptionDelayMs: 0,
	tickSeconds: 5,
	tokenLifetimeSeconds: 3600,
	latencyMs: 0,
	latencyJitterMs: 0,
	help: false,
};

function numberArg(name: string, value: string, min: number): number {
	const parsed = Number(value);
	if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} needs a number >= ${min}, got "${value}"`);
	return parsed;
}

/** `<capacity>:<refillPerSecond>`, e.g. `120:0.0333`. */
function rateLimitArg(name: string, value: string): RateLimit {
	const match = /^\s*([^:]+):([^:]+)\s*$/.exec(value);
	if (!match) throw new Error(`--${name} needs <capacity>:<refillPerSecond>, got "${value}"`);
	const limit = { capacity: Number(match[1]), refillPerSecond: Number(match[2]) };
	try {
		validateRateLimit(`--${name}`, limit);
	} catch (error: unknown) {
		throw new Error(`${error instanceof Error ? error.message : String(error)}, got "${value}"`);
	}
	return limit;
}

type Setter = (options: CliOptions, value: string) => void;

const SETTERS: Record<string, Setter> = {
	port: (o, v) => (o.port = numberArg('port', v, 0)),
	host: (o, v) => (o.host = v),
	'client-id': (o, v) => (o.clientId = v),
	'client-secret': (o, v) => o.clientSecrets.push(...v.split(',').filter(Boolean)),
	'management-token': (o, v) => (o.managementToken = v),
	'webhook-url': (o, v) => (o.webhookUrl = v),
	'webhook-interval': (o, v) => (o.webhookIntervalSeconds = numberArg('webhook-interval', v, 1)),
	'subscription-delay': (o, v) => (o.subscriptionDelayMs = numberArg('subscription-delay', v, 0)),
	tick: (o, v) => (o.tickSeconds = numberArg('tick', v, 0)),
	'token-lifetime': (o, v) => (o.tokenLifetimeSeconds = numberArg('token-lifetime', v, 1)),
	latency: (o, v) => (o.latencyMs = numberArg('latency', v, 0)),
	'latency-jitter': (o, v) => (o.latencyJitterMs = numberArg('latency-jitter', v, 0)),
	'rate-limit': (o, v) => (o.rateLimit = rateLimitArg('rate-limit', v)),
	'vehicle-rate-limit': (o, v) => (o.vehicleRateLimit = rateLimitArg('vehicle-rate-limit', v)),
};

/** Switches without a value. */
const FLAGS: Record<string, (options: CliOptions) => void> = {
	'--help': (o) => (o.help = true),
	'-h': (o) => (o.help = true),
	'--auto-subscribe': (o) => (o.autoSubscribe = true),
};

/** Accepts `--name value` and `--name=value`. Throws on unknown flags or bad values. */
export function parseCliArgs(argv: string[]): CliOptions {
	const options: CliOptions = { ...DEFAULTS, clientSecrets: [] };
	for (let index = 0; index < argv.length; index += 1) {
		const arg = argv[index];
		const flag = FLAGS[arg];
		if (flag) {
			flag(options);
			continue;
		}
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		const setter = match ? SETTERS[match[1]] : undefined;
		if (!match || !setter) throw new Error(`Unknown argument: ${arg}\n${USAGE}`);
		const value = match[2] ?? argv[(index += 1)];
		if (value === undefined) throw new Error(`--${match[1]} needs a value`);
		setter(options, value);
	}
	if (options.clientSecrets.length === 0) options.clientSecrets = ['demo-client-secret'];
	return options;
}

// ---------------------------------------------------------------------------------------------
// Banner

function describeFleet(fleet: Fleet): string[] {
	return fleet.users.flatMap((user) => [
		`  ${user.id}  ${user.name}`,
		...vehiclesOf(fleet, user.id).map(
			(vehicle) => `      vehicle ${vehicle.id}  ${vehicle.make} ${vehicle.model} ${vehicle.year} (${vehicle.powertrainType}, ${vehicle.mode})`,
		),
	]);
}

function webhookLines(options: CliOptions): string[] {
	if (!options.webhookUrl) return ['Webhooks: off (pass --webhook-url URL)'];
	const who = options.autoSubscribe ? 'every connected vehicle (--auto-subscribe)' : 'the vehicles subscribed to it';
	return [
		`Webhook ${DEFAULT_WEBHOOK_ID} → ${options.webhookUrl}`,
		`  every ${options.webhookIntervalSeconds}s, an event for ${who}`,
	];
}

function limitLines(options: CliOptions): string[] {
	const jitter = options.latencyJitterMs > 0 ? ` ± ${options.latencyJitterMs} ms (seeded)` : '';
	return [
		'Rate limits and latency',
		`  Application       ${options.rateLimit ? `${describeRateLimit(options.rateLimit)}, then 429 RATE_LIMIT:SMARTCAR_API` : 'off (--rate-limit <capacity>:<refillPerSecond>)'}`,
		`  Per vehicle       ${options.vehicleRateLimit ? `${describeRateLimit(options.vehicleRateLimit)}, then 429 RATE_LIMIT:VEHICLE` : 'off (--vehicle-rate-limit <capacity>:<refillPerSecond>)'}`,
		`  Latency           ${options.latencyMs} ms${jitter}`,
	];
}

function banner(simulator: Simulator, options: CliOptions): string[] {
	return [
		'Smartcar simulator running',
		`  Base URL          ${simulator.url}`,
		`  Token URL         ${simulator.tokenUrl}`,
		`  API base URL      ${simulator.apiBaseUrl}`,
		`  Connect URL       ${simulator.connectUrl}`,
		`  Management API    ${simulator.managementApiUrl}`,
		'Credentials',
		`  Client ID         ${options.clientId}`,
		`  Client secret(s)  ${options.clientSecrets.join(', ')}`,
		`  Management token  ${options.managementToken}`,
		'Users (send as sc-user-id)',
		...describeFleet(simulator.fleet),
		'Try',
		`  curl -s -X POST ${simulator.tokenUrl} -d grant_type=client_credentials -d client_id=${options.clientId} -d client_secret=${options.clientSecrets[0]}`,
		`  curl -s ${simulator.managementApiUrl}/webhooks -H "Authorization: Bearer <access_token>"`,
		...webhookLines(options),
		...limitLines(options),
		options.tickSeconds > 0 ? `Signals evolve every ${options.tickSeconds}s` : 'Signals are static (--tick 0)',
	];
}

// ---------------------------------------------------------------------------------------------
// Run

/** The seeded webhook is the one the CLI delivers to: its callback URI is --webhook-url. */
function configureWebhook(simulator: Simulator, options: CliOptions): void {
	const webhook = simulator.webhooks.find((candidate) => candidate.id === DEFAULT_WEBHOOK_ID);
	if (!webhook) return;
	webhook.autoSubscribe = options.autoSubscribe;
	if (options.webhookUrl) webhook.callbackUri = options.webhookUrl;
}

export async function runSimulatorCli(argv: string[], io: CliIo = {}): Promise<CliHandle> {
	const log = io.log ?? ((line: string) => console.log(line));
	const options = parseCliArgs(argv);
	const simulator = await startSimulator({
		port: options.port,
		host: options.host,
		clientId: options.clientId,
		clientSecrets: options.clientSecrets,
		managementToken: options.managementToken,
		tokenLifetimeSeconds: options.tokenLifetimeSeconds,
		latencyMs: options.latencyMs,
		latencyJitterMs: options.latencyJitterMs,
		applicationRateLimit: options.rateLimit ?? null,
		vehicleRateLimit: options.vehicleRateLimit ?? null,
		subscriptionDelayMs: options.subscriptionDelayMs,
	});
	configureWebhook(simulator, options);
	banner(simulator, options).forEach((line) => log(line));
	const timers: NodeJS.Timeout[] = [];
	if (options.tickSeconds > 0) timers.push(setInterval(() => simulator.tick(), options.tickSeconds * 1000));
	if (options.webhookUrl) {
		const pump = new WebhookPump(simulator, DEFAULT_WEBHOOK_ID, log);
		void pump.verify();
		timers.push(setInterval(() => void pump.deliverFirst(), FIRST_DELIVERY_CHECK_MS));
		timers.push(setInterval(() => void pump.deliverNext(), options.webhookIntervalSeconds * 1000));
	}
	let stopping: Promise<void> | undefined;
	const onSignal = (signal: NodeJS.Signals) => {
		log(`Received ${signal}, stopping…`);
		void stop();
	};
	const stop = (): Promise<void> => {
		stopping ??= (async () => {
			timers.forEach((timer) => clearInterval(timer));
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			await simulator.close();
			log('Smartcar simulator stopped');
		})();
		return stopping;
	};
	if (io.handleSignals !== false) {
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
	}
	return { simulator, options, stop };
}

async function main(argv: string[]): Promise<void> {
	if (argv.includes('--help') || argv.includes('-h')) {
		console.log(USAGE);
		return;
	}
	await runSimulatorCli(argv);
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : String(error));
		process.exitCode = 1;
	});
}
