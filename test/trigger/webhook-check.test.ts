/**
 * Check Smartcar Webhook on Publish (the trigger's `webhookMethods.default.checkExists`), run the way n8n 2.41.1
 * runs it (webhook.service.js runWebhookMethod: an n8n-core HookContext with the activation mode). It looks up the
 * Smartcar webhook whose callback URI is exactly this trigger's Production URL. The first publish (activation
 * "activate") is never blocked, since Smartcar can verify a webhook only once the workflow is published: a missing or
 * disabled webhook, or a Smartcar that cannot be asked, is a warning in n8n's log. Publishing again ("update") fails
 * when there is none or it is disabled. The Test URL, n8n starting, and the option off send nothing. In n8n 2.41.1
 * the error's message is what the editor shows ("failed to activate"), in 1.123.81 its description, so each says
 * what to fix by itself.
 */
import { HookContext } from 'n8n-core';
import type { IDataObject, INode, IWebhookData, WorkflowActivateMode, WorkflowExecuteMode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { SmartcarApi } from '../../credentials/SmartcarApi.credentials';
import { clearTokenCache } from '../../credentials/smartcar-token';
import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import {
	Container,
	CredentialStore,
	createAdditionalData,
	DEFAULT_BASE_URL,
	HarnessCredentialsHelper,
	HarnessNodeTypes,
	requireFromCore,
	shutdownHarness,
} from '../harness';
import { createFleet, smartcarErrors, startSimulator, type Simulator } from '../../tooling/simulator';
import { CLIENT_SECRET, TRIGGER_NAME, TRIGGER_TYPE, WEBHOOK_ID, WORKFLOW_ID, triggerNode } from './trigger-fixture';

const CLIENT_ID = 'demo-client-id';
/** What n8n shows as this trigger's Production URL (WEBHOOK_URL unset: the instance base URL). */
const PRODUCTION_URL = `${DEFAULT_BASE_URL}webhook/${WEBHOOK_ID}/webhook`;

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ clientId: CLIENT_ID, clientSecrets: [CLIENT_SECRET], fleet: createFleet({ seed: 'webhook-check', users: [{ vehicles: 1 }] }) });
});

beforeEach(() => {
	clearTokenCache();
	sim.clearFaults();
	sim.resetManagement();
	sim.resetStats();
});

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

function managementRequests() {
	return sim.stats.requests.filter((request) => request.path.startsWith('/management/v3'));
}

interface Publish {
	parameters?: INode['parameters'];
	activation?: WorkflowActivateMode;
	mode?: WorkflowExecuteMode;
	isTest?: boolean;
}

const checked: INode['parameters'] = { trigger: 'vehicleEvents', options: { checkWebhookOnPublish: true } };

/** What n8n does for the trigger when a workflow is published: checkExists in a HookContext (and create if false). */
async function publish({ parameters = checked, activation = 'activate', mode = 'trigger', isTest = false }: Publish = {}): Promise<boolean> {
	const store = new CredentialStore({
		smartcarApi: {
			clientId: CLIENT_ID,
			clientSecret: CLIENT_SECRET,
			environment: 'custom',
			tokenUrl: sim.tokenUrl,
			apiBaseUrl: sim.apiBaseUrl,
			connectUrl: sim.connectUrl,
			managementApiUrl: sim.managementApiUrl,
			accessToken: '',
		},
	});
	const trigger = new SmartcarTrigger();
	const types = { [TRIGGER_TYPE]: trigger };
	const node: INode = { ...triggerNode(parameters), credentials: { smartcarApi: store.details('smartcarApi') as { id: string; name: string } } };
	const workflow = new Workflow({ id: WORKFLOW_ID, nodes: [node], connections: {}, active: true, nodeTypes: new HarnessNodeTypes(types) });
	const additionalData = createAdditionalData({ credentialsHelper: new HarnessCredentialsHelper(store, { smartcarApi: new SmartcarApi() }) });
	const description = trigger.description.webhooks?.[0];
	if (!description) throw new Error('The trigger declares no webhook');
	const webhookData: IWebhookData = {
		httpMethod: 'POST',
		node: TRIGGER_NAME,
		path: `${WEBHOOK_ID}/webhook`,
		webhookDescription: description,
		workflowId: WORKFLOW_ID,
		workflowExecuteAdditionalData: additionalData,
		webhookId: WEBHOOK_ID,
		isTest,
	};
	const context = new HookContext(workflow, workflow.getNode(TRIGGER_NAME) as INode, additionalData, mode, activation, webhookData);
	return await trigger.webhookMethods.default.checkExists.call(context);
}

