/**
 * Proves the real-n8n harness itself, with n8n's own nodes and a tiny fixture community package (not the
 * Smartcar nodes): install n8n (cached), pack and install a package the way n8n does, import and publish a
 * Webhook → E2E Echo → Set workflow, start n8n, call the production webhook, and read the execution back
 * through the public API.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { FIXTURE_NODE_TYPE, FIXTURE_PACKAGE_NAME, writeFixturePackage } from '../../tooling/n8n/fixture-package';
import { webhookWorkflow } from '../../tooling/n8n/workflows';
import { createLogger } from '../../tooling/n8n/logger';
import { ensureN8n, http, nodeOutput, packPackage, startN8n, type CredentialJson, type N8nInstance } from '../../tooling/n8n/n8n-instance';

const log = createLogger('smoke');

// A cold install of n8n takes ~4-6 min; a warm start ~1 min.
jest.setTimeout(15 * 60_000);

describe('real n8n harness (regular mode)', () => {
	const path = `e2e-smoke-${Date.now()}`;
	const workflow = webhookWorkflow({ path, withFixtureNode: true });
	const credential: CredentialJson = { id: 'e2eHeaderAuth0001', name: 'E2E header auth', type: 'httpHeaderAuth', data: { name: 'X-E2E', value: 'secret' } };
	let fixtureDir: string | undefined;
	let tgz: string | undefined;
	let n8n: N8nInstance | undefined;

	beforeAll(async () => {
		await ensureN8n();
		fixtureDir = writeFixturePackage();
		tgz = await packPackage(fixtureDir);
		n8n = await startN8n({ packageTgz: tgz, credentials: [credential], workflows: [workflow], publish: [workflow.id], waitForWebhooks: [path] });
		log.info(`timings: ${JSON.stringify(n8n.timings)}`);
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
		if (tgz) rmSync(dirname(tgz), { recursive: true, force: true });
	}, 60_000);

	it('installed the packed package the way n8n does', () => {
		const instance = n8n as N8nInstance;
		const nodesDir = join(instance.userFolder, '.n8n', 'nodes');
		const ledger = JSON.parse(readFileSync(join(nodesDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
		expect(ledger.dependencies[FIXTURE_PACKAGE_NAME]).toBe('0.0.1');
		const installed = JSON.parse(readFileSync(join(nodesDir, 'node_modules', FIXTURE_PACKAGE_NAME, 'package.json'), 'utf8')) as Record<string, unknown>;
		expect(installed.peerDependencies).toBeUndefined();
		expect(installed.devDependencies).toBeUndefined();
		// Nothing was installed beside it: n8n-workflow comes from n8n itself.
		expect(existsSync(join(nodesDir, 'node_modules', FIXTURE_PACKAGE_NAME, 'node_modules', 'n8n-workflow'))).toBe(false);
		// …and n8n loaded its node type.
		const types = instance.loadedTypes();
		expect(types.nodes).toContain(FIXTURE_NODE_TYPE);
		expect(types.nodes).toContain('n8n-nodes-base.webhook');
	});

	it('runs the published workflow when its production webhook is called', async () => {
		const instance = n8n as N8nInstance;
		const response = await http.post(instance.webhookUrl(path), { message: 'hello from the harness' });
		expect(response.status).toBe(200);

		const [execution] = await instance.waitForExecutions(workflow.id, 1, 60_000);
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('webhook');
		const [result] = nodeOutput(execution, 'Result');
		expect(result.received).toBe('hello from the harness');
		expect(result.workflowMarker).toBe('e2e');
		// The fixture community node ran inside the n8n process itself.
		expect(result.e2eEcho).toEqual({ tag: 'smoke', pid: instance.pid });
		expect(execution.workflowData?.nodes.some((node) => node.type === FIXTURE_NODE_TYPE)).toBe(true);
	});

	it('lists and reads executions through the public API', async () => {
		const instance = n8n as N8nInstance;
		const listed = await instance.listExecutions(workflow.id);
		expect(listed.length).toBeGreaterThanOrEqual(1);
		const detail = await instance.getExecution(listed[0].id, false);
		expect(detail.data).toBeUndefined();
		const workflows = await instance.api<{ data: Array<{ id: string; active: boolean }> }>('GET', '/workflows');
		expect(workflows.data.find((entry) => entry.id === workflow.id)?.active).toBe(true);
		const credentials = await instance.api<{ data: Array<{ id: string; name: string; type: string }> }>('GET', '/credentials');
		expect(credentials.data).toContainEqual(expect.objectContaining({ id: credential.id, type: 'httpHeaderAuth' }));
		expect(instance.logs()).toContain('Editor is now accessible');
	});

	it('reads the database directly and runs CLI commands against the same user folder', async () => {
		const instance = n8n as N8nInstance;
		const rows = await instance.dbQuery('SELECT COUNT(*) AS n FROM execution_entity WHERE workflowId = ?', [workflow.id]);
		expect(Number(rows[0].n)).toBeGreaterThanOrEqual(1);
		const listed = await instance.runCli(['list:workflow', '--onlyId']);
		expect(listed.stdout).toContain(workflow.id);
	});

	it('restarts on the same user folder, keeping its API key and published workflow', async () => {
		const instance = n8n as N8nInstance;
		const pidBefore = instance.pid;
		const keyBefore = instance.publicApiKey;
		await instance.restart();
		expect(instance.pid).not.toBe(pidBefore);
		expect(instance.publicApiKey).toBe(keyBefore);
		await instance.waitForWebhook(path);
		const response = await http.post(instance.webhookUrl(path), { message: 'after restart' });
		expect(response.status).toBe(200);
		const executions = await instance.waitForExecutions(workflow.id, 2, 60_000);
		expect(nodeOutput(executions[1], 'Result')[0].received).toBe('after restart');
	});
});
