/**
 * The REAL package in a REAL n8n 2.41.1: `npm run build`, packed and installed as a community package, with the
 * Smartcar simulator (this jest process) as Smartcar. One n8n instance for the whole file (restarted once, on the
 * same user folder). Covers: the Smartcar node in published Webhook workflows (paged connections, vehicle, signals,
 * a command, Continue On Fail, a failing execution), safety (a redirect to another origin is not followed and
 * nothing reaches it; a command answered 502 is sent once; replayed, plain, tampered and missing Connect states start
 * nothing; a Connect link works once and only at the trigger it names, also after a restart, and starts at most 5
 * error runs), the credential's token life cycle (one exchange, stored across a
 * restart, renewed once after expiry), the Smartcar Trigger on its production URL (VERIFY, signatures, the payload
 * forms, de-duplication in memory and in static data across a restart), n8n's HTTP Request node with the
 * credential, the AI-tool variant, the example workflows (among them the onboarding loop: a Connect redirect
 * subscribes the driver's vehicles to the Smartcar webhook, and only then does a signed VEHICLE_STATE to that
 * webhook's callback URI start the low battery alert), and that no secret or token leaks into executions, logs or
 * the database.
 *
 * Run: `npm run build && npx jest test/e2e/smartcar.e2e.test.ts --selectProjects=e2e --runInBand`
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { DEMO_CREDENTIAL, demoCredential, exampleId, loadExamples, lowBatteryTriggerUrl, webhookEndpoints } from '../../scripts/examples';
import {
	CODES,
	DEFAULT_WEBHOOK_ID,
	NotDeliverableError,
	booleanValue,
	createFleet,
	deliverVehicleState,
	demoFleet,
	isValidVerifyAnswer,
	numberValue,
	sendWebhook,
	setLocked,
	setPermissions,
	signBody,
	smartcarErrors,
	startOtherOrigin,
	startSimulator,
	updateSignal,
	vehicleErrorPayload,
	vehiclesOf,
	vehicleStatePayload,
	verifyPayload,
	type JsonObject,
	type SimVehicle,
	type Simulator,
	type WebhookResponse,
} from '../../tooling/simulator';
import {
	SMARTCAR_NODE_TYPE,
	SMARTCAR_TRIGGER_TYPE,
	VEHICLE_FROM_ITEM,
	httpRequestWorkflow,
	operationWorkflow,
	smartcarCredential,
	triggerPath,
	triggerWorkflow,
	type CredentialRef,
} from '../../tooling/n8n/smartcar-workflows';
import { persistedEventIds } from './fixtures/delivery-report';
import { startTokenRecorder, type TokenRecorder } from './fixtures/token-recorder';
import { createLogger, seconds } from '../../tooling/n8n/logger';
import { editorSession, ensureN8n, freePort, http, nodeOutput, packPackage, startN8n, type ExecutionDetail, type N8nInstance, type WorkflowJson } from '../../tooling/n8n/n8n-instance';
import type { ExecutionList } from '../../tooling/n8n/n8n-types';

const log = createLogger('smartcar-e2e');
const REPO = join(__dirname, '..', '..');

// A cold install of n8n takes minutes; warm, the whole file takes ~2-3 min.
jest.setTimeout(15 * 60_000);

const suffix = randomBytes(6).toString('hex');
/** The application under test; every secret is unique to this run, so finding one anywhere is a real leak. */
const APP = {
	clientId: `e2e-client-${suffix}`,
	clientSecret: `e2e-client-secret-${suffix}`,
	managementToken: `e2e-management-token-${suffix}`,
};
/** The examples' application (its own simulator with the demo fleet, like `npm start`). */
const DEMO_APP = {
	clientId: `demo-client-${suffix}`,
	clientSecret: `demo-client-secret-${suffix}`,
	managementToken: `demo-management-token-${suffix}`,
};
const CREDENTIAL: CredentialRef = { id: 'e2eSmartcarCred01', name: 'Smartcar (e2e)' };

const WF = {
	connections: 'e2eScConnections',
	vehicle: 'e2eScVehicleGet',
	signals: 'e2eScSignalsAll',
	signal: 'e2eScSignalGet',
	lock: 'e2eScCommandLock',
	httpRequest: 'e2eScHttpRequest',
	httpLock: 'e2eScHttpLock',
	trigger: 'e2eScTrigger',
	triggerV1: 'e2eScTriggerV1',
	connectLink: 'e2eScConnectLink',
	redirect: 'e2eScConnectRedirect',
	signalV2: 'e2eScSignalGetV2',
	triggerChecked: 'e2eScTriggerChecked',
	redirectExpected: 'e2eScRedirectExpected',
} as const;
const PATH = {
	connections: 'sc-e2e-connections',
	vehicle: 'sc-e2e-vehicle',
	signals: 'sc-e2e-signals',
	signal: 'sc-e2e-signal',
	lock: 'sc-e2e-lock',
	httpRequest: 'sc-e2e-http-request',
	httpLock: 'sc-e2e-http-lock',
	connectLink: 'sc-e2e-connect-link',
	signalV2: 'sc-e2e-signal-v2',
} as const;
const TRIGGER_WEBHOOK_ID = randomUUID();
/** A version-1 Smartcar Trigger, as in workflows saved before version 2. */
const TRIGGER_V1_WEBHOOK_ID = randomUUID();
/** A second Connect Redirect trigger with the demo credential (the onboarding example's is the first). */
const REDIRECT_WEBHOOK_ID = randomUUID();
/** A version-3 Connect Redirect trigger with Check State Expected Value Only and the Expected State field under it. */
const REDIRECT_EXPECTED_WEBHOOK_ID = randomUUID();
const EXPECTED_STATE = `campaign-${suffix}`;
/** A trigger with Check Smartcar Webhook on Publish on, whose URL no Smartcar webhook has (published first). */
const TRIGGER_CHECKED_WEBHOOK_ID = randomUUID();
const EXAMPLE = {
	lowBattery: exampleId('low-battery-alert.json'),
	fleetReport: exampleId('fleet-report.json'),
	onboarding: exampleId('driver-onboarding.json'),
} as const;
/** How long the examples' simulator keeps a new subscription in progress, so Subscribe → Wait Until Active polls. */
const ONBOARDING_SUBSCRIPTION_DELAY_MS = 1_500;

/** 250 connections for one user (three pages of 100), plus two ordinary users. */
function e2eFleet() {
	return createFleet({
		seed: `e2e-${suffix}`,
		users: [
			{ name: 'Fleet manager', vehicles: 250, powertrain: 'BEV' },
			{ name: 'Alice', vehicles: 2, powertrain: 'BEV' },
			{ name: 'Bob', vehicles: 3, powertrain: ['ICE', 'PHEV', 'BEV'] },
		],
	});
}

function buildWorkflows(apiBaseUrl: string): WorkflowJson[] {
	const userAndVehicle = { userId: '={{ $json.userId }}', vehicleId: VEHICLE_FROM_ITEM };
	return [
		operationWorkflow({
			id: WF.connections,
			path: PATH.connections,
			credential: CREDENTIAL,
			parameters: { resource: 'connection', operation: 'getMany', userId: '={{ $json.userId }}', returnAll: true },
		}),
		operationWorkflow({ id: WF.vehicle, path: PATH.vehicle, credential: CREDENTIAL, parameters: { resource: 'vehicle', operation: 'get', ...userAndVehicle } }),
		operationWorkflow({
			id: WF.signals,
			path: PATH.signals,
			credential: CREDENTIAL,
			parameters: { resource: 'signal', operation: 'getAll', ...userAndVehicle, options: { output: 'perVehicle' } },
			continueOnFail: true,
		}),
		operationWorkflow({
			id: WF.signal,
			path: PATH.signal,
			credential: CREDENTIAL,
			parameters: { resource: 'signal', operation: 'get', ...userAndVehicle, signalCode: CODES.odometer },
		}),
		operationWorkflow({ id: WF.lock, path: PATH.lock, credential: CREDENTIAL, parameters: { resource: 'command', operation: 'lock', ...userAndVehicle }, continueOnFail: true }),
		// Version 2 of the Smartcar node (what new nodes get): the User is a picker, here mapped By ID. Every other
		// workflow above is version 1, as saved before version 2.
		operationWorkflow({
			id: WF.signalV2,
			path: PATH.signalV2,
			credential: CREDENTIAL,
			typeVersion: 2,
			parameters: { resource: 'signal', operation: 'get', userId: { __rl: true, mode: 'id', value: '={{ $json.userId }}' }, vehicleId: VEHICLE_FROM_ITEM, signalCode: CODES.soc },
			continueOnFail: true,
		}),
		httpRequestWorkflow({ id: WF.httpRequest, path: PATH.httpRequest, credential: CREDENTIAL, apiBaseUrl }),
		httpRequestWorkflow({ id: WF.httpLock, path: PATH.httpLock, credential: CREDENTIAL, apiBaseUrl, lock: true }),
		triggerWorkflow({ id: WF.trigger, webhookId: TRIGGER_WEBHOOK_ID, credential: CREDENTIAL }),
		triggerWorkflow({ id: WF.triggerV1, webhookId: TRIGGER_V1_WEBHOOK_ID, credential: CREDENTIAL, typeVersion: 1 }),
		...connectWorkflows(),
		triggerWorkflow({ id: WF.triggerChecked, webhookId: TRIGGER_CHECKED_WEBHOOK_ID, credential: CREDENTIAL, triggerOptions: { checkWebhookOnPublish: true } }),
	];
}

/**
 * With the demo credential (the onboarding example's): Get Authorization URL for any `redirectUri` and `state` (POST
 * `{ items: [{ redirectUri, state }] }`), and a second Connect Redirect trigger, Check State Signed.
 */