/** n8n's logger, as the trigger's hook context reaches it (`this.logger`): its warnings, watched per test. */
function watchWarnings(): jest.SpyInstance {
	const { Logger } = requireFromCore<typeof import('@n8n/backend-common')>('@n8n/backend-common');
	return jest.spyOn(Container.get(Logger), 'warn');
}

afterEach(() => jest.restoreAllMocks());

/** The seeded webhook pointed at this trigger (enabled unless told otherwise). */
function pointWebhookHere(fields: IDataObject = {}): void {
	Object.assign(sim.webhooks[0], { callbackUri: PRODUCTION_URL, ...fields });
}

describe('publishing with the option on; publishing again (activation "update") is blocked by a finding', () => {
	test.each(['activate', 'update'] as const)('%s: an enabled webhook with exactly this URL passes; one lookup by filter[callbackUri]', async (activation) => {
		pointWebhookHere();

		await expect(publish({ activation })).resolves.toBe(true);

		expect(managementRequests().map((request) => [request.method, request.path, request.query['filter[callbackUri]']])).toEqual([
			['GET', '/management/v3/webhooks', PRODUCTION_URL],
		]);
	});

	test('no webhook with this URL: publishing fails, naming the URL and what to do', async () => {
		const failure = publish({ activation: 'update' });

		await expect(failure).rejects.toThrow(
			`No Smartcar webhook has this trigger's Production URL ${PRODUCTION_URL} as its callback URI: add one in the Smartcar Dashboard → Webhooks, then publish again`,
		);
		await failure.catch((error: { description?: string }) => {
			expect(error.description).toContain('Smartcar Dashboard → Webhooks');
			expect(error.description).toContain('set N8N_WEBHOOK_URL (WEBHOOK_URL on n8n 1.x)');
			expect(error.description).toContain('turn off Options → Check Smartcar Webhook on Publish, publish, add the webhook, then turn the check on again');
		});
	});

	test('a webhook whose URI only contains this URL is a near miss: named, but not accepted', async () => {
		const near = sim.addWebhook({ name: 'Almost', callbackUri: `${PRODUCTION_URL}/extra` });

		const error = await publish({ activation: 'update' }).catch((thrown: { message: string; description?: string }) => thrown);

		expect(error).toMatchObject({ message: expect.stringContaining('No Smartcar webhook has this trigger\'s Production URL') as unknown });
		expect((error as { description?: string }).description).toContain(`"Almost" (${near.callbackUri})`);
	});

	test('the matching webhook is disabled: publishing fails and says to enable it', async () => {
		pointWebhookHere({ isEnabled: false });

		const error = await publish({ activation: 'update' }).catch((thrown: { message: string; description?: string }) => thrown);

		expect(error).toMatchObject({
			message: 'The Smartcar webhook "Simulator Webhook" for this trigger\'s Production URL is disabled: enable it in the Smartcar Dashboard → Webhooks, then publish again',
		});
		expect((error as { description?: string }).description).toContain('Enable it in the Smartcar Dashboard');
	});

	test('one enabled webhook among disabled ones with the same URL passes', async () => {
		pointWebhookHere({ isEnabled: false });
		sim.addWebhook({ name: 'Replacement', callbackUri: PRODUCTION_URL, isEnabled: true });

		await expect(publish({ activation: 'update' })).resolves.toBe(true);
	});

	test('Smartcar refuses the token: the error says which token went to the Management API', async () => {
		sim.failNext({ path: '/management/v3/webhooks', ...smartcarErrors.permission(), times: 5 });

		const error = await publish({ activation: 'update' }).catch((thrown: { message: string; description?: string }) => thrown);

		expect((error as { description?: string }).description).toContain('The Management API was called with the application token');
		expect(JSON.stringify(error)).not.toContain(CLIENT_SECRET);
	});
});

