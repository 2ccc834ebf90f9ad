/**
 * Connect links in n8n 2.41.1 queue mode (PostgreSQL + Redis, one main, one worker, two webhook processors): what
 * "a link works once" holds across processes, asserted where the package promises it and measured where n8n gives a
 * node no lock (docs/smartcar-trigger.md, Connect Redirect, quotes the measured rows).
 *
 * Asserted: on one webhook processor a link runs once (also five redirects at once); a link used at webhook-1 is
 * refused at webhook-2 once its run finished; error redirects spread over both processors, one at a time, stop at 5.
 * Measured: one link at both processors at the same moment; two links used at the same moment on the two processors,
 * then each replayed at the other one.
 *
 * States are signed here from the documented format (test/support/signed-state.ts) with the credential's secret.
 * Skipped, with a line saying why, when PostgreSQL or Redis is not reachable.
 * Run: `npm run build && npx jest test/e2e/connect-links.queue.test.ts --selectProjects=queue --runInBand`
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { smartcarCredential } from '../../tooling/n8n/smartcar-workflows';
import { workflowId } from '../../tooling/n8n/workflows';
import { createLogger } from '../../tooling/n8n/logger';
import { http, packPackage, queueModeUnavailableReasonSync, startQueueCluster, type N8nProcess, type QueueCluster, type WorkflowJson } from '../../tooling/n8n/n8n-instance';
import { sleep } from '../../tooling/n8n/process-utils';
import { signedState } from '../support/signed-state';

const log = createLogger('connect-queue');
const unavailable = queueModeUnavailableReasonSync();
if (unavailable) log.warn(`SKIPPED connect-links.queue.test.ts: PostgreSQL and Redis are needed, ${unavailable}`);

jest.setTimeout(15 * 60_000);

const REPO_DIR = join(__dirname, '..', '..');
const SECRET = `queue-connect-secret-${randomBytes(6).toString('hex')}`;
const CREDENTIAL = { id: 'smartcarConnectQ1', name: 'Smartcar (Connect queue e2e)' } as const;
const HOOK_ID = randomUUID();
const PATH = `${HOOK_ID}/webhook`;
const SETTLE_MS = 3_000;
const USER_ID = '725146a3-4b8e-4c1f-9a2d-0e6f7b8c9d01';

function redirectWorkflow(): WorkflowJson {
	return {
		id: workflowId(),
		name: 'queue e2e: Connect redirect',
		nodes: [
			{
				id: randomUUID(),
				name: 'Driver connected',
				type: 'n8n-nodes-smartcar.smartcarTrigger',
				typeVersion: 2,
				position: [0, 0],
				webhookId: HOOK_ID,
				parameters: { trigger: 'connectRedirect', stateCheck: 'signed', redirectOptions: {} },
				credentials: { smartcarApi: CREDENTIAL },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		active: false,
	};
}

const describeQueue = unavailable ? describe.skip : describe;

describeQueue('Connect links in n8n queue mode (1 worker, 2 webhook processors)', () => {
	const workflow = redirectWorkflow();
	let cluster: QueueCluster | undefined;
	let tgz: string | undefined;
	let expectedRuns = 0;
	const rows: string[] = [];

	const c = (): QueueCluster => {
		if (!cluster) throw new Error('the queue cluster did not start');
		return cluster;
	};
	const processor = (index: 0 | 1): N8nProcess => c().webhooks[index];
	const link = (value: string): string => signedState(value, { secret: SECRET, path: `/webhook/${PATH}` });
	const open = async (at: 0 | 1, state: string, result: Record<string, string> = { user_id: USER_ID }): Promise<number> =>
		(await http.get(`${processor(at).baseUrl}/webhook/${PATH}?${new URLSearchParams({ ...result, state }).toString()}`, { timeout: 30_000 })).status;

	/** Execution rows of the workflow, whatever their status, after letting late ones appear. */
	const runs = async (settleMs = SETTLE_MS): Promise<number> => {
		await sleep(settleMs);
		const found = await c().dbQuery('SELECT COUNT(*)::int AS n FROM execution_entity WHERE "workflowId" = $1', [workflow.id]);
		return Number(found[0]?.n ?? 0);
	};
	const finished = async (count: number): Promise<void> => {
		expectedRuns += count;
		await c().waitForExecutions(workflow.id, expectedRuns, 240_000);
	};

	beforeAll(async () => {
		tgz = await packPackage(REPO_DIR);
		const unused = 'http://127.0.0.1:9/unused';
		const credential = smartcarCredential(CREDENTIAL, {
			clientId: 'queue-connect-client',
			clientSecret: SECRET,
			managementToken: 'queue-connect-management',
			tokenUrl: unused,
			apiBaseUrl: unused,
			connectUrl: unused,
		});
		cluster = await startQueueCluster({
			packageTgz: tgz,
			credentials: [credential],
			workflows: [workflow],
			publish: [workflow.id],
			workers: 1,
			webhookProcessors: 2,
		});
		for (const proc of c().webhooks) await c().waitForWebhook(PATH, { method: 'GET', baseUrl: proc.baseUrl, timeoutMs: 240_000 });
	}, 30 * 60_000);

	afterAll(async () => {
		try {
			await cluster?.stop();
		} finally {
			if (tgz) rmSync(dirname(tgz), { recursive: true, force: true });
			// eslint-disable-next-line no-console
			if (rows.length > 0) console.log(`\n===== connect-links.queue.test.ts =====\n${rows.join('\n')}\n`);
		}
	}, 180_000);

	it('one webhook processor: five redirects with one link at once run once; a replay answers 409', async () => {
		const state = link('together');
		const statuses = await Promise.all(Array.from({ length: 5 }, async () => await open(0, state)));
		expect(statuses.sort()).toEqual([200, 409, 409, 409, 409]);
		await finished(1);
		expect(await open(0, state)).toBe(409);
		expect(await runs()).toBe(expectedRuns);
	});

	it('a link used at webhook-1 is refused at webhook-2 once its run finished (static data in the database)', async () => {
		for (let index = 0; index < 3; index++) {
			const state = link(`sequential-${index}`);
			expect(await open(0, state)).toBe(200);
			await finished(1);
			expect(await open(1, state)).toBe(409);
		}
		expect(await runs()).toBe(expectedRuns);
	});

	it('error redirects alternating between the processors, one at a time, start 5 runs', async () => {
		const state = link('errors');
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 7; attempt++) {
			statuses.push(await open(attempt % 2 === 0 ? 0 : 1, state, { error: 'access_denied' }));
			if (statuses[attempt] === 200) await finished(1);
		}
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
		expect(await runs()).toBe(expectedRuns);
	});

	it('measured: one link at both processors at the same moment (n8n offers nodes no lock)', async () => {
		const before = await runs(0);
		const answers: number[][] = [];
		for (let index = 0; index < 5; index++) {
			const state = link(`both-${index}`);
			answers.push(await Promise.all([open(0, state), open(1, state)]));
		}
		const after = await runs();
		expectedRuns = after;
		const twice = answers.filter((pair) => pair[0] === 200 && pair[1] === 200).length;
		rows.push(`same link at both processors at once: ${answers.length} links, ${twice} ran twice, ${after - before} runs (answers ${JSON.stringify(answers)})`);
		expect(after - before).toBe(answers.flat().filter((status) => status === 200).length);
	});

	it('measured: two links used at the same moment on the two processors, then each replayed at the other', async () => {
		const before = await runs(0);
		let acceptedReplays = 0;
		for (let index = 0; index < 5; index++) {
			const [first, second] = [link(`pair-${index}-a`), link(`pair-${index}-b`)];
			expect(await Promise.all([open(0, first), open(1, second)])).toEqual([200, 200]);
			await sleep(500);
			const replays = await Promise.all([open(1, first), open(0, second)]);
			acceptedReplays += replays.filter((status) => status === 200).length;
		}
		const after = await runs();
		expectedRuns = after;
		rows.push(`two links at once, one per processor, then replayed at the other: 10 links, ${acceptedReplays} replays ran, ${after - before} runs`);
		expect(after - before).toBe(10 + acceptedReplays);
	});
});
