/**
 * `npm run simulator -- [--port 7070] [--client-id …] [--client-secret …] [--management-token …]
 *   [--webhook-url URL] [--webhook-interval 30] [--tick 5] [--token-lifetime 3600] [--latency 0]`
 *
 * Starts the simulator with the demo fleet, evolves signals every tick and, with --webhook-url,
 * sends one VERIFY and then signed VEHICLE_STATE / VEHICLE_ERROR deliveries every interval.
 */
import { randomBytes } from 'crypto';

import type { Fleet, SimVehicle } from './fleet';
import { ownerOf, vehiclesOf } from './fleet';
import { startSimulator, type Simulator } from './server';
import {
	isValidVerifyAnswer,
	sendWebhook,
	vehicleErrorPayload,
	vehicleStatePayload,
	verifyPayload,
	type VehicleErrorKind,
	type VehicleStateOptions,
} from './webhooks';
import type { JsonObject } from './json';

export interface CliOptions {
	port: number;
	host: string;
	clientId: string;
	clientSecrets: string[];
	managementToken: string;
	webhookUrl?: string;
	webhookIntervalSeconds: number;
	tickSeconds: number;
	tokenLifetimeSeconds: number;
	latencyMs: number;
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
  --tick <s>               seconds between signal updates (default 5; 0 = never)
  --token-lifetime <s>     access-token lifetime (default 3600)
  --latency <ms>           delay before every response (default 0)
  --help`;

const DEFAULTS: CliOptions = {
	port: 7070,
	host: '127.0.0.1',
	clientId: 'demo-client-id',
	clientSecrets: [],
	managementToken: 'demo-management-token',
	webhookIntervalSeconds: 30,
	tickSeconds: 5,
	tokenLifetimeSeconds: 3600,
	latencyMs: 0,
	help: false,
};

function numberArg(name: string, value: string, min: number): number {
	const parsed = Number(value);
	if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} needs a number >= ${min}, got "${value}"`);
	return parsed;
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
	tick: (o, v) => (o.tickSeconds = numberArg('tick', v, 0)),
	'token-lifetime': (o, v) => (o.tokenLifetimeSeconds = numberArg('token-lifetime', v, 1)),
	latency: (o, v) => (o.latencyMs = numberArg('latency', v, 0)),
};

/** Accepts `--name value` and `--name=value`. Throws on unknown flags or bad values. */
export function parseCliArgs(argv: string[]): CliOptions {
	const options: CliOptions = { ...DEFAULTS, clientSecrets: [] };
	for (let index = 0; index < argv.length; index += 1) {
		const arg = argv[index];
		if (arg === '--help' || arg === '-h') {
			options.help = true;
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
// Webhook deliveries

const STATE_VARIANTS: ReadonlyArray<{ label: string; options: Pick<VehicleStateOptions, 'form' | 'signalTimestamps' | 'triggerStyle'> }> = [
	{ label: 'docs form', options: { form: 'docs' } },
	{ label: 'real form', options: { form: 'real' } },
	{ label: 'real form, epoch timestamps', options: { form: 'real', signalTimestamps: 'epoch' } },
	{ label: 'real form, string triggers', options: { form: 'real', triggerStyle: 'string' } },
];
const ERROR_KINDS: readonly VehicleErrorKind[] = ['vehicle-state', 'compatibility', 'permission'];

class WebhookPump {
	private count = 0;
	private inFlight = false;
	private readonly delivered = new Set<string>();

	constructor(
		private readonly fleet: Fleet,
		private readonly url: string,
		private readonly managementToken: string,
		private readonly log: (line: string) => void,
	) {}

	async verify(): Promise<void> {
		const challenge = randomBytes(24).toString('hex');
		const payload = verifyPayload(challenge);
		try {
			const response = await sendWebhook(this.url, payload, { managementToken: this.managementToken });
			const verdict = isValidVerifyAnswer(response, challenge, this.managementToken) ? 'correct' : 'WRONG';
			this.log(`[webhook] VERIFY → ${response.status}, challenge answer ${verdict} (body: ${response.body.slice(0, 200)})`);
		} catch (error: unknown) {
			this.log(`[webhook] VERIFY failed: ${String(error)}`);
		}
	}

	async deliverNext(): Promise<void> {
		const vehicles = this.fleet.vehicles.filter((vehicle) => ownerOf(this.fleet, vehicle.id));
		if (this.inFlight || vehicles.length === 0) return;
		this.inFlight = true;
		const step = this.count;
		this.count += 1;
		const vehicle = vehicles[step % vehicles.length];
		try {
			const { payload, label } = this.nextPayload(vehicle, step);
			const response = await sendWebhook(this.url, payload, { managementToken: this.managementToken });
			this.log(`[webhook] ${label} for ${vehicle.make} ${vehicle.model} (${vehicle.id}) → ${response.status}`);
		} catch (error: unknown) {
			this.log(`[webhook] delivery failed: ${String(error)}`);
		} finally {
			this.inFlight = false;
		}
	}

	private nextPayload(vehicle: SimVehicle, step: number): { payload: JsonObject; label: string } {
		if (step % 4 === 3) {
			const kind = ERROR_KINDS[Math.floor(step / 4) % ERROR_KINDS.length];
			const state = Math.floor(step / 4) % 2 === 0 ? 'ERROR' : 'RESOLVED';
			return { payload: vehicleErrorPayload(this.fleet, vehicle.id, { kind, state }), label: `VEHICLE_ERROR ${kind} ${state}` };
		}
		const variant = STATE_VARIANTS[step % STATE_VARIANTS.length];
		const first = !this.delivered.has(vehicle.id);
		this.delivered.add(vehicle.id);
		const trigger = first ? 'FIRST_DELIVERY' : 'SIGNAL_UPDATED';
		const payload = vehicleStatePayload(this.fleet, vehicle.id, { ...variant.options, trigger });
		return { payload, label: `VEHICLE_STATE ${trigger} (${variant.label})` };
	}
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

function banner(simulator: Simulator, options: CliOptions): string[] {
	return [
		'Smartcar simulator running',
		`  Base URL          ${simulator.url}`,
		`  Token URL         ${simulator.tokenUrl}`,
		`  API base URL      ${simulator.apiBaseUrl}`,
		`  Connect URL       ${simulator.connectUrl}`,
		'Credentials',
		`  Client ID         ${options.clientId}`,
		`  Client secret(s)  ${options.clientSecrets.join(', ')}`,
		`  Management token  ${options.managementToken}`,
		'Users (send as sc-user-id)',
		...describeFleet(simulator.fleet),
		'Try',
		`  curl -s -X POST ${simulator.tokenUrl} -d grant_type=client_credentials -d client_id=${options.clientId} -d client_secret=${options.clientSecrets[0]}`,
		options.webhookUrl
			? `Webhooks: every ${options.webhookIntervalSeconds}s to ${options.webhookUrl}`
			: 'Webhooks: off (pass --webhook-url URL)',
		options.tickSeconds > 0 ? `Signals evolve every ${options.tickSeconds}s` : 'Signals are static (--tick 0)',
	];
}

// ---------------------------------------------------------------------------------------------
// Run

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
	});
	banner(simulator, options).forEach((line) => log(line));
	const timers: NodeJS.Timeout[] = [];
	if (options.tickSeconds > 0) timers.push(setInterval(() => simulator.tick(), options.tickSeconds * 1000));
	if (options.webhookUrl) {
		const pump = new WebhookPump(simulator.fleet, options.webhookUrl, options.managementToken, log);
		void pump.verify();
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