describe('the first publish (activation "activate") is never blocked: the order that works is publish, then add the webhook', () => {
	test('no webhook with this URL yet: the trigger goes live, and n8n\'s log says to add it now', async () => {
		sim.clearWebhooks();
		const warn = watchWarnings();

		await expect(publish({ activation: 'activate' })).resolves.toBe(true);

		expect(warn).toHaveBeenCalledTimes(1);
		const [message] = warn.mock.calls[0] as [string];
		expect(message).toBe(
			`Smartcar Trigger "${TRIGGER_NAME}" is published, but Smartcar has no enabled webhook with its Production URL ${PRODUCTION_URL} yet: add (or enable) it in the Smartcar Dashboard → Webhooks now. Smartcar verifies it the moment it is saved, and the trigger answers.`,
		);
		expect(managementRequests()).toHaveLength(1);
	});

	test('the webhook exists but is disabled: live, with the same warning', async () => {
		pointWebhookHere({ isEnabled: false });
		const warn = watchWarnings();

		await expect(publish({ activation: 'activate' })).resolves.toBe(true);

		expect(String(warn.mock.calls[0]?.[0])).toContain('add (or enable) it in the Smartcar Dashboard → Webhooks now');
	});

	test('an enabled webhook with this URL: live, no warning', async () => {
		pointWebhookHere();
		const warn = watchWarnings();

		await expect(publish({ activation: 'activate' })).resolves.toBe(true);

		expect(warn).not.toHaveBeenCalled();
	});

	test('Smartcar cannot be asked: live, and the warning says why (no secret in it)', async () => {
		sim.failNext({ path: '/management/v3/webhooks', ...smartcarErrors.permission(), times: 5 });
		const warn = watchWarnings();

		await expect(publish({ activation: 'activate' })).resolves.toBe(true);

		const [message] = warn.mock.calls[0] as [string];
		expect(message).toContain('could not ask Smartcar for its webhooks: Smartcar: Access Denied (HTTP 403');
		expect(JSON.stringify(warn.mock.calls)).not.toContain(CLIENT_SECRET);
	});
});

describe('nothing is checked (and nothing sent)', () => {
	test.each([
		['the Test URL ("Listen for test event")', { activation: 'manual', mode: 'manual', isTest: true }],
		['n8n starting with the workflow published', { activation: 'init' }],
		['a new leader taking over', { activation: 'leadershipChange' }],
		['the option off (the default)', { parameters: { trigger: 'vehicleEvents' } }],
		['a Connect Redirect trigger', { parameters: { trigger: 'connectRedirect', stateCheck: 'none', options: { checkWebhookOnPublish: true } } }],
	] as Array<[string, Publish]>)('%s', async (_case, publishing) => {
		sim.clearWebhooks();

		await expect(publish(publishing)).resolves.toBe(true);

		expect(sim.stats.requests).toEqual([]);
	});
});

test('the option is off by default and shown only for Vehicle Events', () => {
	const options = new SmartcarTrigger().description.properties.find((property) => property.name === 'options');
	const option = (options?.options as Array<{ name: string; default: unknown }>).find((entry) => entry.name === 'checkWebhookOnPublish');
	expect(option?.default).toBe(false);
	expect(options?.displayOptions).toEqual({ show: { trigger: ['vehicleEvents'] } });
});

test('a notice under Vehicle Events names Smartcar → Subscription → Subscribe', () => {
	const notice = new SmartcarTrigger().description.properties.find((property) => property.name === 'subscriptionNotice');
	expect(notice?.type).toBe('notice');
	expect(notice?.displayName).toContain('<b>Smartcar</b> node → <b>Subscription</b> → <b>Subscribe</b>');
	expect(notice?.displayOptions).toEqual({ show: { trigger: ['vehicleEvents'] } });
});
