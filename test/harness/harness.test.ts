/**
 * Proves the in-process harness runs real n8n machinery: n8n-core's engine and request helpers, and the CLI's
 * credential semantics. Everything talks to a loopback server started here.
 */
import { NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions, type INode } from 'n8n-workflow';

import { CredentialStore } from './credential-store';
import { testCredential } from './credential-test';
import { HarnessCredentialsHelper } from './credentials-helper';
import { shutdownHarness } from './n8n-environment';
import { runWorkflow, type WorkflowJson } from './run-workflow';
import { createFunctionNode } from './test-nodes';
import { CALLER_TYPE, chain, credentialTypes, HarnessTestApi, node, nodeTypes, TestApi } from './harness-fixture';

const api = new TestApi();

function freshStore(data: ICredentialDataDecryptedObject = {}): CredentialStore {
	return new CredentialStore({
		harnessTestApi: {
			baseUrl: api.baseUrl,
			clientId: 'client',
			clientSecret: 'secret',
			accessToken: '',
			...data,
		},
	});
}

beforeAll(async () => {
	await api.start();
});

beforeEach(() => api.reset());

afterAll(async () => {
	await api.stop();
	shutdownHarness();
});

// ---------------------------------------------------------------------------------------------------------------
// runWorkflow + credentials
// ---------------------------------------------------------------------------------------------------------------

describe('runWorkflow with preAuthentication credentials', () => {
	const workflow: WorkflowJson = {
		nodes: [node('Start', 'harness.start'), node('Call', CALLER_TYPE, { path: '/api/items', times: 2 })],
		connections: chain('Start', 'Call'),
	};

	it('exchanges the token once for many requests and stores it the way n8n does', async () => {
		const store = freshStore();
		const result = await runWorkflow(workflow, {
			nodeTypes,
			credentialTypes,
			credentials: store,
			triggerItems: [{ json: { n: 1 } }, { json: { n: 2 } }, { json: { n: 3 } }],
		});

		expect(result.error).toBeUndefined();
		expect(result.items('Call')).toHaveLength(3);
		expect(api.exchanges).toBe(1);
		expect(api.calls).toHaveLength(6);
		expect(api.calls.every((call) => call.authorization === 'Bearer tok-1' && call.status === 200)).toBe(true);

		// Saved like CredentialsHelper.preAuthentication: the stored row plus the output; the defaults n8n applies when
		// decrypting (region) are not written back.
		expect(store.writes).toHaveLength(1);
		expect(store.writes[0]).toMatchObject({ type: 'harnessTestApi', source: 'updateCredentials' });
		expect(store.get('harnessTestApi')).toEqual({ baseUrl: api.baseUrl, clientId: 'client', clientSecret: 'secret', accessToken: 'tok-1' });

		// A later execution decrypts the stored token: no exchange.
		const again = await runWorkflow(workflow, { nodeTypes, credentialTypes, credentials: store });
		expect(again.error).toBeUndefined();
		expect(api.exchanges).toBe(1);
		expect(store.writes).toHaveLength(1);
	});

	it('on a 401 re-runs preAuthentication once, saves the new token and retries the request once', async () => {
		const store = freshStore({ accessToken: 'tok-old' });
		const result = await runWorkflow(
			{ ...workflow, nodes: [workflow.nodes[0], node('Call', CALLER_TYPE, { path: '/api/items', times: 3 })] },
			{ nodeTypes, credentialTypes, credentials: store },
		);

		expect(result.error).toBeUndefined();
		expect(api.exchanges).toBe(1);
		expect(api.calls.map((call) => call.status)).toEqual([401, 200, 200, 200]);
		expect(api.calls.map((call) => call.authorization)).toEqual([
			'Bearer tok-old',
			'Bearer tok-1',
			'Bearer tok-1',
			'Bearer tok-1',
		]);
		expect(store.get('harnessTestApi')?.accessToken).toBe('tok-1');
		expect(store.writes).toHaveLength(1);
	});

	it('concurrent executions with an empty token each run the exchange (n8n has no single-flight)', async () => {
		const store = freshStore();
		const runs = await Promise.all(
			[1, 2, 3].map(async () => await runWorkflow(workflow, { nodeTypes, credentialTypes, credentials: store })),
		);
		expect(runs.every((run) => run.error === undefined)).toBe(true);
		expect(api.exchanges).toBe(3);
		expect(store.writes).toHaveLength(3);
	});

	it('retries only once: a second 401 fails the node', async () => {
		const store = freshStore({ accessToken: 'tok-old' });
		const failing = {
			nodes: [node('Start', 'harness.start'), node('Call', CALLER_TYPE, { path: '/api/items' })],
			connections: chain('Start', 'Call'),
		};
		api.rejectAll = true;
		const result = await runWorkflow(failing, { nodeTypes, credentialTypes, credentials: store });
		// n8n keeps errors in the run data as plain copies ({ ...error, message, stack }).
		expect(result.error).toMatchObject({ httpCode: '401' });
		expect(result.runData.Call[0].error).toMatchObject({ httpCode: '401' });
		expect(api.exchanges).toBe(1);
		expect(api.calls.map((call) => call.status)).toEqual([401, 401]);
	});
});

