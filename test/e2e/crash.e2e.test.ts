/**
 * Lose no event, in a REAL n8n 2.41.1 (regular mode, SQLite) with the packed package: bursts of signed Smartcar
 * deliveries (16 in flight) to two trigger workflows — Respond: Immediately and Respond: When the Workflow Finishes —
 * whose next step records each event (a loopback recorder that answers after 300 ms, so runs are in progress when n8n
 * stops). n8n is stopped mid-burst with kill -9, right after the burst with kill -9, and mid-burst with SIGTERM; then
 * restarted on the same database, and every delivery that did not get a 2xx is delivered again, as Smartcar retries.
 *
 * For both modes: every acknowledged event ran or sits in an execution n8n recovered with its input (0 lost); with
 * When the Workflow Finishes every event ran successfully once retries are replayed. Duplicate runs are counted and
 * logged (at-least-once), as are executions by status and how many acknowledged events the workflow's static data
 * holds. Also: a run that fails is retried by Smartcar with When the Workflow Finishes, a delivery signed with the
 * previous Application Management Token runs (rotation), one signed with neither is 401, and a replayed old delivery
 * is refused.
 *
 * Run: `npm run build && npx jest test/e2e/crash.e2e.test.ts --selectProjects=e2e --runInBand`
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { minimalVehicleState, SmartcarRedelivery, type PlannedEvent } from '../../tooling/simulator/redelivery';
import { sendWebhook, signBody } from '../../tooling/simulator';
import { HTTP_REQUEST_VERSION, SMARTCAR_TRIGGER_TYPE, triggerPath, type CredentialRef } from '../../tooling/n8n/smartcar-workflows';
import { createLogger } from '../../tooling/n8n/logger';
import { packPackage, startN8n, type N8nInstance, type WorkflowJson } from '../../tooling/n8n/n8n-instance';
import { deliveryReport, type DeliveryReport } from './fixtures/delivery-report';
import { startEventRecorder, type EventRecorder } from './fixtures/event-recorder';

const log = createLogger('crash-e2e');
const REPO = join(__dirname, '..', '..');
jest.setTimeout(15 * 60_000);

const suffix = randomBytes(4).toString('hex');
const MANAGEMENT_TOKEN = `crash-management-token-${suffix}`;
const PREVIOUS_TOKEN = `crash-previous-token-${suffix}`;
const CREDENTIAL: CredentialRef = { id: 'crashSmartcarCred1', name: 'Smartcar (crash e2e)' };
type Respond = 'onReceived' | 'lastNode';
const MODES: readonly Respond[] = ['onReceived', 'lastNode'];
const WORKFLOW_ID: Record<Respond, string> = { onReceived: 'crashWfReceived01', lastNode: 'crashWfLastNode01' };
const HOOK_ID: Record<Respond, string> = { onReceived: randomUUID(), lastNode: randomUUID() };
const EVENTS_PER_MODE = 60;
const IN_FLIGHT = 16;

function recordingWorkflow(mode: Respond, recorderUrl: string): WorkflowJson {
	const trigger = {
		id: randomUUID(),
		name: 'Smartcar Trigger',
		type: SMARTCAR_TRIGGER_TYPE,
		typeVersion: 2,
		position: [0, 0] as [number, number],
		webhookId: HOOK_ID[mode],
		parameters: { trigger: 'vehicleEvents', events: ['VEHICLE_STATE', 'VEHICLE_ERROR'], options: { respond: mode } },
		credentials: { smartcarApi: CREDENTIAL },
	};
	const record = {
		id: randomUUID(),
		name: 'Record',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: HTTP_REQUEST_VERSION,
		position: [220, 0] as [number, number],
		parameters: {
			method: 'POST',
			url: recorderUrl,
			sendBody: true,
			specifyBody: 'keypair',
			bodyParameters: { parameters: [{ name: 'eventId', value: '={{ $json.eventId }}' }] },
			options: {},
		},
	};
	return {
		id: WORKFLOW_ID[mode],
		name: `crash e2e ${mode}`,
		nodes: [trigger, record],
		connections: { 'Smartcar Trigger': { main: [[{ node: 'Record', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		active: false,
	};
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('lose no event: a real n8n 2.41.1 stopped mid-burst', () => {
	let n8n: N8nInstance;
	let recorder: EventRecorder;

	const url = (mode: Respond) => n8n.webhookUrl(triggerPath(HOOK_ID[mode]));

	async function waitForTriggers(): Promise<void> {
		for (const mode of MODES) await n8n.waitForWebhook(triggerPath(HOOK_ID[mode]), { timeoutMs: 120_000 });
	}

	/** The newest execution's ID: executions n8n left running before it was stopped are not waited for. */
	async function newestExecutionId(): Promise<number> {
		const rows = await n8n.dbQuery('SELECT MAX(id) AS id FROM execution_entity');
		return Number(rows[0]?.id ?? 0);
	}

	/**
	 * Until nothing is running: the recorder has no open request and n8n no new or running execution created after
	 * execution `since`, for 3 s. (n8n's recovery may leave an execution of the stopped process "running" for good.)
	 */
	async function settle(since = 0): Promise<void> {
		let quietSince = Date.now();
		for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
			const rows = await n8n.dbQuery("SELECT COUNT(*) AS n FROM execution_entity WHERE status IN ('new', 'running') AND id > ?", [since]);
			if (recorder.open() > 0 || Number(rows[0]?.n ?? 0) > 0) quietSince = Date.now();
			else if (Date.now() - quietSince > 3_000) return;
		}
		throw new Error('n8n did not settle within 120 s');
	}

	/** kill -9 of n8n's process group; returns once the process is gone. */
	async function kill(): Promise<void> {
		n8n.process.killNow();
		for (const deadline = Date.now() + 10_000; n8n.process.isRunning() && Date.now() < deadline; ) await sleep(50);
	}

	/** The burst's events, the two workflows' interleaved so that both are mid-burst when n8n stops. */
	function plan(scenario: string): PlannedEvent[] {
		return Array.from({ length: EVENTS_PER_MODE }, (_, index) =>
			MODES.map((mode) => {
				const eventId = `${scenario}-${mode}-${String(index).padStart(4, '0')}-${suffix}`;
				return { url: url(mode), eventId, payload: minimalVehicleState(eventId) };
			}),
		).flat();
	}

	async function report(smartcar: SmartcarRedelivery, inBurst: Set<string>, mode: Respond): Promise<DeliveryReport> {
		const rows = await n8n.dbQuery(
			'SELECT e.id AS id, e.status AS status, d.data AS data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ?',
			[WORKFLOW_ID[mode]],
		);
		const stored = await n8n.dbQuery('SELECT staticData FROM workflow_entity WHERE id = ?', [WORKFLOW_ID[mode]]);
		const records = smartcar.records.filter((record) => record.url === url(mode));
		return deliveryReport(records, inBurst, recorder.runs, rows, stored[0]?.staticData);
	}

	/**
	 * One burst to both workflows, n8n stopped (`stop`) once `stopAfter` deliveries were acknowledged, restarted, and
	 * Smartcar's retries replayed until every delivery got a 2xx (or 6 rounds passed).
	 */
	async function scenario(name: string, stop: () => Promise<void>, stopAfter: number): Promise<Record<Respond, DeliveryReport>> {
		const smartcar = new SmartcarRedelivery(MANAGEMENT_TOKEN, plan(name));
		let stopping: Promise<void> | undefined;
		const stopOnce = () => (stopping ??= stop());
		await smartcar.deliverPending(IN_FLIGHT, () => {
			if (smartcar.acknowledgedCount() >= stopAfter) void stopOnce();
		});
		await stopOnce();
		const since = await newestExecutionId();
		const inBurst = new Set(smartcar.records.filter((record) => record.acknowledged).map((record) => record.eventId));
		const statuses = smartcar.records.map((record) => record.statuses[0]).join(' ');
		log.info(`${name}: ${inBurst.size} of ${smartcar.records.length} acknowledged before the stop (first answers: ${statuses}); restarting n8n`);
		await n8n.startServer();
		await waitForTriggers();
		await settle(since);
		await smartcar.retry(6, IN_FLIGHT);
		await settle(since);
		const reports = { onReceived: await report(smartcar, inBurst, 'onReceived'), lastNode: await report(smartcar, inBurst, 'lastNode') };
		log.info(`${name}: ${JSON.stringify(reports)}`);
		return reports;
	}

	function expectNothingLost(reports: Record<Respond, DeliveryReport>): void {
		for (const mode of MODES) {
			expect({ mode, lost: reports[mode].lost, unacknowledged: reports[mode].unacknowledged }).toEqual({ mode, lost: [], unacknowledged: 0 });
		}
		// When the Workflow Finishes: every event ran successfully (nothing left only as a crashed execution).
		expect(reports.lastNode.ran).toBe(EVENTS_PER_MODE);
	}

	beforeAll(async () => {
		recorder = await startEventRecorder(300);
		const credential = {
			...CREDENTIAL,
			type: 'smartcarApi',
			data: {
				clientId: 'crash-client',
				clientSecret: 'crash-secret',
				applicationManagementToken: MANAGEMENT_TOKEN,
				previousApplicationManagementToken: PREVIOUS_TOKEN,
				environment: 'production',
				accessToken: '',
			},
		};
		n8n = await startN8n({
			packageTgz: await packPackage(REPO),
			credentials: [credential],
			workflows: MODES.map((mode) => recordingWorkflow(mode, recorder.url)),
			publish: MODES.map((mode) => WORKFLOW_ID[mode]),
		});
		await waitForTriggers();
	});

	afterAll(async () => {
		await n8n?.stop();
		await recorder?.close();
	});

	let since = 0;
	beforeEach(async () => {
		since = await newestExecutionId();
	});

	it('answers an event only once n8n stored it: with Respond When the Workflow Finishes, only after the run', async () => {
		const eventId = `answer-${suffix}`;
		const received = await sendWebhook(url('onReceived'), minimalVehicleState(`${eventId}-a`), { managementToken: MANAGEMENT_TOKEN });
		// Answered on receipt: the run (whose recorder call takes 300 ms) has not reached the recorder yet.
		const ranBeforeAnswer = recorder.runs.has(`${eventId}-a`);
		const finished = await sendWebhook(url('lastNode'), minimalVehicleState(`${eventId}-b`), { managementToken: MANAGEMENT_TOKEN });
		expect([received.status, received.json]).toEqual([200, { status: 'received', eventId: `${eventId}-a` }]);
		// After the run: the recorder (300 ms) has already counted it, and the body carries none of the workflow's data.
		expect([finished.status, finished.body, recorder.runs.get(`${eventId}-b`)]).toEqual([200, '', 1]);
		expect(ranBeforeAnswer).toBe(false);
		await settle(since);
	});

	it('kill -9 mid-burst: no acknowledged event is lost; Smartcar\'s retries run the rest', async () => {
		expectNothingLost(await scenario('kill-mid', kill, Math.floor(EVENTS_PER_MODE * 0.6)));
	});

	it('kill -9 right after the burst: no acknowledged event is lost', async () => {
		expectNothingLost(await scenario('kill-after', kill, EVENTS_PER_MODE * 2));
	});

	it('SIGTERM mid-burst: no acknowledged event is lost', async () => {
		expectNothingLost(await scenario('term-mid', async () => await n8n.process.stop(), Math.floor(EVENTS_PER_MODE * 0.6)));
	});

	it('When the Workflow Finishes: a run that fails is answered 500, and Smartcar\'s retry runs it', async () => {
		const eventId = `flaky-${suffix}`;
		recorder.failOnce([eventId]);
		const smartcar = new SmartcarRedelivery(MANAGEMENT_TOKEN, [{ url: url('lastNode'), eventId, payload: minimalVehicleState(eventId) }]);
		await smartcar.deliverPending(1);
		await smartcar.retry(1, 1);
		expect([smartcar.records[0].statuses, recorder.runs.get(eventId)]).toEqual([[500, 200], 1]);
		await settle(since);
	});

	it('rotation: a delivery signed with the previous management token runs; one signed with neither is 401', async () => {
		const body = JSON.stringify({ ...minimalVehicleState(`rotated-${suffix}`), meta: { deliveryId: 'rot-1', deliveredAt: Date.now() } });
		const byPrevious = await sendWebhook(url('onReceived'), body, { managementToken: PREVIOUS_TOKEN, signature: signBody(body, PREVIOUS_TOKEN) });
		const byOther = await sendWebhook(url('onReceived'), body, { managementToken: 'x', signature: signBody(body, 'someone-else') });
		expect([byPrevious.status, byOther.status]).toEqual([200, 401]);
		await settle(since);
		expect(recorder.runs.get(`rotated-${suffix}`)).toBe(1);
	});

	it('a captured delivery replayed an hour later is refused and starts nothing', async () => {
		const body = JSON.stringify({ ...minimalVehicleState(`replayed-${suffix}`), meta: { deliveryId: 'old', deliveredAt: Date.now() - 3_600_000 } });
		const replayed = await sendWebhook(url('onReceived'), body, { managementToken: MANAGEMENT_TOKEN });
		expect([replayed.status, (replayed.json as { status?: string }).status]).toEqual([400, 'stale']);
		await settle(since);
		expect(recorder.runs.has(`replayed-${suffix}`)).toBe(false);
	});
});
