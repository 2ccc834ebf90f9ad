/**
 * The REAL package in the last n8n 1.x release (1.123.81, Node 24), installed as Community Nodes installs it: the
 * credential's preAuthentication, action runs, Smartcar's error answers read the same as on 2.x (429 retried after
 * retry-after, 409 and a wrong secret with Smartcar's own words, a 502 command sent once), the token renewed after
 * expiry, the trigger's VERIFY and a signed event, the bodies n8n hands the trigger (422 for malformed JSON, the raw
 * bytes of text/plain and octet-stream events, 404 for a POST to a GET trigger), the signed Connect round trip (a
 * link works only at its own Connect Redirect trigger), and a version-3 trigger's Expected State field (Check State:
 * Expected Value Only).
 *
 * n8n-workflow 1.x's NodeApiError drops an Error cause (2.x keeps it), so the status, headers and network code of a
 * failed request are not in what n8n's HTTP helper throws on 1.x: the transport reads answers itself.
 *
 * Run: `npm run build && npx jest test/e2e/n8n1.e2e.test.ts --selectProjects=e2e --runInBand`
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { createLogger } from '../../tooling/n8n/logger';
import { N8N_1X_VERSION } from '../../tooling/n8n/n8n-install';
import { freePort, http, nodeOutput, packPackage, startN8n, type N8nInstance, type WorkflowJson } from '../../tooling/n8n/n8n-instance';
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
import {
	createFleet,
	isValidVerifyAnswer,
	sendWebhook,
	smartcarErrors,
	startSimulator,
	vehicleStatePayload,
	verifyPayload,
	type Simulator,
} from '../../tooling/simulator';

import { startEventRecorder, type EventRecorder } from './fixtures/event-recorder';

const log = createLogger('n8n-1x');
const REPO = join(__dirname, '..', '..');

jest.setTimeout(15 * 60_000);

const suffix = randomBytes(6).toString('hex');
const APP = { clientId: `v1-client-${suffix}`, clientSecret: `v1-secret-${suffix}`, managementToken: `v1-management-${suffix}` };
const CREDENTIAL: CredentialRef = { id: 'n8n1SmartcarCred', name: 'Smartcar (n8n 1.x)' };
const WRONG: CredentialRef = { id: 'n8n1SmartcarWrong', name: 'Smartcar (wrong secret)' };
const TRIGGER_ID = randomUUID();
const REDIRECT_ID = randomUUID();
/** A second Connect Redirect trigger with the same credential: links made for the first must not work there. */
const SECOND_REDIRECT_ID = randomUUID();
const LAST_NODE_ID = randomUUID();
/** A version-3 Connect Redirect trigger (what new triggers get): Expected Value Only, Expected State under Check State. */
const EXPECTED_ID = randomUUID();
const EXPECTED_STATE = `campaign-${suffix}`;
const WF = {
	signals: 'n8n1ScSignals',
	signalsV2: 'n8n1ScSignalsV2',
	lock: 'n8n1ScLock',
	wrong: 'n8n1ScWrong',
	connect: 'n8n1ScConnect',
	trigger: 'n8n1ScTrigger',
	redirect: 'n8n1ScRedirect',
	secondRedirect: 'n8n1ScRedirect2',
	expected: 'n8n1ScRedirectV3',
	lastNode: 'n8n1ScLastNode',
	httpLock: 'n8n1ScHttpLock',
};
const PATH = { signals: 'sc1-signals', signalsV2: 'sc1-signals-v2', lock: 'sc1-lock', wrong: 'sc1-wrong', connect: 'sc1-connect', httpLock: 'sc1-http-lock' };
/** The highest HTTP Request version n8n-nodes-base 1.123.81 offers. */
const HTTP_REQUEST_1X_VERSION = 4.3;

