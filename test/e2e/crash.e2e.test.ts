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
 * is refused. Queue mode: crash.queue.test.ts.
 *
 * Run: `npm run build && npx jest test/e2e/crash.e2e.test.ts --selectProjects=e2e --runInBand`
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { minimalVehicleState, SmartcarRedelivery } from '../../tooling/simulator/redelivery';
import { sendWebhook, signBody } from '../../tooling/simulator';
import { triggerPath } from '../../tooling/n8n/smartcar-workflows';
import { createLogger } from '../../tooling/n8n/logger';
import { packPackage, startN8n, type N8nInstance } from '../../tooling/n8n/n8n-instance';
import {
	crashCredential,
	crashWorkflows,
	expectNothingLost,
	MODES,
	newestExecutionId,
	recordingWorkflow,
	runScenario,
	settle,
	sleep,
	type CrashTarget,
	type Respond,
} from './fixtures/crash-scenario';
import { startEventRecorder, type EventRecorder } from './fixtures/event-recorder';

const log = createLogger('crash-e2e');
const REPO = join(__dirname, '..', '..');
jest.setTimeout(15 * 60_000);

const suffix = randomBytes(4).toString('hex');
const MANAGEMENT_TOKEN = `crash-management-token-${suffix}`;
const PREVIOUS_TOKEN = `crash-previous-token-${suffix}`;
const WORKFLOWS = crashWorkflows('crashWf', { id: 'crashSmartcarCred1', name: 'Smartcar (crash e2e)' });
const EVENTS_PER_MODE = 60;

describe('lose no event: a real n8n 2.41.1 stopped mid-burst', () => {
	let n8n: N8nInstance;
	let recorder: EventRecorder;
	let target: CrashTarget;
	let since = 0;

	const url = (mode: Respond) => n8n.webhookUrl(triggerPath(WORKFLOWS.hookId[mode]));

	async function waitForTriggers(): Promise<void> {
		for (const mode of MODES) await n8n.waitForWebhook(triggerPath(WORKFLOWS.hookId[mode]), { timeoutMs: 120_000 });
	}

	/** kill -9 of n8n's process group; returns once the process is gone. */
	async function kill(): Promise<void> {
		n8n.process.killNow();
		for (const deadline = Date.now() + 10_000; n8n.process.isRunning() && Date.now() < deadline; ) await sleep(50);
	}

	async function restart(): Promise<void> {
		await n8n.startServer();
		await waitForTriggers();
	}

	const scenario = async (name: string, stop: () => Promise<void>, stopAfter: number) =>
		await runScenario(target, { name, perMode: EVENTS_PER_MODE, suffix, stop, restart, stopAfter }, (line) => log.info(line));

	beforeAll(async () => {
		recorder = await startEventRecorder(300);
		n8n = await startN8n({
			packageTgz: await packPackage(REPO),
			credentials: [crashCredential(WORKFLOWS.credential, MANAGEMENT_TOKEN, PREVIOUS_TOKEN)],
			workflows: MODES.map((mode) => recordingWorkflow(WORKFLOWS, mode, recorder.url)),
			publish: MODES.map((mode) => WORKFLOWS.workflowId[mode]),
		});
		await waitForTriggers();
		target = {
			workflows: WORKFLOWS,
			recorder,
			managementToken: MANAGEMENT_TOKEN,
			url,
			query: async (sql, params) => await n8n.dbQuery(sql.sqlite, params),
			postgres: false,
		};
	});

	afterAll(async () => {
		await n8n?.stop();
		await recorder?.close();
	});

	beforeEach(async () => {
		since = await newestExecutionId(target);
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
		await settle(target, since);
	});

	it('kill -9 mid-burst: no acknowledged event is lost; Smartcar\'s retries run the rest', async () => {
		expectNothingLost(await scenario('kill-mid', kill, Math.floor(EVENTS_PER_MODE * 0.6)), EVENTS_PER_MODE);
	});

	it('kill -9 right after the burst: no acknowledged event is lost', async () => {
		expectNothingLost(await scenario('kill-after', kill, EVENTS_PER_MODE * 2), EVENTS_PER_MODE);
	});

	it('SIGTERM mid-burst: no acknowledged event is lost', async () => {
		expectNothingLost(await scenario('term-mid', async () => await n8n.process.stop(), Math.floor(EVENTS_PER_MODE * 0.6)), EVENTS_PER_MODE);
	});

	it('When the Workflow Finishes: a run that fails is answered 500, and Smartcar\'s retry runs it', async () => {
		const eventId = `flaky-${suffix}`;
		recorder.failOnce([eventId]);
		const smartcar = new SmartcarRedelivery(MANAGEMENT_TOKEN, [{ url: url('lastNode'), eventId, payload: minimalVehicleState(eventId) }]);
		await smartcar.deliverPending(1);
		await smartcar.retry(1, 1);
		expect([smartcar.records[0].statuses, recorder.runs.get(eventId)]).toEqual([[500, 200], 1]);
		await settle(target, since);
	});

	it('rotation: a delivery signed with the previous management token runs; one signed with neither is 401', async () => {
		const body = JSON.stringify({ ...minimalVehicleState(`rotated-${suffix}`), meta: { deliveryId: 'rot-1', deliveredAt: Date.now() } });
		const byPrevious = await sendWebhook(url('onReceived'), body, { managementToken: PREVIOUS_TOKEN, signature: signBody(body, PREVIOUS_TOKEN) });
		const byOther = await sendWebhook(url('onReceived'), body, { managementToken: 'x', signature: signBody(body, 'someone-else') });
		expect([byPrevious.status, byOther.status]).toEqual([200, 401]);
		await settle(target, since);
		expect(recorder.runs.get(`rotated-${suffix}`)).toBe(1);
	});

	it('a captured delivery replayed an hour later is refused and starts nothing', async () => {
		const body = JSON.stringify({ ...minimalVehicleState(`replayed-${suffix}`), meta: { deliveryId: 'old', deliveredAt: Date.now() - 3_600_000 } });
		const replayed = await sendWebhook(url('onReceived'), body, { managementToken: MANAGEMENT_TOKEN });
		expect([replayed.status, (replayed.json as { status?: string }).status]).toEqual([400, 'stale']);
		await settle(target, since);
		expect(recorder.runs.has(`replayed-${suffix}`)).toBe(false);
	});
});