describe('runWorkflow engine behaviour', () => {
	it('evaluates expressions per item', async () => {
		const store = freshStore();
		const result = await runWorkflow(
			{
				nodes: [
					node('Start', 'harness.start'),
					node('Call', CALLER_TYPE, { path: '={{ "/api/vehicles/" + $json.id.toUpperCase() + "/" + $itemIndex }}' }),
				],
				connections: chain('Start', 'Call'),
			},
			{ nodeTypes, credentialTypes, credentials: store, triggerItems: [{ json: { id: 'a' } }, { json: { id: 'b' } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items('Call').map((item) => item.json.path)).toEqual(['/api/vehicles/A/0', '/api/vehicles/B/1']);
		expect(api.calls.map((call) => call.path)).toEqual(['/api/vehicles/A/0', '/api/vehicles/B/1']);
	});

	it('keeps pairedItem so $("Start").item resolves through a fan-out node', async () => {
		const fanOut = createFunctionNode(async function (this: IExecuteFunctions) {
			return [
				this.getInputData().flatMap((_item, i) => [
					{ json: { part: 1 }, pairedItem: { item: i } },
					{ json: { part: 2 }, pairedItem: { item: i } },
				]),
			];
		});
		const result = await runWorkflow(
			{
				nodes: [
					node('Start', 'harness.start'),
					node('Fan', 'harness-test.fan'),
					node('Call', CALLER_TYPE, { path: '={{ "/api/" + $("Start").item.json.name + "/" + $json.part }}' }),
				],
				connections: chain('Start', 'Fan', 'Call'),
			},
			{
				nodeTypes: { ...nodeTypes, 'harness-test.fan': fanOut },
				credentialTypes,
				credentials: freshStore(),
				triggerItems: [{ json: { name: 'first' } }, { json: { name: 'second' } }],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items('Fan').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
		]);
		expect(api.calls.map((call) => call.path)).toEqual(['/api/first/1', '/api/first/2', '/api/second/1', '/api/second/2']);
		expect(result.items('Call').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
	});

	it('continueOnFail turns a failed item into an error item; without it the execution fails', async () => {
		const store = freshStore();
		const triggerItems = [{ json: { path: '/api/ok' } }, { json: { path: '/api/fail' } }, { json: { path: '/api/ok2' } }];
		const nodes = (onError?: INode['onError']) => [
			node('Start', 'harness.start'),
			node('Call', CALLER_TYPE, { path: '={{ $json.path }}' }, onError ? { onError } : {}),
		];
		const continued = await runWorkflow(
			{ nodes: nodes('continueRegularOutput'), connections: chain('Start', 'Call') },
			{ nodeTypes, credentialTypes, credentials: store, triggerItems },
		);
		expect(continued.error).toBeUndefined();
		const out = continued.items('Call');
		expect(out.map((item) => Object.keys(item.json))).toEqual([['path', 'query'], ['error'], ['path', 'query']]);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		const stopped = await runWorkflow(
			{ nodes: nodes(), connections: chain('Start', 'Call') },
			{ nodeTypes, credentialTypes, credentials: store, triggerItems },
		);
		expect(stopped.error).toMatchObject({ httpCode: '500' });
		expect(stopped.runData.Call[0].error).toMatchObject({ httpCode: '500' });
		expect(stopped.run.status).toBe('error');
	});

	it('applies parameter defaults from the node description and returns the changed workflow static data', async () => {
		const writer = createFunctionNode(async function (this: IExecuteFunctions) {
			const data = this.getWorkflowStaticData('node');
			data.count = ((data.count as number | undefined) ?? 0) + 1;
			return [this.getInputData()];
		});
		const result = await runWorkflow(
			{
				nodes: [node('Start', 'harness.start'), node('Write', 'harness-test.writer'), node('Call', CALLER_TYPE)],
				connections: chain('Start', 'Write', 'Call'),
			},
			{
				nodeTypes: { ...nodeTypes, 'harness-test.writer': writer },
				credentialTypes,
				credentials: freshStore(),
				staticData: { 'node:Write': { count: 41 } },
			},
		);
		expect(result.workflow.getNode('Call')?.parameters).toEqual({ path: '/api/items', times: 1 });
		expect(result.items('Call')[0].json.path).toBe('/api/items');
		expect(result.staticDataChanged).toBe(true);
		expect(result.staticData).toEqual({ 'node:Write': { count: 42 } });
	});
});

describe('credentials helper', () => {
	it('getDecrypted returns a fresh copy with defaults applied', async () => {
		const store = freshStore({ accessToken: 'tok-x' });
		const helper = new HarnessCredentialsHelper(store, credentialTypes);
		const { createAdditionalData } = await import('./n8n-environment');
		const additionalData = createAdditionalData({ credentialsHelper: helper });
		const ref = store.details('harnessTestApi') ?? { id: '', name: '' };
		const first = await helper.getDecrypted(additionalData, ref, 'harnessTestApi', 'internal');
		first.accessToken = 'mutated';
		const second = await helper.getDecrypted(additionalData, ref, 'harnessTestApi', 'internal');
		expect(second.accessToken).toBe('tok-x');
		expect(second.region).toBe('eu');
		const raw = await helper.getDecrypted(additionalData, ref, 'harnessTestApi', 'internal', undefined, true);
		expect(raw.region).toBeUndefined();
		await expect(
			helper.getDecrypted(additionalData, { id: 'other', name: 'x' }, 'harnessTestApi', 'internal'),
		).rejects.toThrow('Credential with ID "other" does not exist for type "harnessTestApi".');
	});

	it('testCredential exchanges a token for a new credential and runs the test request', async () => {
		const store = freshStore();
		const result = await testCredential(new HarnessTestApi(), store);
		expect(result).toMatchObject({ status: 'OK', message: 'Connection successful!' });
		expect(api.exchanges).toBe(1);
		expect(api.calls).toEqual([{ path: '/api/me', authorization: 'Bearer tok-1', status: 200 }]);
		expect(result.writes).toHaveLength(1);
		expect(store.get('harnessTestApi')?.accessToken).toBe('tok-1');
	});

	it('testCredential reports a failed exchange', async () => {
		const store = freshStore({ clientSecret: 'wrong' });
		const result = await testCredential(new HarnessTestApi(), store);
		expect(result.status).toBe('Error');
		expect(api.calls).toHaveLength(0);
	});

	it('testCredential with a stored valid token does not exchange (as in n8n 2.41.1)', async () => {
		const store = freshStore({ accessToken: 'tok-7' });
		api.validTokens.add('tok-7');
		const result = await testCredential(new HarnessTestApi(), store);
		expect(result.status).toBe('OK');
		expect(api.exchanges).toBe(0);
		expect(result.writes).toHaveLength(0);
	});

	it('testCredential recovers from an expired stored token through the 401 retry', async () => {
		const store = freshStore({ accessToken: 'tok-old' });
		const result = await testCredential(new HarnessTestApi(), store);
		expect(result.status).toBe('OK');
		expect(api.calls.map((call) => call.status)).toEqual([401, 200]);
		expect(api.exchanges).toBe(1);
	});
});

describe('errors in nodes', () => {
	it('NodeOperationError from a node stops the run with that error', async () => {
		const thrower = createFunctionNode(async function (this: IExecuteFunctions) {
			throw new NodeOperationError(this.getNode(), 'nope', { itemIndex: 0 });
		});
		const result = await runWorkflow(
			{ nodes: [node('Start', 'harness.start'), node('Throw', 'harness-test.thrower')], connections: chain('Start', 'Throw') },
			{ nodeTypes: { 'harness-test.thrower': thrower } },
		);
		expect(result.error?.message).toBe('nope');
		expect(result.runData.Throw[0].error?.message).toBe('nope');
	});
});
