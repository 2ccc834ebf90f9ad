/**
 * Replayed deliveries (meta.deliveredAt outside the replay window), rotation of the Application Management Token
 * (the previous token still verifies deliveries; VERIFY is answered with the current one), and the Respond option
 * as n8n reads it from the webhook description. Mocked n8n context; the real n8n runs them in the e2e.
 */
import type { IDataObject, INode, IWebhookDescription } from 'n8n-workflow';
import { NodeHelpers, resolveWebhookDescriptionField, Workflow } from 'n8n-workflow';

import { SmartcarTrigger, WEBHOOK_FIELD_EXPRESSIONS } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { REPLAY_WINDOW_MS } from '../../nodes/SmartcarTrigger/vehicle-events';
import type { Webhook } from './trigger-fixture';
import { callWebhook, hmac, MANAGEMENT_TOKEN, type TriggerCall } from './webhook-context';

const webhook = new SmartcarTrigger().webhook as Webhook;
const PREVIOUS_TOKEN = 'amt_previous_0a1b2c3d4e5f60718293a4b5c6d7e8f9';

let counter = 0;
function body(deliveredAt: unknown = Date.now()): string {
	counter++;
	const meta: IDataObject = { deliveryId: `d-${counter}` };
	if (deliveredAt !== undefined) meta.deliveredAt = deliveredAt as IDataObject[string];
	return JSON.stringify({ eventId: `replay-${counter}`, eventType: 'VEHICLE_ERROR', vehicleId: 'veh-1', data: { errors: [] }, meta });
}

function answer(call: TriggerCall): [number | 'run', unknown] {
	return call.items ? ['run', undefined] : [call.response.statusCode, (call.response.body as IDataObject).status];
}

describe(`replayed deliveries: meta.deliveredAt more than ${REPLAY_WINDOW_MS / 60_000} minutes from now is refused`, () => {
	const now = () => Date.now();
	it.each<[string, () => unknown, [number | 'run', unknown]]>([
		['delivered now (epoch ms)', () => now(), ['run', undefined]],
		['9 minutes ago (ISO text)', () => new Date(now() - 9 * 60_000).toISOString(), ['run', undefined]],
		['9 minutes ago (epoch seconds)', () => Math.floor((now() - 9 * 60_000) / 1000), ['run', undefined]],
		['11 minutes ago', () => now() - 11 * 60_000, [400, 'stale']],
		['a day ago (a captured delivery)', () => now() - 86_400_000, [400, 'stale']],
		['11 minutes ahead', () => now() + 11 * 60_000, [400, 'stale']],
		['no deliveredAt (cannot be checked)', () => undefined, ['run', undefined]],
	])('%s', async (_name, deliveredAt, expected) => {
		const call = await callWebhook(webhook, { staticData: {} }, { body: body(deliveredAt()) });
		expect(answer(call)).toEqual(expected);
	});

	it('the refusal says how far off the delivery is and what to check', async () => {
		const call = await callWebhook(webhook, { staticData: {} }, { body: body(Date.now() - 3 * 3_600_000) });
		expect((call.response.body as IDataObject).error).toMatch(/180 minutes old .*refused as replays.*check this server's clock/);
	});

	it('a stale delivery is refused before de-duplication: it is not remembered', async () => {
		const staticData: IDataObject = {};
		await callWebhook(webhook, { staticData }, { body: body(Date.now() - 86_400_000) });
		expect(staticData).toEqual({});
	});
});

describe('rotating the Application Management Token', () => {
	const both = { applicationManagementToken: MANAGEMENT_TOKEN, previousApplicationManagementToken: PREVIOUS_TOKEN };

	it('a delivery signed with the previous token runs; one signed with neither is 401', async () => {
		const signedPrevious = body();
		const byPrevious = await callWebhook(webhook, { credential: both, staticData: {} }, { body: signedPrevious, signature: hmac(PREVIOUS_TOKEN, signedPrevious) });
		expect(answer(byPrevious)).toEqual(['run', undefined]);
		const signedOther = body();
		const byOther = await callWebhook(webhook, { credential: both, staticData: {} }, { body: signedOther, signature: hmac('amt_someone_else', signedOther) });
		expect(answer(byOther)).toEqual([401, undefined]);
	});

	it('without the previous token, a delivery signed with it is 401', async () => {
		const signed = body();
		const call = await callWebhook(webhook, { staticData: {} }, { body: signed, signature: hmac(PREVIOUS_TOKEN, signed) });
		expect(answer(call)).toEqual([401, undefined]);
	});

	it('VERIFY is answered with the current token', async () => {
		const verify = JSON.stringify({ eventId: 'v-1', eventType: 'VERIFY', data: { challenge: 'challenge-123' } });
		const call = await callWebhook(webhook, { credential: both, staticData: {} }, { body: verify, signature: null });
		expect(call.result.webhookResponse).toEqual({ challenge: hmac(MANAGEMENT_TOKEN, 'challenge-123') });
	});
});

describe('Respond: what n8n reads from the webhook description', () => {
	const description = new SmartcarTrigger().description;
	const webhookDescription = description.webhooks?.[0] as IWebhookDescription;

	function node(parameters: IDataObject): INode {
		const raw: INode = { id: 'n', name: 'Smartcar Trigger', type: 'n8n-nodes-smartcar.smartcarTrigger', typeVersion: 2, position: [0, 0], parameters: parameters as INode['parameters'] };
		// n8n resolves against the node with its defaults applied, as the Workflow constructor does.
		raw.parameters = NodeHelpers.getNodeParameters(description.properties, raw.parameters, true, false, raw, description) ?? {};
		return raw;
	}

	/** A field through n8n's expression engine (2.x for parameters with expressions; 1.x always, with its own fields). */
	function byExpression(n: INode, template: unknown): unknown {
		const nodeTypes = { getByNameAndVersion: () => new SmartcarTrigger(), getByName: () => new SmartcarTrigger(), getKnownTypes: () => ({}) };
		const workflow = new Workflow({ nodes: [n], connections: {}, active: false, nodeTypes });
		return workflow.expression.getSimpleParameterValue(n, template as string, 'webhook', {}, undefined, undefined);
	}

	it.each<[string, IDataObject, [string, string, string]]>([
		['vehicle events, default', {}, ['POST', 'onReceived', '']],
		['Respond: Immediately', { options: { respond: 'onReceived' } }, ['POST', 'onReceived', '']],
		['Respond: When the Workflow Finishes', { options: { respond: 'lastNode' } }, ['POST', 'lastNode', 'noData']],
		['Connect redirect (answered by the node)', { trigger: 'connectRedirect', options: { respond: 'lastNode' } }, ['GET', 'onReceived', '']],
	])('%s', (_name, parameters, [method, mode, data]) => {
		const n = node(parameters);
		const resolved = (['httpMethod', 'responseMode', 'responseData'] as const).map((field) => resolveWebhookDescriptionField(n, webhookDescription, field));
		expect(resolved).toEqual([method, mode, data].map((value) => ({ resolved: true, value })));
		const fields = ['httpMethod', 'responseMode', 'responseData'] as const;
		expect(fields.map((field) => byExpression(n, webhookDescription[field]))).toEqual([method, mode, data]);
		// n8n 1.x has no webhookDescriptionFields: the node declares these expressions there.
		expect(fields.map((field) => byExpression(n, WEBHOOK_FIELD_EXPRESSIONS[field]))).toEqual([method, mode, data]);
	});
});