function connectWorkflows(): WorkflowJson[] {
	const linkMaker = operationWorkflow({
		id: WF.connectLink,
		path: PATH.connectLink,
		credential: DEMO_CREDENTIAL,
		parameters: { resource: 'connect', operation: 'getAuthorizationUrl', redirectUri: '={{ $json.redirectUri }}', state: '={{ $json.state }}' },
	});
	const redirect: WorkflowJson = {
		id: WF.redirect,
		name: 'e2e second Connect redirect',
		nodes: [
			{
				id: randomUUID(),
				name: 'Driver connected',
				type: SMARTCAR_TRIGGER_TYPE,
				typeVersion: 2,
				position: [0, 0],
				webhookId: REDIRECT_WEBHOOK_ID,
				parameters: { trigger: 'connectRedirect', stateCheck: 'signed', redirectOptions: {} },
				credentials: { smartcarApi: DEMO_CREDENTIAL },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		active: false,
	};
	const expected: WorkflowJson = {
		...redirect,
		id: WF.redirectExpected,
		name: 'e2e Connect redirect, Expected Value Only (version 3)',
		nodes: [
			{
				id: randomUUID(),
				name: 'Driver connected',
				type: SMARTCAR_TRIGGER_TYPE,
				typeVersion: 3,
				position: [0, 0],
				webhookId: REDIRECT_EXPECTED_WEBHOOK_ID,
				// Version 3: Expected State is a field of its own under Check State (no credential needed for this check).
				parameters: { trigger: 'connectRedirect', stateCheck: 'expectedValue', expectedState: EXPECTED_STATE, redirectOptions: {} },
			},
		],
	};
	return [linkMaker, redirect, expected];
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decodeHtml(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|#39);/g, (_match, entity: string) => HTML_ENTITIES[entity] ?? '');
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asItems(data: unknown): Array<Record<string, unknown>> {
	if (!Array.isArray(data)) throw new Error(`expected an array of items, got ${JSON.stringify(data).slice(0, 300)}`);
	return data.filter(isObject);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The onboarding execution subscribed every vehicle of the driver to the simulator's seeded webhook: "Subscribe"
 * output status `active` with the subscription's ID for each (one POST per vehicle; Wait Until Active looked more than
 * once, since the simulator lists a subscription only after a delay), the simulator holds exactly those subscriptions
 * (so it now delivers their events), and "Compose message" says so per vehicle.
 */
function expectSubscribed(simulator: Simulator, execution: ExecutionDetail, userId: string, vehicles: SimVehicle[], mark: number): void {
	const byVehicle = (a: { vehicleId?: unknown }, b: { vehicleId?: unknown }) => String(a.vehicleId).localeCompare(String(b.vehicleId));
	const sorted = [...vehicles].sort((a, b) => a.id.localeCompare(b.id));
	const subscribed = nodeOutput(execution, 'Subscribe').sort(byVehicle);
	expect(subscribed.map(({ webhookId, userId: user, vehicleId, status }) => ({ webhookId, userId: user, vehicleId, status }))).toEqual(
		sorted.map((vehicle) => ({ webhookId: DEFAULT_WEBHOOK_ID, userId, vehicleId: vehicle.id, status: 'active' })),
	);
	const held = simulator.subscriptions.filter((subscription) => subscription.userId === userId).sort(byVehicle);
	expect(subscribed.map((item) => item.id)).toEqual(held.map((subscription) => subscription.id));
	expect(sorted.filter((vehicle) => !simulator.isSubscribed(DEFAULT_WEBHOOK_ID, vehicle.id))).toEqual([]);

	const requests = simulator.stats.requests.slice(mark);
	const posts = requests.filter((request) => request.method === 'POST' && request.path.endsWith('/subscriptions'));
	const lookups = requests.filter((request) => request.method === 'GET' && request.path.endsWith('/subscriptions'));
	log.info(`onboarding: ${posts.length} subscribe POSTs, ${lookups.length} Wait Until Active lookups`);
	expect({ posts: posts.length, waited: lookups.length > vehicles.length }).toEqual({ posts: vehicles.length, waited: true });
	expect(nodeOutput(execution, 'Compose message').sort(byVehicle)).toEqual(
		sorted.map((vehicle, index) => ({
			message: `${vehicle.make} ${vehicle.model} (${vehicle.year}, ${vehicle.id}) is subscribed: fresh signals and events will flow`,
			userId,
			vehicleId: vehicle.id,
			subscriptionId: subscribed[index].id,
			status: 'active',
		})),
	);
}

describe('n8n-nodes-smartcar in a real n8n 2.41.1', () => {
	let sim: Simulator;
	let demoSim: Simulator;
	let recorder: TokenRecorder;
	let demoRecorder: TokenRecorder;
	let n8n: N8nInstance;
	let tgz: string | undefined;
	/** Finished executions per workflow this file has caused so far. */
	const runs = new Map<string, number>();
	/** Every event id the trigger accepted one at a time (each started one execution). */
	const acceptedEventIds: string[] = [];
	/** Distinct events that were delivered at the same moment (each started one execution). */
	const concurrentEventIds: string[] = [];
	let triggerUrl = '';
	/** The Connect redirect the driver-onboarding spec completed (its state is used up). */
	let approvedRedirect: string | undefined;
	/** The driver the onboarding workflow connected, once it has subscribed their vehicles. */
	let onboarded: { userId: string; vehicleIds: string[] } | undefined;
	/** A redirect the second Connect Redirect trigger accepted (its link is used up). */
	let usedAtSecondTrigger: string | undefined;

	const alice = () => sim.fleet.users[1];
	const bob = () => sim.fleet.users[2];
	const vehicleOf = (userIndex: number, index: number): SimVehicle => vehiclesOf(sim.fleet, sim.fleet.users[userIndex].id)[index];

	async function call(path: string, items: Array<Record<string, unknown>>): Promise<{ status: number; data: unknown }> {
		const response = await http.post(n8n.webhookUrl(path), { items }, { timeout: 90_000 });
		return { status: response.status, data: response.data as unknown };
	}

	/** The next finished execution of a workflow this file runs one at a time. */
	async function nextExecution(workflowId: string): Promise<ExecutionDetail> {
		const expected = (runs.get(workflowId) ?? 0) + 1;
		runs.set(workflowId, expected);
		const executions = await n8n.waitForExecutions(workflowId, expected, 90_000);
		return executions[executions.length - 1];
	}

	function requestsSince(mark: number) {
		return sim.stats.requests.slice(mark);
	}

	/** What the editor asks n8n when a picker's list opens: n8n runs the node's listSearch method with the credential. */
	async function pickerList(request: { path: string; version: number; methodName: string; currentNodeParameters: Record<string, unknown> }) {
		const headers = await editorSession(n8n.baseUrl);
		const response = await http.post(
			`${n8n.baseUrl}/rest/dynamic-node-parameters/resource-locator-results`,
			{
				path: request.path,
				nodeTypeAndVersion: { name: SMARTCAR_NODE_TYPE, version: request.version },
				methodName: request.methodName,
				currentNodeParameters: request.currentNodeParameters,
				credentials: { smartcarApi: CREDENTIAL },
			},
			{ headers },
		);
		expect(response.status).toBe(200);
		return (response.data as { data: { results: Array<{ name: string; value: string }> } }).data.results;
	}

	/** The editor's node types (what n8n serves the editor as nodes.json). */
	function editorNodeTypes(): Array<{ name: string; version: number | number[]; defaultVersion?: number; properties: Array<{ name: string; displayName: string; type: string }> }> {
		return JSON.parse(readFileSync(join(n8n.userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json'), 'utf8')) as ReturnType<typeof editorNodeTypes>;
	}

	async function waitForAllWebhooks(): Promise<void> {
		for (const path of Object.values(PATH)) await n8n.waitForWebhook(path, { timeoutMs: 120_000 });
		await n8n.waitForWebhook(triggerPath(TRIGGER_WEBHOOK_ID), { timeoutMs: 120_000 });
		await n8n.waitForWebhook(triggerPath(TRIGGER_V1_WEBHOOK_ID), { timeoutMs: 120_000 });
		await n8n.waitForWebhook(triggerPath(REDIRECT_WEBHOOK_ID), { method: 'GET', timeoutMs: 120_000 });
		await n8n.waitForWebhook(triggerPath(REDIRECT_EXPECTED_WEBHOOK_ID), { method: 'GET', timeoutMs: 120_000 });
		await n8n.waitForWebhook(triggerPath(TRIGGER_CHECKED_WEBHOOK_ID), { timeoutMs: 120_000 });
		const examples = webhookEndpoints(loadExamples());
		expect(examples.map(({ path, method }) => `${method} ${path}`).sort()).toEqual([
			'GET smartcar-connect-redirect/webhook',
			'GET smartcar-onboard',
			'POST smartcar-fleet-report',
			'POST smartcar-low-battery/webhook',
		]);
		for (const { path, method } of examples) await n8n.waitForWebhook(path, { method, timeoutMs: 120_000 });
	}

	async function deliver(payload: JsonObject | string, options: { signature?: string; omitSignature?: boolean; keepDeliveryId?: boolean; headers?: Record<string, string> } = {}): Promise<WebhookResponse> {
		return await sendWebhook(triggerUrl, payload, { managementToken: APP.managementToken, timeoutMs: 30_000, ...options });
	}

	/** The trigger execution that carries this event (its trigger item's eventId). */
	async function triggerExecutionFor(eventId: string, workflowId: string = WF.trigger): Promise<ExecutionDetail> {
		const deadline = Date.now() + 60_000;
		for (;;) {
			const executions = await n8n.listExecutions(workflowId, { includeData: true });
			// (an execution n8n has not finished writing yet can be listed without its run data)
			const found = executions.find(
				(execution) =>
					execution.data?.resultData.runData['Smartcar Trigger'] !== undefined &&
					nodeOutput(execution, 'Smartcar Trigger').some((item) => item.eventId === eventId),
			);
			if (found) return found;
			if (Date.now() > deadline) throw new Error(`no trigger execution for event ${eventId} (executions: ${executions.length})`);
			await sleep(500);
		}
	}

	/** How many executions the trigger workflow has (waits a moment so a late one would be counted). */
	async function triggerExecutionCount(settleMs = 1_500): Promise<number> {
		await sleep(settleMs);
		return (await n8n.listExecutions(WF.trigger)).length;
	}

	/** Which of these accepted events the trigger's record in the workflow's static data holds. */
	async function storedEventIds(candidates: string[]): Promise<string[]> {
		const rows = await n8n.dbQuery('SELECT staticData FROM workflow_entity WHERE id = ?', [WF.trigger]);
		return persistedEventIds(rows[0]?.staticData, candidates);
	}

	/**
	 * A Connect link for `redirectUri` made by Get Authorization URL with the demo credential, opened on the demo
	 * simulator's Connect page: its approve link for the driver and its deny link.
	 */
	async function connectLinkFor(redirectUri: string, state: string, driverId: string): Promise<{ approve: string; deny: string }> {
		const response = await call(PATH.connectLink, [{ redirectUri, state }]);
		expect(response.status).toBe(200);
		const [link] = asItems(response.data);
		await nextExecution(WF.connectLink);
		const page = await http.get(String(link.url));
		const hrefs = [...String(page.data).matchAll(/href="([^"]+)"/g)].map((match) => decodeHtml(match[1]));
		const approve = hrefs.find((href) => new URL(href).searchParams.get('user_id') === driverId);
		const deny = hrefs.find((href) => new URL(href).searchParams.get('error') === 'access_denied');
		if (!approve || !deny) throw new Error(`the Connect page lacks the approve or deny link: ${hrefs.join(' ')}`);
		return { approve, deny };
	}

	/** The same redirect (query) sent to another trigger's URL. */
	function sentTo(redirect: string, triggerUrlPath: string): string {
		return `${n8n.webhookUrl(triggerUrlPath)}${new URL(redirect).search}`;
	}

	async function redirectExecutionCount(workflowId: string, settleMs = 1_500): Promise<number> {
		await sleep(settleMs);
		return (await n8n.listExecutions(workflowId)).length;
	}

	beforeAll(async () => {
		const started = Date.now();
		if (!existsSync(join(REPO, 'dist', 'nodes', 'Smartcar', 'Smartcar.node.js'))) {
			throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does)');
		}
		await ensureN8n();
		tgz = await packPackage(REPO);

		sim = await startSimulator({ fleet: e2eFleet(), clientId: APP.clientId, clientSecrets: [APP.clientSecret], managementToken: APP.managementToken });
		recorder = await startTokenRecorder(sim.tokenUrl);
		demoSim = await startSimulator({ fleet: demoFleet(), clientId: DEMO_APP.clientId, clientSecrets: [DEMO_APP.clientSecret], managementToken: DEMO_APP.managementToken });
		demoRecorder = await startTokenRecorder(demoSim.tokenUrl);

		const port = await freePort();
		const examples = loadExamples(`http://127.0.0.1:${port}`);
		// Like `npm start`: the examples' Smartcar webhook delivers to the low battery alert's Production URL.
		const seededWebhook = demoSim.webhooks.find((webhook) => webhook.id === DEFAULT_WEBHOOK_ID);
		const lowBatteryUrl = lowBatteryTriggerUrl(examples, `http://127.0.0.1:${port}`);
		if (!seededWebhook || !lowBatteryUrl) throw new Error('no seeded webhook in the simulator, or no low battery trigger in the examples');
		seededWebhook.callbackUri = lowBatteryUrl;
		const workflows = [...buildWorkflows(sim.apiBaseUrl), ...examples];
		const credential = smartcarCredential(CREDENTIAL, { ...APP, tokenUrl: recorder.url, apiBaseUrl: sim.apiBaseUrl, connectUrl: sim.connectUrl });
		const demo = demoCredential(
			{ tokenUrl: demoRecorder.url, apiBaseUrl: demoSim.apiBaseUrl, connectUrl: demoSim.connectUrl },
			{ clientId: DEMO_APP.clientId, clientSecret: DEMO_APP.clientSecret, managementToken: DEMO_APP.managementToken },
		);
		n8n = await startN8n({
			port,
			packageTgz: tgz,
			credentials: [credential, demo],
			workflows,
			// Published through the public API: validated like the editor's Publish button, one call each.
			publishViaApi: workflows.map((workflow) => workflow.id),
		});
		await waitForAllWebhooks();
		triggerUrl = n8n.webhookUrl(triggerPath(TRIGGER_WEBHOOK_ID));
		log.info(`ready in ${seconds(Date.now() - started)}; n8n timings ${JSON.stringify(n8n.timings)}`);
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await Promise.all([recorder?.close(), demoRecorder?.close(), sim?.close(), demoSim?.close()]);
		if (tgz) rmSync(dirname(tgz), { recursive: true, force: true });
	}, 120_000);

	describe('the package in n8n', () => {
		it('loads the action node, its AI-tool variant, the trigger (no tool variant) and the credential', () => {
			const { nodes, credentials } = n8n.loadedTypes();
			const ours = nodes.filter((name) => name.startsWith('n8n-nodes-smartcar.')).sort();
			expect(ours).toEqual([SMARTCAR_NODE_TYPE, `${SMARTCAR_NODE_TYPE}Tool`, SMARTCAR_TRIGGER_TYPE]);
			expect(nodes).not.toContain(`${SMARTCAR_TRIGGER_TYPE}Tool`);
			expect(credentials).toContain('smartcarApi');
			const ledger = JSON.parse(readFileSync(join(n8n.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
			const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
			expect(ledger.dependencies['n8n-nodes-smartcar']).toBe(version);
		});

		it('offers the Smartcar Trigger in versions 1, 2 and 3, version 3 for new nodes', () => {
			const types = JSON.parse(readFileSync(join(n8n.userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json'), 'utf8')) as Array<{
				name: string;
				version: number | number[];
				defaultVersion?: number;
			}>;
			const trigger = types.find((type) => type.name === SMARTCAR_TRIGGER_TYPE);
			expect(trigger).toEqual(expect.objectContaining({ version: [1, 2, 3], defaultVersion: 3 }));
		});

		it('offers the Webhook and Subscription resources, and the Webhook picker lists the application\'s webhooks', async () => {
			const types = JSON.parse(readFileSync(join(n8n.userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json'), 'utf8')) as Array<{
				name: string;
				properties: Array<{ name: string; options?: Array<{ value: unknown }> }>;
			}>;
			const smartcar = types.find((type) => type.name === SMARTCAR_NODE_TYPE);
			const resources = smartcar?.properties.find((property) => property.name === 'resource')?.options?.map((option) => option.value);
			expect(resources).toEqual(expect.arrayContaining(['webhook', 'subscription']));

			// What the editor asks n8n when the Webhook field's list opens: the picker's listSearch, run by n8n with the credential.
			const webhook = sim.addWebhook({ name: `Battery alerts ${suffix}` });
			const headers = await editorSession(n8n.baseUrl);
			const response = await http.post(
				`${n8n.baseUrl}/rest/dynamic-node-parameters/resource-locator-results`,
				{
					path: 'parameters.webhookId',
					nodeTypeAndVersion: { name: SMARTCAR_NODE_TYPE, version: 1 },
					methodName: 'searchWebhooks',
					filter: 'battery',
					currentNodeParameters: { resource: 'webhook', operation: 'get', webhookId: { __rl: true, mode: 'list', value: '' } },
					credentials: { smartcarApi: CREDENTIAL },
				},
				{ headers },
			);
			expect(response.status).toBe(200);
			const results = (response.data as { data: { results: Array<{ name: string; value: string }> } }).data.results;
			expect(results).toEqual([expect.objectContaining({ value: webhook.id, name: expect.stringContaining(`Battery alerts ${suffix}`) })]);
		});

		it('offers the Smartcar node in versions 1 and 2, version 2 for new nodes; the trigger\'s notices give the order that works', () => {
			const types = editorNodeTypes();
			expect(types.find((type) => type.name === SMARTCAR_NODE_TYPE)).toEqual(expect.objectContaining({ version: [1, 2], defaultVersion: 2 }));
			const trigger = types.find((type) => type.name === SMARTCAR_TRIGGER_TYPE);
			const steps = ['vehicleEventsNotice', 'subscriptionNotice'].map((name) => trigger?.properties.find((property) => property.name === name)?.displayName ?? '').join(' ');
			const order = ['<b>Publish</b> (<b>Active</b> on n8n 1.x)', 'Smartcar Dashboard → Webhooks', 'VERIFY', '<b>subscribed</b>'].map((text) => steps.indexOf(text));
			expect(order.every((index) => index >= 0)).toBe(true);
			expect(order).toEqual([...order].sort((a, b) => a - b));
			expect(steps).toContain('N8N_WEBHOOK_URL (WEBHOOK_URL on n8n 1.x)');
		});

		it('the User picker lists the application\'s users; the Vehicle picker lists only the chosen user\'s vehicles (versions 2 and 1)', async () => {
			const users = await pickerList({
				path: 'parameters.userId',
				version: 2,
				methodName: 'searchUsers',
				currentNodeParameters: { resource: 'signal', operation: 'get', userId: { __rl: true, mode: 'list', value: '' } },
			});
			expect(users.map((user) => user.value).sort()).toEqual(sim.fleet.users.map((user) => user.id).sort());
			expect(users.find((user) => user.value === bob().id)?.name).toContain(`${bob().id} (`);

			const aliceVehicles = vehiclesOf(sim.fleet, alice().id).map((vehicle) => vehicle.id).sort();
			const vehicleList = { resource: 'signal', operation: 'get', vehicleId: { __rl: true, mode: 'list', value: '' } };
			const picked = await pickerList({
				path: 'parameters.vehicleId',
				version: 2,
				methodName: 'searchVehicles',
				currentNodeParameters: { ...vehicleList, userId: { __rl: true, mode: 'list', value: alice().id, cachedResultName: users.find((user) => user.value === alice().id)?.name } },
			});
			expect(picked.map((vehicle) => vehicle.value).sort()).toEqual(aliceVehicles);
			const typed = await pickerList({ path: 'parameters.vehicleId', version: 1, methodName: 'searchVehicles', currentNodeParameters: { ...vehicleList, userId: alice().id } });
			expect(typed.map((vehicle) => vehicle.value).sort()).toEqual(aliceVehicles);
		});
	});

	describe('Smartcar node in published Webhook workflows', () => {
		it('Connection → Get Many with Return All follows every page: 250 connections of one user', async () => {
			const owner = sim.fleet.users[0];
			const mark = sim.stats.requests.length;
			const response = await call(PATH.connections, [{ userId: owner.id }]);
			expect(response.status).toBe(200);
			const items = asItems(response.data);
			expect(items).toHaveLength(250);
			expect(new Set(items.map((item) => item.vehicleId)).size).toBe(250);
			expect(items.every((item) => item.userId === owner.id)).toBe(true);
			expect(items[0]).toEqual(
				expect.objectContaining({ id: expect.any(String), connectedAt: expect.any(String), vehicle: expect.objectContaining({ make: expect.any(String), powertrainType: 'BEV' }) }),
			);
			const pages = requestsSince(mark).filter((request) => request.path === '/v3/connections');
			expect(pages).toHaveLength(3);
			expect(pages.every((page) => page.userId === owner.id && page.status === 200)).toBe(true);

			const execution = await nextExecution(WF.connections);
			expect(execution.status).toBe('success');
			expect(nodeOutput(execution, 'Smartcar')).toHaveLength(250);
			expect(sim.stats.tokenExchanges).toBe(1);
		});

		it('Vehicle → Get', async () => {
			const vehicle = vehicleOf(1, 0);
			const response = await call(PATH.vehicle, [{ userId: alice().id, vehicleId: vehicle.id }]);
			expect(response.status).toBe(200);
			expect(asItems(response.data)).toEqual([
				{ id: vehicle.id, userId: alice().id, make: vehicle.make, model: vehicle.model, year: vehicle.year, mode: 'live', powertrainType: 'BEV' },
			]);
			expect((await nextExecution(WF.vehicle)).status).toBe('success');
		});

		it('Signal → Get Many reads every signal with ONE API call per vehicle', async () => {
			const vehicles = vehiclesOf(sim.fleet, bob().id);
			expect(vehicles).toHaveLength(3);
			const mark = sim.stats.requests.length;
			const response = await call(
				PATH.signals,
				vehicles.map((vehicle) => ({ userId: bob().id, vehicleId: vehicle.id })),
			);
			expect(response.status).toBe(200);
			const items = asItems(response.data);
			expect(items.map((item) => item.vehicleId)).toEqual(vehicles.map((vehicle) => vehicle.id));
			for (const [index, vehicle] of vehicles.entries()) {
				const signals = items[index].signals;
				expect(isObject(signals)).toBe(true);
				if (isObject(signals)) expect(signals[CODES.odometer]).toBe(numberValue(vehicle, CODES.odometer));
			}
			const bev = vehicles.find((vehicle) => vehicle.powertrainType === 'BEV') as SimVehicle;
			const bevSignals = items.find((item) => item.vehicleId === bev.id)?.signals;
			expect(isObject(bevSignals) ? bevSignals[CODES.soc] : undefined).toBe(numberValue(bev, CODES.soc));
			const calls = requestsSince(mark).filter((request) => request.path.startsWith('/v3/vehicles/'));
			expect(calls.map((request) => request.path).sort()).toEqual(vehicles.map((vehicle) => `/v3/vehicles/${vehicle.id}/signals`).sort());
			expect((await nextExecution(WF.signals)).status).toBe('success');
		});

		it('Signal → Get reads one signal', async () => {
			const vehicle = vehicleOf(2, 0);
			const mark = sim.stats.requests.length;
			const response = await call(PATH.signal, [{ userId: bob().id, vehicleId: vehicle.id }]);
			expect(response.status).toBe(200);
			const [item] = asItems(response.data);
			expect(item).toEqual(
				expect.objectContaining({ vehicleId: vehicle.id, userId: bob().id, code: CODES.odometer, value: numberValue(vehicle, CODES.odometer), unit: 'km', status: 'SUCCESS' }),
			);
			expect(requestsSince(mark).map((request) => request.path)).toEqual([`/v3/vehicles/${vehicle.id}/signals/${CODES.odometer}`]);
			expect((await nextExecution(WF.signal)).status).toBe('success');
		});

		it('a version-2 node (User mapped By ID) reads like version 1; a permission the driver withheld is named in the error', async () => {
			const vehicle = vehicleOf(2, 2);
			const granted = sim.fleet.connections.find((connection) => connection.vehicleId === vehicle.id)?.permissions ?? [];
			const response = await call(PATH.signalV2, [{ userId: bob().id, vehicleId: vehicle.id }]);
			expect(asItems(response.data)).toEqual([expect.objectContaining({ vehicleId: vehicle.id, userId: bob().id, code: CODES.soc, value: numberValue(vehicle, CODES.soc) })]);
			expect((await nextExecution(WF.signalV2)).status).toBe('success');

			setPermissions(sim.fleet, bob().id, vehicle.id, granted.filter((permission) => permission !== 'read_battery'));
			try {
				const denied = asItems((await call(PATH.signalV2, [{ userId: bob().id, vehicleId: vehicle.id }])).data);
				expect(denied).toEqual([expect.objectContaining({ httpCode: '403', error: expect.stringContaining('the user did not grant the permission Read Battery (read_battery)') })]);
				expect(String(denied[0].description)).toContain('send the driver a new Connect link that asks for it');
				await nextExecution(WF.signalV2);
			} finally {
				setPermissions(sim.fleet, bob().id, vehicle.id, granted);
			}
		});

		it('Command → Lock locks the vehicle in the fleet', async () => {
			const vehicle = vehicleOf(1, 1);
			setLocked(vehicle, false);
			const response = await call(PATH.lock, [{ userId: alice().id, vehicleId: vehicle.id }]);
			expect(response.status).toBe(200);
			expect(asItems(response.data)).toEqual([
				expect.objectContaining({ vehicleId: vehicle.id, userId: alice().id, command: 'lock', commandType: 'security-lock', status: 'SUCCESS', pending: false }),
			]);
			expect(booleanValue(vehicle, CODES.isLocked)).toBe(true);
			expect((await nextExecution(WF.lock)).status).toBe('success');
		});

		it('Continue On Fail: a 409 and a 404 become error items, the other item is locked', async () => {
			const [good, asleep] = vehiclesOf(sim.fleet, bob().id);
			setLocked(good, false);
			setLocked(asleep, false);
			const missing = randomUUID();
			sim.failNext({ method: 'POST', path: `/v3/vehicles/${asleep.id}/commands/security/lock`, ...smartcarErrors.vehicleState('ASLEEP') });
			const response = await call(PATH.lock, [
				{ userId: bob().id, vehicleId: good.id },
				{ userId: bob().id, vehicleId: asleep.id },
				{ userId: bob().id, vehicleId: missing },
			]);
			expect(response.status).toBe(200);
			const [ok, conflict, notFound] = asItems(response.data);
			expect(ok).toEqual(expect.objectContaining({ vehicleId: good.id, status: 'SUCCESS' }));
			expect(conflict).toEqual(expect.objectContaining({ error: expect.stringMatching(/asleep/i), httpCode: '409' }));
			expect(notFound).toEqual(expect.objectContaining({ error: expect.any(String), httpCode: '404' }));
			expect(booleanValue(good, CODES.isLocked)).toBe(true);
			expect(booleanValue(asleep, CODES.isLocked)).toBe(false);

			const execution = await nextExecution(WF.lock);
			expect(execution.status).toBe('success');
			const nodeRuns = execution.data?.resultData.runData.Smartcar ?? [];
			const paired = (nodeRuns[0]?.data?.main?.[0] ?? []).map((item) => item.pairedItem);
			expect(paired).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		});

		it('Continue On Fail on Signal → Get Many: an unknown vehicle is an error item, the other reads', async () => {
			const vehicle = vehicleOf(1, 0);
			const response = await call(PATH.signals, [
				{ userId: alice().id, vehicleId: randomUUID() },
				{ userId: alice().id, vehicleId: vehicle.id },
			]);
			expect(response.status).toBe(200);
			const [failed, read] = asItems(response.data);
			expect(failed).toEqual(expect.objectContaining({ httpCode: '404', error: expect.any(String) }));
			expect(read).toEqual(expect.objectContaining({ vehicleId: vehicle.id, signals: expect.any(Object) }));
			expect((await nextExecution(WF.signals)).status).toBe('success');
		});

		it('without Continue On Fail a Smartcar error fails the execution with a readable message', async () => {
			const response = await call(PATH.vehicle, [{ userId: alice().id, vehicleId: randomUUID() }]);
			expect(response.status).toBe(500);
			const execution = await nextExecution(WF.vehicle);
			expect(execution.status).toBe('error');
			const message = execution.data?.resultData.error?.message ?? '';
			expect(message).toMatch(/not found|404/i);
			expect(execution.data?.resultData.lastNodeExecuted).toBe('Smartcar');
		});
	});

	describe('safety: one origin per credential, commands at most once', () => {
		it('an API answer redirecting to another origin is not followed: nothing reaches it, the item is an error', async () => {
			const vehicle = vehicleOf(1, 0);
			const other = await startOtherOrigin();
			try {
				sim.failNext({ path: `/v3/vehicles/${vehicle.id}/signals`, status: 302, headers: { location: `${other.origin}/collect` } });
				const response = await call(PATH.signals, [{ userId: alice().id, vehicleId: vehicle.id }]);
				expect(response.status).toBe(200);
				expect(asItems(response.data)).toEqual([
					expect.objectContaining({ error: `Smartcar answered with a redirect (HTTP 302) to ${other.origin}; it was not followed`, httpCode: '302' }),
				]);
				expect(other.received).toHaveLength(0);
				expect((await nextExecution(WF.signals)).status).toBe('success');
			} finally {
				await other.close();
			}
		});

		it('a command answered 502 is sent once, and the error says it may have run and what to read', async () => {
			const vehicle = vehicleOf(1, 1);
			const path = `/v3/vehicles/${vehicle.id}/commands/security/lock`;
			sim.failNext({ method: 'POST', path, ...smartcarErrors.upstream(), times: 5 });
			const mark = sim.stats.requests.length;
			const response = await call(PATH.lock, [{ userId: alice().id, vehicleId: vehicle.id }]);
			expect(response.status).toBe(200);
			const [item] = asItems(response.data);
			expect(item.error).toMatch(/^Smartcar did not confirm the request; it may or may not have been carried out \(HTTP 502/);
			expect(String(item.description)).toContain('closure-islocked');
			expect(requestsSince(mark).filter((request) => request.method === 'POST' && request.path === path)).toHaveLength(1);
			sim.clearFaults();
			expect((await nextExecution(WF.lock)).status).toBe('success');
		});
	});

	describe("n8n's HTTP Request node with the Smartcar credential", () => {
		it('Predefined Credential Type → Smartcar API reaches the API with the stored token', async () => {
			const vehicle = vehicleOf(1, 0);
			const mark = sim.stats.requests.length;
			const response = await http.post(n8n.webhookUrl(PATH.httpRequest), { vehicleId: vehicle.id, userId: alice().id }, { timeout: 90_000 });
			expect(response.status).toBe(200);
			const [body] = asItems(response.data);
			expect(JSON.stringify(body)).toContain(vehicle.id);
			const [request] = requestsSince(mark);
			expect(request).toEqual(expect.objectContaining({ method: 'GET', path: `/v3/vehicles/${vehicle.id}`, userId: alice().id, status: 200 }));
			expect(request.token).toBe(recorder.tokens[recorder.tokens.length - 1]);
			expect((await nextExecution(WF.httpRequest)).status).toBe('success');
		});

		// n8n's HTTP Request node (legacy requestWithAuthentication) asks the credential to renew after ANY failed
		// request and sends the request again when it returns a token.
		it('a command POSTed by HTTP Request and answered 502 is sent once, and costs no token exchange', async () => {
			const vehicle = vehicleOf(1, 1);
			const path = `/v3/vehicles/${vehicle.id}/commands/security/lock`;
			sim.failNext({ method: 'POST', path, ...smartcarErrors.upstream(), times: 5 });
			const mark = sim.stats.requests.length;
			const exchanges = sim.stats.tokenExchanges;
			const response = await http.post(n8n.webhookUrl(PATH.httpLock), { vehicleId: vehicle.id, userId: alice().id }, { timeout: 90_000 });
			sim.clearFaults();
			expect(response.status).toBe(500);
			expect(requestsSince(mark).filter((request) => request.method === 'POST' && request.path === path)).toHaveLength(1);
			expect(sim.stats.tokenExchanges).toBe(exchanges);
			expect((await nextExecution(WF.httpLock)).status).toBe('error');
		});

		it('a read answered 429 is sent once and costs no token exchange', async () => {
			const vehicle = vehicleOf(1, 0);
			const path = `/v3/vehicles/${vehicle.id}`;
			sim.failNext({ method: 'GET', path, ...smartcarErrors.applicationRateLimit(1), times: 5 });
			const mark = sim.stats.requests.length;
			const exchanges = sim.stats.tokenExchanges;
			const response = await http.post(n8n.webhookUrl(PATH.httpRequest), { vehicleId: vehicle.id, userId: alice().id }, { timeout: 90_000 });
			sim.clearFaults();
			expect(response.status).toBe(500);
			expect(requestsSince(mark).filter((request) => request.path === path)).toHaveLength(1);
			expect(sim.stats.tokenExchanges).toBe(exchanges);
			expect((await nextExecution(WF.httpRequest)).status).toBe('error');
		});
	});

	describe('the credential', () => {
		it('exchanged the client credentials once for all executions so far', () => {
			expect(sim.stats.tokenExchanges).toBe(1);
			expect(sim.stats.failedTokenExchanges).toBe(0);
			expect(recorder.tokens).toHaveLength(1);
			const tokensUsed = new Set(sim.stats.requests.filter((request) => request.path.startsWith('/v3')).map((request) => request.token));
			expect([...tokensUsed]).toEqual(recorder.tokens);
		});
	});

	// Issue #20: the credential never sends a token in its last minute (a placeholder whose 401 proves nothing ran),
	// so HTTP Request's renewal after a failure can only follow a request that did not run.
	describe("HTTP Request with the credential's token in its last minute", () => {
		it('an unlock answered 502 reaches Smartcar once, with a valid token', async () => {
			const vehicle = vehicleOf(1, 1);
			// The Smartcar node renews a revoked token; Smartcar gives the new one 62 s, so it is in its last minute at once.
			sim.setOptions({ tokenLifetimeSeconds: 62 });
			sim.expireTokens();
			expect((await call(PATH.vehicle, [{ userId: alice().id, vehicleId: vehicle.id }])).status).toBe(200);
			expect((await nextExecution(WF.vehicle)).status).toBe('success');
			const lastMinute = recorder.tokens[recorder.tokens.length - 1];
			sim.setOptions({ tokenLifetimeSeconds: 3600 });
			await sleep(3_000);

			const path = `/v3/vehicles/${vehicle.id}/commands/security/unlock`;
			sim.failNext({ method: 'POST', path, ...smartcarErrors.upstream(), times: 5, authenticated: true });
			const mark = sim.stats.requests.length;
			const response = await http.post(n8n.webhookUrl(PATH.httpLock), { vehicleId: vehicle.id, userId: alice().id, command: 'unlock' }, { timeout: 90_000 });
			sim.clearFaults();
			expect(response.status).toBe(500);
			const posts = requestsSince(mark).filter((request) => request.method === 'POST' && request.path === path);
			const renewed = recorder.tokens[recorder.tokens.length - 1];
			log.info(`unlock with a token in its last minute: ${posts.map((post) => post.status).join(', ')}`);
			expect(renewed).not.toBe(lastMinute);
			expect(posts.map((post) => [post.status, post.token])).toEqual([
				[401, 'withheld-renew-first'],
				[502, renewed],
			]);
			expect((await nextExecution(WF.httpLock)).status).toBe('error');
		});
	});

	describe('Smartcar Trigger on its production URL', () => {
		it("answers Smartcar's VERIFY with the HMAC of the challenge, without an execution", async () => {
			const challenge = randomBytes(24).toString('hex');
			const response = await deliver(verifyPayload(challenge));
			expect(isValidVerifyAnswer(response, challenge, APP.managementToken)).toBe(true);
			expect(await triggerExecutionCount()).toBe(0);
		});

		it.each([['docs' as const], ['real' as const]])('a signed VEHICLE_STATE (%s form) starts the workflow with userId and vehicleId', async (form) => {
			const vehicle = vehicleOf(1, 0);
			const payload = vehicleStatePayload(sim.fleet, vehicle.id, { form, signals: [CODES.soc, CODES.isLocked], triggerSignals: [CODES.soc] });
			const response = await deliver(payload);
			expect(response.status).toBe(200);
			expect(response.json).toEqual({ status: 'received', eventId: payload.eventId });
			acceptedEventIds.push(String(payload.eventId));
			const execution = await triggerExecutionFor(String(payload.eventId));
			expect(execution.status).toBe('success');
			expect(execution.mode).toBe('webhook');
			const [item] = nodeOutput(execution, 'Smartcar Trigger');
			expect(item).toEqual(expect.objectContaining({ eventType: 'VEHICLE_STATE', userId: alice().id, vehicleId: vehicle.id, triggers: [CODES.soc] }));
			expect(item.signals).toEqual(
				expect.arrayContaining([expect.objectContaining({ code: CODES.soc, value: numberValue(vehicle, CODES.soc), unit: 'percent', status: 'SUCCESS' })]),
			);
		});

		it('a version-1 trigger (workflows saved before version 2) answers VERIFY, refuses unsigned deliveries and starts the same item', async () => {
			const v1Url = n8n.webhookUrl(triggerPath(TRIGGER_V1_WEBHOOK_ID));
			const send = async (payload: JsonObject, options: { omitSignature?: boolean } = {}) =>
				await sendWebhook(v1Url, payload, { managementToken: APP.managementToken, timeoutMs: 30_000, ...options });
			const challenge = randomBytes(24).toString('hex');
			expect(isValidVerifyAnswer(await send(verifyPayload(challenge)), challenge, APP.managementToken)).toBe(true);

			const vehicle = vehicleOf(1, 0);
			const payload = vehicleStatePayload(sim.fleet, vehicle.id, { form: 'real', signals: [CODES.soc], triggerSignals: [CODES.soc] });
			expect((await send(payload, { omitSignature: true })).status).toBe(401);
			const response = await send(payload);
			expect(response.json).toEqual({ status: 'received', eventId: payload.eventId });
			const execution = await triggerExecutionFor(String(payload.eventId), WF.triggerV1);
			expect(execution.status).toBe('success');
			const [item] = nodeOutput(execution, 'Smartcar Trigger');
			expect(item).toEqual(expect.objectContaining({ eventType: 'VEHICLE_STATE', userId: alice().id, vehicleId: vehicle.id, triggers: [CODES.soc] }));
			expect((await n8n.listExecutions(WF.triggerV1)).length).toBe(1);
		});

		it('Check Smartcar Webhook on Publish does not block the first publish: no Smartcar webhook has the URL yet, the trigger is live and answers VERIFY, and n8n\'s log says to add the webhook', async () => {
			const url = n8n.webhookUrl(triggerPath(TRIGGER_CHECKED_WEBHOOK_ID));
			expect(sim.webhooks.filter((webhook) => webhook.callbackUri === url)).toEqual([]);

			const challenge = randomBytes(16).toString('hex');
			const response = await sendWebhook(url, verifyPayload(challenge), { managementToken: APP.managementToken, timeoutMs: 30_000 });

			expect(isValidVerifyAnswer(response, challenge, APP.managementToken)).toBe(true);
			expect(readFileSync(n8n.logFile, 'utf8')).toContain(`is published, but Smartcar has no enabled webhook with its Production URL ${url} yet`);
		});

		it('a signed VEHICLE_ERROR starts the workflow with the errors', async () => {
			const vehicle = vehicleOf(2, 1);
			const payload = vehicleErrorPayload(sim.fleet, vehicle.id, { kind: 'compatibility' });
			const response = await deliver(payload);
			expect(response.json).toEqual({ status: 'received', eventId: payload.eventId });
			acceptedEventIds.push(String(payload.eventId));
			const [item] = nodeOutput(await triggerExecutionFor(String(payload.eventId)), 'Smartcar Trigger');
			expect(item).toEqual(expect.objectContaining({ eventType: 'VEHICLE_ERROR', userId: bob().id, vehicleId: vehicle.id }));
			expect(item.errors).toEqual([expect.objectContaining({ type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE', state: 'ERROR' })]);
		});

		it('forged, unsigned and wrongly keyed deliveries get 401 and start nothing (and do not block the genuine one)', async () => {
			const before = await triggerExecutionCount(0);
			const payload = vehicleStatePayload(sim.fleet, vehicleOf(1, 1).id, { form: 'real' });
			const text = JSON.stringify(payload);
			const forged = await deliver(text, { signature: 'ab'.repeat(32) });
			const unsigned = await deliver(text, { omitSignature: true });
			const wrongKey = await deliver(text, { signature: signBody(text, APP.clientSecret) });
			expect([forged.status, unsigned.status, wrongKey.status]).toEqual([401, 401, 401]);
			expect(await triggerExecutionCount()).toBe(before);

			const genuine = await deliver(payload);
			expect(genuine.json).toEqual({ status: 'received', eventId: payload.eventId });
			acceptedEventIds.push(String(payload.eventId));
			await triggerExecutionFor(String(payload.eventId));
		});

		it('several distinct events each run once; each resend answers "duplicate" and runs nothing', async () => {
			const before = await triggerExecutionCount(0);
			const events = [0, 1, 2, 3].map((index) =>
				index === 3
					? vehicleErrorPayload(sim.fleet, vehicleOf(2, 0).id, { kind: 'permission' })
					: vehicleStatePayload(sim.fleet, vehicleOf(index === 2 ? 2 : 1, index % 2).id, { form: index % 2 === 0 ? 'docs' : 'real' }),
			);
			for (const payload of events) {
				const first = await deliver(payload);
				expect(first.json).toEqual({ status: 'received', eventId: payload.eventId });
				acceptedEventIds.push(String(payload.eventId));
				const resend = await deliver(payload);
				expect(resend.status).toBe(200);
				expect(resend.json).toEqual({ status: 'duplicate', eventId: payload.eventId });
			}
			for (const payload of events) await triggerExecutionFor(String(payload.eventId));
			expect(await triggerExecutionCount()).toBe(before + events.length);
		});

		it('two concurrent deliveries of one event start one execution (the other is a duplicate, or 409 while the first is handed to n8n)', async () => {
			const before = await triggerExecutionCount(0);
			const payload = vehicleStatePayload(sim.fleet, vehicleOf(1, 0).id, { form: 'real' });
			const answers = await Promise.all([deliver(payload), deliver(payload)]);
			const statuses = answers.map((answer) => `${answer.status} ${isObject(answer.json) ? String(answer.json.status) : ''}`);
			// One is received; the other is a duplicate, or 409 while the first is handed to n8n (sorting them put
			// "409 inProgress" after "200 received" and failed this spec whenever the copy came in that moment).
			expect(statuses.filter((status) => status === '200 received')).toHaveLength(1);
			expect(['200 duplicate', '409 inProgress']).toContain(statuses.find((status) => status !== '200 received'));
			acceptedEventIds.push(String(payload.eventId));
			await triggerExecutionFor(String(payload.eventId));
			expect(await triggerExecutionCount()).toBe(before + 1);
		});

		it('distinct events arriving together each run once', async () => {
			const before = await triggerExecutionCount(0);
			const events = [0, 1, 2].map(() => vehicleStatePayload(sim.fleet, vehicleOf(1, 0).id, { form: 'real' }));
			const answers = await Promise.all(events.map(async (payload) => await deliver(payload)));
			expect(answers.map((answer) => answer.json)).toEqual(events.map((payload) => ({ status: 'received', eventId: payload.eventId })));
			concurrentEventIds.push(...events.map((payload) => String(payload.eventId)));
			for (const payload of events) await triggerExecutionFor(String(payload.eventId));
			expect(await triggerExecutionCount()).toBe(before + events.length);
		});

		// n8n 2.x saves the trigger's record with a delivery the trigger answers itself (here a resend, answered
		// "duplicate"), not with one that starts a run (n8n resets its "static data changed" flag while it builds the
		// execution): the record then holds every event acknowledged so far.
		it('keeps every acknowledged event in the workflow static data once n8n saves a delivery the trigger answered itself', async () => {
			const known = [...acceptedEventIds, ...concurrentEventIds];
			const resend = await deliver(vehicleStatePayload(sim.fleet, vehicleOf(1, 0).id, { form: 'real', eventId: acceptedEventIds[0] }));
			expect(resend.json).toEqual({ status: 'duplicate', eventId: acceptedEventIds[0] });
			const stored = await storedEventIds(known);
			log.info(`static data holds ${stored.length} of ${known.length} acknowledged event ids`);
			expect(stored.sort()).toEqual([...known].sort());
		});
	});

	// What n8n's own server does around the trigger's webhook(), which the trigger specs (test/trigger, a mocked n8n
	// context) leave to n8n: parse bodies per node version, refuse what it cannot parse, route by method, keep a
	// "Listen for test event" open.
	describe("n8n's own handling around the Smartcar Trigger", () => {
		it('a body that is not the JSON its content type claims is answered 422 by n8n itself; nothing runs', async () => {
			const before = await triggerExecutionCount(0);
			const broken = '{"eventId":"broken","eventType":"VEHICLE_STATE",';
			const response = await deliver(broken);
			expect(response.status).toBe(422);
			expect(response.json).toMatchObject({ code: 422, message: 'Failed to parse request body' });
			expect(await triggerExecutionCount()).toBe(before);
		});

		it('version 2: a signed event sent as text/plain or application/octet-stream reaches the trigger whole and runs', async () => {
			for (const contentType of ['text/plain', 'application/octet-stream']) {
				const payload = vehicleStatePayload(sim.fleet, vehicleOf(1, 0).id, { form: 'real' });
				const response = await deliver(payload, { headers: { 'Content-Type': contentType } });
				expect({ contentType, answer: response.json }).toEqual({ contentType, answer: { status: 'received', eventId: payload.eventId } });
				const [item] = nodeOutput(await triggerExecutionFor(String(payload.eventId)), 'Smartcar Trigger');
				expect(item).toEqual(expect.objectContaining({ eventId: payload.eventId, userId: alice().id }));
			}
		});

		it('a signed form body is parsed by n8n, yet the trigger reads its raw bytes: not JSON, 400, nothing runs', async () => {
			const before = await triggerExecutionCount(0);
			const response = await deliver('eventType=VEHICLE_STATE', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
			expect([response.status, response.json]).toEqual([400, { error: 'The request body is not a JSON object. Smartcar sends JSON webhooks.' }]);
			expect(await triggerExecutionCount()).toBe(before);
		});

		it('a Connect Redirect trigger is registered for GET only: a POST is n8n\'s 404 naming GET', async () => {
			const response = await http.post(n8n.webhookUrl(triggerPath(REDIRECT_WEBHOOK_ID)), {}, { timeout: 30_000 });
			expect(response.status).toBe(404);
			expect(JSON.stringify(response.data)).toContain('Did you mean to make a GET request?');
		});

		it('the Test URL: VERIFY is answered and keeps "Listen for test event" open; the next signed event runs once, in manual mode', async () => {
			const testUrl = `${n8n.baseUrl}/webhook-test/${triggerPath(TRIGGER_WEBHOOK_ID)}`;
			const listen = await http.post(`${n8n.baseUrl}/rest/workflows/${WF.trigger}/run`, { triggerToStartFrom: { name: 'Smartcar Trigger' } }, { headers: await editorSession(n8n.baseUrl) });
			expect([listen.status, listen.data]).toEqual([200, { data: { waitingForWebhook: true } }]);
			const challenge = randomBytes(16).toString('hex');
			expect(isValidVerifyAnswer(await sendWebhook(testUrl, verifyPayload(challenge), { managementToken: APP.managementToken }), challenge, APP.managementToken)).toBe(true);

			const payload = vehicleStatePayload(sim.fleet, vehicleOf(1, 0).id, { form: 'real' });
			const send = async () => await sendWebhook(testUrl, payload, { managementToken: APP.managementToken, timeoutMs: 30_000 });
			expect((await send()).json).toEqual({ status: 'received', eventId: payload.eventId });
			const execution = await triggerExecutionFor(String(payload.eventId));
			expect(execution.mode).toBe('manual');
			// One event per "Listen for test event": the Test URL is gone again.
			expect((await send()).status).toBe(404);
		});
	});

	describe('Connect links: once, and only at the trigger they name', () => {
		it('a fresh link works at its own trigger (a second Connect Redirect trigger of the demo credential), once', async () => {
			const secondUrl = n8n.webhookUrl(triggerPath(REDIRECT_WEBHOOK_ID));
			const driver = demoSim.fleet.users[0];
			const { approve } = await connectLinkFor(secondUrl, `second-${suffix}`, driver.id);
			expect(approve.startsWith(`${secondUrl}?`)).toBe(true);
			const back = await http.get(approve, { timeout: 30_000 });
			expect(back.status).toBe(200);
			expect(String(back.data)).toContain('Vehicle connected');
			const execution = await nextExecution(WF.redirect);
			expect(nodeOutput(execution, 'Driver connected')).toEqual([{ userId: driver.id, state: `second-${suffix}` }]);
			usedAtSecondTrigger = approve;

			expect((await http.get(approve, { timeout: 30_000 })).status).toBe(409);
			expect(await redirectExecutionCount(WF.redirect)).toBe(runs.get(WF.redirect));
			const rows = await n8n.dbQuery('SELECT staticData FROM workflow_entity WHERE id = ?', [WF.redirect]);
			const raw = rows[0]?.staticData;
			const stored: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
			log.info(`the second trigger's static data after one used link: ${JSON.stringify(stored)}`);
			const links = isObject(stored) && isObject(stored.global) ? stored.global.smartcarConnectLinks : undefined;
			expect(isObject(links) ? Object.values(links).join('') : undefined).toMatch(/^[A-Za-z0-9_-]{12}u$/);
		});

		it('a version-3 trigger checked by Expected Value Only compares the State with its Expected State field', async () => {
			const url = n8n.webhookUrl(triggerPath(REDIRECT_EXPECTED_WEBHOOK_ID));
			const driver = demoSim.fleet.users[0];
			const wrong = await http.get(`${url}?${new URLSearchParams({ user_id: driver.id, state: `other-${suffix}` }).toString()}`, { timeout: 30_000 });
			expect({ status: wrong.status, page: /<h1>Link not valid<\/h1>/.test(String(wrong.data)) }).toEqual({ status: 400, page: true });
			expect(await redirectExecutionCount(WF.redirectExpected)).toBe(0);

			const right = await http.get(`${url}?${new URLSearchParams({ user_id: driver.id, state: EXPECTED_STATE }).toString()}`, { timeout: 30_000 });
			expect({ status: right.status, page: String(right.data).includes('Vehicle connected') }).toEqual({ status: 200, page: true });
			const execution = await nextExecution(WF.redirectExpected);
			expect(nodeOutput(execution, 'Driver connected')).toEqual([{ userId: driver.id, state: EXPECTED_STATE }]);
		});

		it('an unused link starts at most 5 error runs; the 6th error redirect gets 429 and starts nothing', async () => {
			const secondUrl = n8n.webhookUrl(triggerPath(REDIRECT_WEBHOOK_ID));
			const { deny } = await connectLinkFor(secondUrl, `denied-${suffix}`, demoSim.fleet.users[0].id);
			const statuses: number[] = [];
			for (let attempt = 0; attempt < 6; attempt++) {
				statuses.push((await http.get(deny, { timeout: 30_000 })).status);
				if (attempt < 5) await nextExecution(WF.redirect);
			}
			expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
			expect(await redirectExecutionCount(WF.redirect)).toBe(runs.get(WF.redirect));
		});
	});

	describe('after an n8n restart (same user folder)', () => {
		beforeAll(async () => {
			const started = Date.now();
			await n8n.restart();
			await waitForAllWebhooks();
			log.info(`restarted in ${seconds(Date.now() - started)}`);
		}, 5 * 60_000);

		it('uses the token n8n stored: no new exchange', async () => {
			const before = sim.stats.tokenExchanges;
			const vehicle = vehicleOf(1, 0);
			const response = await call(PATH.vehicle, [{ userId: alice().id, vehicleId: vehicle.id }]);
			expect(response.status).toBe(200);
			expect(asItems(response.data)[0]).toEqual(expect.objectContaining({ id: vehicle.id }));
			expect(sim.stats.tokenExchanges).toBe(before);
			expect(sim.stats.requests[sim.stats.requests.length - 1].token).toBe(recorder.tokens[recorder.tokens.length - 1]);
			expect((await nextExecution(WF.vehicle)).status).toBe('success');
		});

		/** Resends each event once, one at a time; returns the answers. */
		async function resend(eventIds: string[]): Promise<unknown[]> {
			const answers: unknown[] = [];
			for (const eventId of eventIds) {
				const payload = vehicleStatePayload(sim.fleet, vehicleOf(1, 0).id, { form: 'real', eventId });
				answers.push((await deliver(payload)).json);
			}
			const ran = answers.filter((answer) => isObject(answer) && answer.status === 'received').length;
			log.info(`after the restart: ${ran} of ${eventIds.length} resent events ran again`);
			return answers;
		}

		it('a resend of every event accepted (one at a time) before the restart is a duplicate: static data survived', async () => {
			const before = await triggerExecutionCount(0);
			expect(await resend(acceptedEventIds)).toEqual(acceptedEventIds.map((eventId) => ({ status: 'duplicate', eventId })));
			expect(await triggerExecutionCount()).toBe(before);
		});

		it('a Connect link used before the restart is still refused: its memory is in the workflow\'s static data', async () => {
			if (!usedAtSecondTrigger) throw new Error('the Connect link spec did not run');
			const before = await redirectExecutionCount(WF.redirect, 0);
			const replay = await http.get(usedAtSecondTrigger, { timeout: 30_000 });
			expect(replay.status).toBe(409);
			expect(String(replay.data)).toContain('Link already used');
			expect(await redirectExecutionCount(WF.redirect)).toBe(before);
		});

		it('a resend of events that arrived together before the restart is a duplicate too', async () => {
			const before = await triggerExecutionCount(0);
			const answers = await resend(concurrentEventIds);
			const ranAgain = await triggerExecutionCount();
			expect({ answers, ranAgain: ranAgain - before }).toEqual({
				answers: concurrentEventIds.map((eventId) => ({ status: 'duplicate', eventId })),
				ranAgain: 0,
			});
		});

		it('renews the token exactly once after Smartcar expires it, even for concurrent executions', async () => {
			const before = sim.stats.tokenExchanges;
			const tokensBefore = recorder.tokens.length;
			sim.expireTokens();
			const vehicles = [vehicleOf(1, 0), vehicleOf(1, 1), vehicleOf(1, 0), vehicleOf(1, 1)];
			const responses = await Promise.all(vehicles.map(async (vehicle) => await call(PATH.vehicle, [{ userId: alice().id, vehicleId: vehicle.id }])));
			expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
			expect(sim.stats.tokenExchanges).toBe(before + 1);
			expect(recorder.tokens).toHaveLength(tokensBefore + 1);
			runs.set(WF.vehicle, (runs.get(WF.vehicle) ?? 0) + 3);
			await nextExecution(WF.vehicle);

			// …and the renewed token is what every later request uses (stored again by n8n).
			const again = await call(PATH.signal, [{ userId: alice().id, vehicleId: vehicles[0].id }]);
			expect(again.status).toBe(200);
			expect(sim.stats.tokenExchanges).toBe(before + 1);
			expect(sim.stats.requests[sim.stats.requests.length - 1].token).toBe(recorder.tokens[recorder.tokens.length - 1]);
			await nextExecution(WF.signal);
		});
	});

	describe('the example workflows (loadExamples + demoCredential, published through the public API)', () => {
		it('low-battery-alert: a signed VEHICLE_STATE with state of charge below 20 composes the alert', async () => {
			const vehicle = demoSim.fleet.vehicles.find((candidate) => candidate.powertrainType === 'BEV') as SimVehicle;
			updateSignal(vehicle, CODES.soc, { value: 12, unit: 'percent' });
			const payload = vehicleStatePayload(demoSim.fleet, vehicle.id, { form: 'real', signals: [CODES.soc, CODES.odometer], triggerSignals: [CODES.soc] });
			const response = await sendWebhook(n8n.webhookUrl('smartcar-low-battery/webhook'), payload, { managementToken: DEMO_APP.managementToken, timeoutMs: 30_000 });
			expect(response.json).toEqual({ status: 'received', eventId: payload.eventId });
			const execution = await nextExecution(EXAMPLE.lowBattery);
			expect(execution.status).toBe('success');
			expect(nodeOutput(execution, 'Compose alert')).toEqual([
				{
					alert: `Battery low: ${vehicle.year} ${vehicle.make} ${vehicle.model} is at 12 %`,
					userId: demoSim.fleet.connections.find((connection) => connection.vehicleId === vehicle.id)?.userId,
					vehicleId: vehicle.id,
					stateOfCharge: 12,
				},
			]);
		});

		it('fleet-report: POST /webhook/smartcar-fleet-report answers with the report of the whole fleet', async () => {
			const mark = demoSim.stats.requests.length;
			const response = await http.post(n8n.webhookUrl('smartcar-fleet-report'), {}, { timeout: 90_000 });
			expect(response.status).toBe(200);
			const report = response.data as unknown;
			if (!isObject(report)) throw new Error(`not a report: ${JSON.stringify(report)}`);
			const fleet = demoSim.fleet;
			expect(report.vehicles).toBe(fleet.connections.length);
			const rows = Array.isArray(report.rows) ? report.rows.filter(isObject) : [];
			expect(rows.map((row) => row.vehicleId).sort()).toEqual(fleet.connections.map((connection) => connection.vehicleId).sort());
			const low = fleet.vehicles.filter((vehicle) => (numberValue(vehicle, CODES.soc) ?? 100) < 20).length;
			expect(low).toBeGreaterThanOrEqual(1);
			expect(report.lowBattery).toBe(low);
			const signalCalls = demoSim.stats.requests.slice(mark).filter((request) => request.path.endsWith('/signals'));
			expect(signalCalls).toHaveLength(fleet.vehicles.length);
			expect((await nextExecution(EXAMPLE.fleetReport)).status).toBe('success');
		});

		it('driver-onboarding: before the loop, Smartcar sends nothing for the driver\'s vehicles (not subscribed)', async () => {
			const driver = demoSim.fleet.users[1];
			const vehicleIds = vehiclesOf(demoSim.fleet, driver.id).map((vehicle) => vehicle.id);
			expect(vehicleIds.length).toBeGreaterThanOrEqual(2);
			expect(demoSim.webhooks.find((webhook) => webhook.id === DEFAULT_WEBHOOK_ID)?.callbackUri).toBe(n8n.webhookUrl('smartcar-low-battery/webhook'));
			expect(vehicleIds.filter((vehicleId) => demoSim.isSubscribed(DEFAULT_WEBHOOK_ID, vehicleId))).toEqual([]);
			const before = (await n8n.listExecutions(EXAMPLE.lowBattery)).length;
			for (const vehicleId of vehicleIds) {
				await expect(deliverVehicleState(demoSim, vehicleId, { form: 'real' })).rejects.toThrow(NotDeliverableError);
			}
			await sleep(1_500);
			expect((await n8n.listExecutions(EXAMPLE.lowBattery)).length).toBe(before);
		});

		it('driver-onboarding: the Connect link points at the simulator; approving runs "Driver connected" → "Their vehicles" → "Subscribe" (Wait Until Active) → "Compose message"', async () => {
			// Smartcar creates a subscription in the background: Wait Until Active has to poll until it is listed.
			demoSim.setOptions({ subscriptionDelayMs: ONBOARDING_SUBSCRIPTION_DELAY_MS });
			const response = await http.get(n8n.webhookUrl('smartcar-onboard'), { timeout: 60_000 });
			expect(response.status).toBe(200);
			const link = response.data as unknown;
			if (!isObject(link) || typeof link.url !== 'string') throw new Error(`no Connect link: ${JSON.stringify(link)}`);
			expect(link.url.startsWith(`${demoSim.connectUrl}?`)).toBe(true);
			const redirectUri = n8n.webhookUrl('smartcar-connect-redirect/webhook');
			expect(link.redirectUri).toBe(redirectUri);
			const connectUrl = new URL(link.url);
			expect(connectUrl.searchParams.get('client_id')).toBe(DEMO_APP.clientId);
			expect(connectUrl.searchParams.get('redirect_uri')).toBe(redirectUri);
			await nextExecution(EXAMPLE.onboarding);

			// The driver opens the link (the simulator's Connect page) and approves as Bob.
			const page = await http.get(link.url);
			expect(page.status).toBe(200);
			const driver = demoSim.fleet.users[1];
			const approve = [...String(page.data).matchAll(/href="([^"]+)"/g)]
				.map((match) => decodeHtml(match[1]))
				.find((href) => new URL(href).searchParams.get('user_id') === driver.id);
			if (!approve) throw new Error('the Connect page has no approve link for the driver');
			expect(approve.startsWith(`${redirectUri}?`)).toBe(true);
			const mark = demoSim.stats.requests.length;
			const back = await http.get(approve);
			expect(back.status).toBe(200);
			expect(String(back.data)).toContain('Vehicle connected');
			expect(back.headers['content-security-policy']).toContain("default-src 'none'");
			approvedRedirect = approve;

			const execution = await nextExecution(EXAMPLE.onboarding);
			expect(execution.status).toBe('success');
			expect(nodeOutput(execution, 'Driver connected')).toEqual([{ userId: driver.id, state: link.state }]);
			const vehicles = vehiclesOf(demoSim.fleet, driver.id);
			const vehicleIds = vehicles.map((vehicle) => vehicle.id).sort();
			const listed = nodeOutput(execution, 'Their vehicles');
			expect(listed.map((vehicle) => vehicle.id).sort()).toEqual(vehicleIds);
			expect(listed.every((vehicle) => vehicle.userId === driver.id)).toBe(true);
			expectSubscribed(demoSim, execution, driver.id, vehicles, mark);
			onboarded = { userId: driver.id, vehicleIds };
		});

		it('driver-onboarding → low-battery-alert: a signed VEHICLE_STATE of a vehicle the onboarding subscribed, sent to the webhook\'s callback URI, starts the low battery alert', async () => {
			if (!onboarded) throw new Error('the onboarding spec did not subscribe the driver\'s vehicles');
			const { userId, vehicleIds } = onboarded;
			const vehicle = demoSim.fleet.vehicles.find((candidate) => vehicleIds.includes(candidate.id) && candidate.powertrainType === 'BEV') as SimVehicle;
			updateSignal(vehicle, CODES.soc, { value: 9, unit: 'percent' });
			const before = (await n8n.listExecutions(EXAMPLE.lowBattery)).length;
			expect(before).toBe(runs.get(EXAMPLE.lowBattery) ?? 0);

			const signals = { form: 'real' as const, signals: [CODES.soc, CODES.odometer], triggerSignals: [CODES.soc] };
			const response = await deliverVehicleState(demoSim, vehicle.id, signals, { send: { timeoutMs: 30_000 } });
			const sent = JSON.parse(response.sentBody) as { eventId: string; meta: { webhookId: string } };
			expect({ status: response.status, json: response.json, webhookId: sent.meta.webhookId }).toEqual({
				status: 200,
				json: { status: 'received', eventId: sent.eventId },
				webhookId: DEFAULT_WEBHOOK_ID,
			});
			const execution = await nextExecution(EXAMPLE.lowBattery);
			expect((await n8n.listExecutions(EXAMPLE.lowBattery)).length).toBe(before + 1);
			expect(execution.status).toBe('success');
			expect(nodeOutput(execution, 'Compose alert')).toEqual([
				{ alert: `Battery low: ${vehicle.year} ${vehicle.make} ${vehicle.model} is at 9 %`, userId, vehicleId: vehicle.id, stateOfCharge: 9 },
			]);
		});

		it('the Connect redirect: a replayed, plain, tampered or missing state gets 4xx and starts nothing', async () => {
			if (!approvedRedirect) throw new Error('the onboarding spec did not run');
			const used = new URL(approvedRedirect);
			const state = used.searchParams.get('state') ?? '';
			const base = n8n.webhookUrl('smartcar-connect-redirect/webhook');
			const driver = demoSim.fleet.users[2].id;
			const tampered = `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`;
			const before = (await n8n.listExecutions(EXAMPLE.onboarding)).length;
			const attempts = [
				['replay of the used link', approvedRedirect],
				['plain state', `${base}?user_id=${driver}&state=my-own-state`],
				['tampered state', `${base}?user_id=${driver}&state=${encodeURIComponent(tampered)}`],
				['no state', `${base}?user_id=${driver}`],
			] as const;
			for (const [what, url] of attempts) {
				const answer = await http.get(url, { timeout: 30_000 });
				expect({ what, status: answer.status >= 400 && answer.status < 500 }).toEqual({ what, status: true });
			}
			await sleep(1_500);
			expect((await n8n.listExecutions(EXAMPLE.onboarding)).length).toBe(before);
		});

		it('a used Connect link replayed at a second Connect Redirect trigger of the same credential starts nothing, and the other way round', async () => {
			if (!approvedRedirect || !usedAtSecondTrigger) throw new Error('the onboarding or the Connect link spec did not run');
			const onboardingPath = 'smartcar-connect-redirect/webhook';
			const before = { onboarding: await redirectExecutionCount(EXAMPLE.onboarding, 0), second: await redirectExecutionCount(WF.redirect, 0) };
			const otherDriver = demoSim.fleet.users[2].id;
			const attempts = [
				['onboarding link at the second trigger', sentTo(approvedRedirect, triggerPath(REDIRECT_WEBHOOK_ID))],
				['the same with another user_id', sentTo(approvedRedirect.replace(/user_id=[^&]+/, `user_id=${otherDriver}`), triggerPath(REDIRECT_WEBHOOK_ID))],
				['second trigger\'s link at the onboarding trigger', sentTo(usedAtSecondTrigger, onboardingPath)],
			] as const;
			for (const [what, url] of attempts) {
				const answer = await http.get(url, { timeout: 30_000 });
				expect({ what, status: answer.status, page: /<h1>Link not valid<\/h1>/.test(String(answer.data)) }).toEqual({ what, status: 400, page: true });
			}
			expect({ onboarding: await redirectExecutionCount(EXAMPLE.onboarding), second: await redirectExecutionCount(WF.redirect, 0) }).toEqual(before);
		});

		it('the demo credential exchanged once for all example runs', () => {
			expect(demoSim.stats.tokenExchanges).toBe(1);
			expect(demoRecorder.tokens).toHaveLength(1);
			expect(DEMO_CREDENTIAL.id).toBe('smartcarDemo');
		});
	});

	describe('no secret leaks', () => {
		it('no client secret, management token or issued token in any execution, the n8n log or the database file', async () => {
			const executions: ExecutionDetail[] = [];
			let cursor: string | null = null;
			do {
				const query = new URLSearchParams({ includeData: 'true', limit: '100' });
				if (cursor) query.set('cursor', cursor);
				const page: ExecutionList = await n8n.api<ExecutionList>('GET', `/executions?${query.toString()}`);
				executions.push(...page.data);
				cursor = page.nextCursor;
			} while (cursor);
			const failed = executions.filter((execution) => execution.status === 'error');
			const triggerRuns = (await n8n.listExecutions(WF.trigger)).length + (await n8n.listExecutions(WF.triggerV1)).length;
			const expectedTotal = [...runs.values()].reduce((sum, count) => sum + count, 0) + triggerRuns;
			expect(executions.length).toBe(expectedTotal);
			expect(failed.length).toBeGreaterThanOrEqual(1);
			expect(executions.every((execution) => execution.data !== undefined)).toBe(true);

			const secrets: Record<string, string> = {
				'client secret': APP.clientSecret,
				'management token': APP.managementToken,
				'demo client secret': DEMO_APP.clientSecret,
				'demo management token': DEMO_APP.managementToken,
			};
			[...recorder.tokens, ...demoRecorder.tokens].forEach((token, index) => (secrets[`access token #${index + 1}`] = token));
			expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(4 + 3);

			const places: Record<string, Buffer> = {
				executions: Buffer.from(JSON.stringify(executions)),
				'n8n log': Buffer.from(n8n.logs()),
			};
			for (const file of ['n8n-cli.log', join('.n8n', 'database.sqlite'), join('.n8n', 'database.sqlite-wal')]) {
				const path = join(n8n.userFolder, file);
				if (existsSync(path)) places[file] = readFileSync(path);
			}
			expect(Object.keys(places)).toEqual(expect.arrayContaining(['n8n-cli.log', join('.n8n', 'database.sqlite')]));
			const leaks: string[] = [];
			for (const [where, content] of Object.entries(places)) {
				for (const [what, secret] of Object.entries(secrets)) if (content.includes(secret)) leaks.push(`${what} in ${where}`);
			}
			log.info(`scanned ${executions.length} executions (${failed.length} failed), the log and the database for ${Object.keys(secrets).length} secrets`);
			expect(leaks).toEqual([]);
		});
	});
});