/** Only a Smartcar Trigger in Connect Redirect mode (Check State: Signed, or `parameters`) on `/webhook/<id>/webhook`. */
function redirectWorkflow(id: string, webhookId: string, version = 1, parameters: Record<string, unknown> = { stateCheck: 'signed' }): WorkflowJson {
	return {
		id,
		name: 'n8n 1.x connect redirect',
		nodes: [
			{
				id: randomUUID(),
				name: 'Driver connected',
				type: SMARTCAR_TRIGGER_TYPE,
				typeVersion: version,
				position: [0, 0],
				webhookId,
				parameters: { trigger: 'connectRedirect', ...parameters, redirectOptions: {} },
				credentials: { smartcarApi: CREDENTIAL },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		active: false,
	};
}

/** A Smartcar Trigger with Respond: When the Workflow Finishes, whose run posts the event ID to `recorderUrl`. */
function lastNodeWorkflow(recorderUrl: string): WorkflowJson {
	const trigger = triggerWorkflow({ id: WF.lastNode, webhookId: LAST_NODE_ID, credential: CREDENTIAL }).nodes[0];
	trigger.parameters = { ...trigger.parameters, options: { respond: 'lastNode' } };
	const record = {
		id: randomUUID(),
		name: 'Record',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: HTTP_REQUEST_1X_VERSION,
		position: [220, 0] as [number, number],
		parameters: { method: 'POST', url: recorderUrl, sendBody: true, specifyBody: 'keypair', bodyParameters: { parameters: [{ name: 'eventId', value: '={{ $json.eventId }}' }] }, options: {} },
	};
	return {
		id: WF.lastNode,
		name: 'n8n 1.x respond after the run',
		nodes: [trigger, record],
		connections: { [trigger.name]: { main: [[{ node: 'Record', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		active: false,
	};
}

function workflows(redirectUri: string, apiBaseUrl: string, recorderUrl: string): WorkflowJson[] {
	const target = { userId: '={{ $json.userId }}', vehicleId: VEHICLE_FROM_ITEM };
	return [
		operationWorkflow({ id: WF.signals, path: PATH.signals, credential: CREDENTIAL, parameters: { resource: 'signal', operation: 'getAll', ...target }, continueOnFail: true }),
		// Version 2 of the Smartcar node (new nodes): its fields exist per version (`@version` display conditions), the
		// User is a picker, here mapped By ID.
		operationWorkflow({
			id: WF.signalsV2,
			path: PATH.signalsV2,
			credential: CREDENTIAL,
			typeVersion: 2,
			parameters: { resource: 'signal', operation: 'getAll', ...target, userId: { __rl: true, mode: 'id', value: '={{ $json.userId }}' } },
			continueOnFail: true,
		}),
		operationWorkflow({ id: WF.lock, path: PATH.lock, credential: CREDENTIAL, parameters: { resource: 'command', operation: 'lock', ...target }, continueOnFail: true }),
		operationWorkflow({ id: WF.wrong, path: PATH.wrong, credential: WRONG, parameters: { resource: 'signal', operation: 'getAll', ...target }, continueOnFail: true }),
		operationWorkflow({
			id: WF.connect,
			path: PATH.connect,
			credential: CREDENTIAL,
			parameters: { resource: 'connect', operation: 'getAuthorizationUrl', redirectUri, state: '={{ $json.state }}', scopes: ['read_battery'] },
		}),
		triggerWorkflow({ id: WF.trigger, webhookId: TRIGGER_ID, credential: CREDENTIAL }),
		redirectWorkflow(WF.redirect, REDIRECT_ID),
		redirectWorkflow(WF.secondRedirect, SECOND_REDIRECT_ID),
		redirectWorkflow(WF.expected, EXPECTED_ID, 3, { stateCheck: 'expectedValue', expectedState: EXPECTED_STATE }),
		lastNodeWorkflow(recorderUrl),
		httpRequestWorkflow({ id: WF.httpLock, path: PATH.httpLock, credential: CREDENTIAL, apiBaseUrl, lock: true, typeVersion: HTTP_REQUEST_1X_VERSION }),
	];
}

function items(data: unknown): Array<Record<string, unknown>> {
	if (!Array.isArray(data)) throw new Error(`expected items, got ${JSON.stringify(data).slice(0, 300)}`);
	return data as Array<Record<string, unknown>>;
}

describe(`n8n-nodes-smartcar in a real n8n ${N8N_1X_VERSION}`, () => {
	let sim: Simulator;
	let recorder: EventRecorder;
	let n8n: N8nInstance;
	let tgz: string | undefined;
	let userId = '';
	let vehicleId = '';

	const call = async (path: string, body: Array<Record<string, unknown>>) => await http.post(n8n.webhookUrl(path), { items: body }, { timeout: 90_000 });

	beforeAll(async () => {
		tgz = await packPackage(REPO);
		sim = await startSimulator({
			fleet: createFleet({ seed: `n8n1-${suffix}`, users: [{ vehicles: 2, powertrain: 'BEV' }] }),
			clientId: APP.clientId,
			clientSecrets: [APP.clientSecret],
			managementToken: APP.managementToken,
		});
		userId = sim.fleet.users[0].id;
		vehicleId = sim.fleet.vehicles[0].id;
		const settings = { ...APP, tokenUrl: sim.tokenUrl, apiBaseUrl: sim.apiBaseUrl, connectUrl: sim.connectUrl };
		const credentials = [smartcarCredential(CREDENTIAL, settings), smartcarCredential(WRONG, { ...settings, clientSecret: 'not-the-secret' })];
		const port = await freePort();
		recorder = await startEventRecorder();
		const all = workflows(`http://127.0.0.1:${port}/webhook/${triggerPath(REDIRECT_ID)}`, sim.apiBaseUrl, recorder.url);
		n8n = await startN8n({ n8nVersion: N8N_1X_VERSION, port, packageTgz: tgz, credentials, workflows: all, publish: all.map((workflow) => workflow.id) });
		for (const path of [...Object.values(PATH), triggerPath(TRIGGER_ID), triggerPath(LAST_NODE_ID)]) await n8n.waitForWebhook(path, { timeoutMs: 120_000 });
		for (const id of [REDIRECT_ID, SECOND_REDIRECT_ID, EXPECTED_ID]) await n8n.waitForWebhook(triggerPath(id), { method: 'GET', timeoutMs: 120_000 });
		log.info(`n8n ${N8N_1X_VERSION} ready: ${JSON.stringify(n8n.timings)}`);
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await sim?.close();
		await recorder?.close();
		if (tgz) rmSync(dirname(tgz), { recursive: true, force: true });
	}, 120_000);

	it('loads the action node, the trigger and the credential', () => {
		const { nodes, credentials } = n8n.loadedTypes();
		expect(nodes).toEqual(expect.arrayContaining([SMARTCAR_NODE_TYPE, SMARTCAR_TRIGGER_TYPE]));
		expect(credentials).toContain('smartcarApi');
	});

	it('runs an action with a token from preAuthentication (one exchange)', async () => {
		const response = await call(PATH.signals, [{ userId, vehicleId }]);
		expect(response.status).toBe(200);
		expect(items(response.data).length).toBeGreaterThan(5);
		expect(items(response.data)[0]).toMatchObject({ vehicleId, userId, status: 'SUCCESS' });
		expect(sim.stats.tokenExchanges).toBe(1);
	});

	it('a version-2 node (the User a picker, mapped By ID) reads the same signals as version 1', async () => {
		const v1 = items((await call(PATH.signals, [{ userId, vehicleId }])).data);
		const v2 = items((await call(PATH.signalsV2, [{ userId, vehicleId }])).data);
		expect(v2.map((item) => [item.code, item.status])).toEqual(v1.map((item) => [item.code, item.status]));
		expect(v2[0]).toMatchObject({ vehicleId, userId, status: 'SUCCESS' });
	});

	it('a 429 with retry-after is waited for and retried, as on 2.x', async () => {
		sim.failNext({ path: `/v3/vehicles/${vehicleId}/signals`, ...smartcarErrors.rateLimit(1) });
		const mark = sim.stats.requests.length;
		const response = await call(PATH.signals, [{ userId, vehicleId }]);
		expect(items(response.data)[0]).toMatchObject({ vehicleId, status: 'SUCCESS' });
		const statuses = sim.stats.requests.slice(mark).filter((request) => request.path.endsWith('/signals')).map((request) => request.status);
		expect(statuses).toEqual([429, 200]);
	});

	it('a 409 is reported in Smartcar\'s words with its HTTP status', async () => {
		sim.failNext({ path: `/v3/vehicles/${vehicleId}/signals`, ...smartcarErrors.vehicleState('ASLEEP') });
		const [item] = items((await call(PATH.signals, [{ userId, vehicleId }])).data);
		expect(item.error).toMatch(/^Smartcar: .*\(HTTP 409 VEHICLE_STATE:ASLEEP\)$/);
		expect(item.httpCode).toBe('409');
	});

	it('a wrong secret says so plainly (no "Could not reach" prefix), without the secret', async () => {
		const [item] = items((await call(PATH.wrong, [{ userId, vehicleId }])).data);
		expect(String(item.error)).toMatch(/^Smartcar rejected the client ID or secret/);
		expect(JSON.stringify(item)).not.toContain('not-the-secret');
	});

	it('a command answered 502 is sent once; the error says it may have run', async () => {
		const path = `/v3/vehicles/${vehicleId}/commands/security/lock`;
		sim.failNext({ method: 'POST', path, ...smartcarErrors.upstream(), times: 5 });
		const mark = sim.stats.requests.length;
		const [item] = items((await call(PATH.lock, [{ userId, vehicleId }])).data);
		sim.clearFaults();
		expect(item.error).toMatch(/may or may not have been carried out \(HTTP 502/);
		expect(sim.stats.requests.slice(mark).filter((request) => request.path === path)).toHaveLength(1);
	});

	it('a read whose connection drops after sending is retried; a command\'s is not, and says why', async () => {
		const signals = `/v3/vehicles/${vehicleId}/signals`;
		sim.failNext({ path: signals, status: 200, mode: 'drop' });
		const mark = sim.stats.requests.length;
		expect(items((await call(PATH.signals, [{ userId, vehicleId }])).data)[0]).toMatchObject({ vehicleId, status: 'SUCCESS' });
		expect(sim.stats.requests.slice(mark).filter((request) => request.path === signals).map((request) => request.status)).toEqual([0, 200]);

		const lock = `/v3/vehicles/${vehicleId}/commands/security/lock`;
		sim.failNext({ method: 'POST', path: lock, status: 200, mode: 'drop', times: 5 });
		const lockMark = sim.stats.requests.length;
		const [item] = items((await call(PATH.lock, [{ userId, vehicleId }])).data);
		sim.clearFaults();
		expect(item.error).toContain('may or may not have been carried out (the connection was lost after the request was sent)');
		expect(String(item.description)).toContain('Reason: ECONNRESET.');
		expect(sim.stats.requests.slice(lockMark).filter((request) => request.path === lock)).toHaveLength(1);
	});

	it('renews the token once after Smartcar expires it', async () => {
		const before = sim.stats.tokenExchanges;
		sim.expireTokens();
		const response = await call(PATH.signals, [{ userId, vehicleId }]);
		expect(items(response.data)[0]).toMatchObject({ vehicleId, status: 'SUCCESS' });
		expect(sim.stats.tokenExchanges).toBe(before + 1);
	});

	// Issue #20: n8n's HTTP Request node renews after any failure and sends again; the credential never sends a token
	// in its last minute, so the renewal can only follow a request Smartcar refused.
	it('HTTP Request with the token in its last minute: an unlock answered 502 reaches Smartcar once, with a valid token', async () => {
		sim.setOptions({ tokenLifetimeSeconds: 62 });
		sim.expireTokens();
		expect(items((await call(PATH.signals, [{ userId, vehicleId }])).data)[0]).toMatchObject({ vehicleId, status: 'SUCCESS' });
		sim.setOptions({ tokenLifetimeSeconds: 3600 });
		await new Promise((resolve) => setTimeout(resolve, 3_000));

		const path = `/v3/vehicles/${vehicleId}/commands/security/unlock`;
		sim.failNext({ method: 'POST', path, ...smartcarErrors.upstream(), times: 5, authenticated: true });
		const mark = sim.stats.requests.length;
		const response = await http.post(n8n.webhookUrl(PATH.httpLock), { vehicleId, userId, command: 'unlock' }, { timeout: 90_000 });
		sim.clearFaults();
		expect(response.status).toBe(500);
		const posts = sim.stats.requests.slice(mark).filter((request) => request.method === 'POST' && request.path === path);
		expect(posts.map((post) => [post.status, post.status === 401 ? post.token : 'accepted'])).toEqual([
			[401, 'withheld-renew-first'],
			[502, 'accepted'],
		]);
	});

	it('the trigger answers VERIFY and starts the workflow for a signed event', async () => {
		const url = n8n.webhookUrl(triggerPath(TRIGGER_ID));
		const challenge = `challenge-${suffix}`;
		const verify = await sendWebhook(url, verifyPayload(challenge), { managementToken: APP.managementToken, omitSignature: true });
		expect(verify.status).toBe(200);
		expect(isValidVerifyAnswer(verify, challenge, APP.managementToken)).toBe(true);
		const event = vehicleStatePayload(sim.fleet, vehicleId, { form: 'real' });
		const delivered = await sendWebhook(url, event, { managementToken: APP.managementToken });
		expect([delivered.status, delivered.json]).toEqual([200, { status: 'received', eventId: event.eventId }]);
		const [execution] = await n8n.waitForExecutions(WF.trigger, 1, 60_000);
		expect(nodeOutput(execution, 'Smartcar Trigger')[0]).toMatchObject({ eventType: 'VEHICLE_STATE', userId, vehicleId });
	});

	it('n8n 1.x hands the trigger the raw bytes as 2.x does: malformed JSON is n8n\'s 422, text/plain and octet-stream events run, a POST to a Connect Redirect trigger is n8n\'s 404', async () => {
		const url = n8n.webhookUrl(triggerPath(TRIGGER_ID));
		const send = async (body: string, contentType: string) => await sendWebhook(url, body, { managementToken: APP.managementToken, headers: { 'Content-Type': contentType } });
		const broken = await send('{"eventId":"broken",', 'application/json');
		expect([broken.status, broken.json]).toMatchObject([422, { code: 422, message: 'Failed to parse request body' }]);
		const contentTypes = ['text/plain', 'application/octet-stream'];
		const events = contentTypes.map(() => vehicleStatePayload(sim.fleet, vehicleId, { form: 'real' }));
		for (const [index, contentType] of contentTypes.entries()) {
			const answer = await send(JSON.stringify(events[index]), contentType);
			expect({ contentType, answer: answer.json }).toEqual({ contentType, answer: { status: 'received', eventId: events[index].eventId } });
		}
		const executions = await n8n.waitForExecutions(WF.trigger, 3, 60_000);
		const ran = executions.map((execution) => nodeOutput(execution, 'Smartcar Trigger')[0]?.eventId);
		expect(ran).toEqual(expect.arrayContaining(events.map((event) => event.eventId)));
		const post = await http.post(n8n.webhookUrl(triggerPath(REDIRECT_ID)), {});
		expect([post.status, JSON.stringify(post.data).includes('Did you mean to make a GET request?')]).toEqual([404, true]);
	});

	it('Respond: When the Workflow Finishes answers after the run: a failed run is 500, Smartcar\'s retry runs it', async () => {
		const url = n8n.webhookUrl(triggerPath(LAST_NODE_ID));
		const event = vehicleStatePayload(sim.fleet, vehicleId, { form: 'real' });
		recorder.failOnce([String(event.eventId)]);
		const failed = await sendWebhook(url, event, { managementToken: APP.managementToken });
		const retried = await sendWebhook(url, event, { managementToken: APP.managementToken });
		const again = await sendWebhook(url, event, { managementToken: APP.managementToken });
		expect([failed.status, retried.status, retried.body, recorder.runs.get(String(event.eventId))]).toEqual([500, 200, '', 1]);
		expect([again.status, again.json]).toEqual([200, { status: 'duplicate', eventId: event.eventId }]);
	});

	it('the signed Connect round trip outputs the builder\'s state; a replay starts nothing, here or at another Connect Redirect trigger', async () => {
		const [link] = items((await call(PATH.connect, [{ state: `order-${suffix}` }])).data);
		const signed = new URL(String(link.url)).searchParams.get('state') ?? '';
		const back = `${n8n.webhookUrl(triggerPath(REDIRECT_ID))}?user_id=${userId}&state=${encodeURIComponent(signed)}`;
		expect((await http.get(back)).status).toBe(200);
		const [execution] = await n8n.waitForExecutions(WF.redirect, 1, 60_000);
		expect(nodeOutput(execution, 'Driver connected')).toEqual([{ userId, state: `order-${suffix}` }]);
		expect((await http.get(back)).status).toBe(409);
		expect((await http.get(`${n8n.webhookUrl(triggerPath(REDIRECT_ID))}?user_id=${userId}&state=plain`)).status).toBe(400);
		const elsewhere = await http.get(`${n8n.webhookUrl(triggerPath(SECOND_REDIRECT_ID))}${new URL(back).search}`);
		expect({ status: elsewhere.status, page: String(elsewhere.data).includes('<h1>Link not valid</h1>') }).toEqual({ status: 400, page: true });
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(await n8n.listExecutions(WF.secondRedirect)).toHaveLength(0);
	});

	it('a version-3 trigger checked by Expected Value Only compares the State with its Expected State field', async () => {
		const url = n8n.webhookUrl(triggerPath(EXPECTED_ID));
		expect((await http.get(`${url}?user_id=${userId}&state=other`)).status).toBe(400);
		const right = await http.get(`${url}?user_id=${userId}&state=${EXPECTED_STATE}`);
		expect({ status: right.status, page: String(right.data).includes('Vehicle connected') }).toEqual({ status: 200, page: true });
		const executions = await n8n.waitForExecutions(WF.expected, 1, 60_000);
		expect(executions.map((execution) => nodeOutput(execution, 'Driver connected'))).toEqual([[{ userId, state: EXPECTED_STATE }]]);
	});
});
