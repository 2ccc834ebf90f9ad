/**
 * Lose no event: what the Smartcar Trigger does with a delivery, with a mocked n8n context (n8n's own node tests do
 * the same; when n8n answers and saves is proven in test/e2e/crash.e2e.test.ts against a real n8n).
 *  - A new event is handed to n8n WITHOUT an answer: n8n answers once it stored the execution (or after the run).
 *  - An event counts as done only once that answer went out as a 2xx; until then a copy is "in progress" (409, so
 *    Smartcar retries later), and an answer that was not a 2xx (or a connection that closed first) lets the next
 *    copy run.
 *  - The workflow's static data holds only acknowledged events, compactly, so a restarted process still knows them
 *    and never drops an event that did not run.
 */
import type { IDataObject } from 'n8n-workflow';

import { MAX_STORED, RETENTION_MS } from '../../nodes/SmartcarTrigger/acknowledged-events';
import { freshWebhook } from './trigger-fixture';
import { callWebhook, type MockRequest, type MockTriggerSetup, type TriggerCall } from './webhook-context';

let counter = 0;
function event(eventId: string | null, extra: IDataObject = {}): MockRequest {
	counter++;
	const payload: IDataObject = {
		eventType: 'VEHICLE_STATE',
		vehicleId: 'veh-1',
		data: { user: { id: 'user-1' }, vehicle: { id: 'veh-1' }, signals: [] },
		meta: { deliveryId: `delivery-${counter}`, deliveredAt: Date.now(), ...(extra.meta as IDataObject | undefined) },
	};
	if (eventId !== null) payload.eventId = eventId;
	return { body: JSON.stringify(payload) };
}

function status(call: TriggerCall): string {
	if (call.items) return 'run';
	return `${call.response.statusCode} ${(call.response.body as IDataObject).status as string}`;
}

describe('a new event is handed to n8n unanswered; it is done only once n8n answered 2xx', () => {
	it('n8n answers 200 (execution stored): the next copy is a duplicate', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { staticData: {} };
		const first = await callWebhook(webhook, setup, event('e-1'));
		expect(first.items?.[0]).toMatchObject({ eventId: 'e-1', userId: 'user-1', vehicleId: 'veh-1' });
		// Nothing written by the node: n8n writes the answer, with this body on receipt.
		expect(first.response.writableFinished).toBe(false);
		expect(first.result.noWebhookResponse).toBeUndefined();
		expect(first.result.webhookResponse).toEqual({ status: 'received', eventId: 'e-1' });
		first.response.finish(200);
		expect(status(await callWebhook(webhook, setup, event('e-1')))).toBe('200 duplicate');
	});

	it('a copy arriving before n8n answered the first is 409 "inProgress" (Smartcar retries it), and a duplicate after', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { staticData: {} };
		const first = await callWebhook(webhook, setup, event('e-2'));
		const concurrent = await callWebhook(webhook, setup, event('e-2'));
		expect(status(concurrent)).toBe('409 inProgress');
		first.response.finish(200);
		expect(status(await callWebhook(webhook, setup, event('e-2')))).toBe('200 duplicate');
	});

	it('n8n answers 500 (the run failed, Respond: When the Workflow Finishes): Smartcar\'s retry runs again', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { parameters: { options: { respond: 'lastNode' } }, staticData: {} };
		const first = await callWebhook(webhook, setup, event('e-3'));
		first.response.finish(500);
		const retry = await callWebhook(webhook, setup, event('e-3'));
		expect(status(retry)).toBe('run');
		retry.response.finish(200);
		expect(status(await callWebhook(webhook, setup, event('e-3')))).toBe('200 duplicate');
	});

	it('the connection closes before any answer (Smartcar gave up, or n8n died): the retry runs', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { staticData: {} };
		(await callWebhook(webhook, setup, event('e-4'))).response.abort();
		expect(status(await callWebhook(webhook, setup, event('e-4')))).toBe('run');
	});

	it('the connection closed before n8n got to the trigger (n8n slower than Smartcar\'s 15 s): the event still runs, and the retry is not refused', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { staticData: {} };
		expect(status(await callWebhook(webhook, setup, { ...event('e-8'), closedBeforeHandled: true }))).toBe('run');
		expect(status(await callWebhook(webhook, setup, event('e-8')))).toBe('run');
	});

	it('a delivery in flight for over a minute no longer holds its copies back (its close was never seen)', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { staticData: {} };
		const real = Date.now;
		try {
			const start = real();
			Date.now = () => start;
			await callWebhook(webhook, setup, event('e-9'));
			Date.now = () => start + 30_000;
			expect(status(await callWebhook(webhook, setup, event('e-9')))).toBe('409 inProgress');
			Date.now = () => start + 61_000;
			expect(status(await callWebhook(webhook, setup, event('e-9')))).toBe('run');
		} finally {
			Date.now = real;
		}
	});

	it('an event without eventId is keyed by its bytes: the same bytes again are a duplicate once acknowledged', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { staticData: {} };
		const body = event(null);
		(await callWebhook(webhook, setup, body)).response.finish(200);
		expect(status(await callWebhook(webhook, setup, body))).toBe('200 duplicate');
		expect(status(await callWebhook(webhook, setup, event(null)))).toBe('run');
	});

	it('with Ignore Repeated Deliveries off every copy runs and nothing is stored', async () => {
		const webhook = freshWebhook();
		const setup: MockTriggerSetup = { parameters: { options: { deduplicate: false } }, staticData: {} };
		(await callWebhook(webhook, setup, event('e-5'))).response.finish(200);
		expect(status(await callWebhook(webhook, setup, event('e-5')))).toBe('run');
		expect(setup.staticData).toEqual({});
	});

	it('two triggers (workflows) keep separate memories', async () => {
		const webhook = freshWebhook();
		(await callWebhook(webhook, { workflowId: 'wf-A', staticData: {} }, event('e-6'))).response.finish(200);
		expect(status(await callWebhook(webhook, { workflowId: 'wf-B', staticData: {} }, event('e-6')))).toBe('run');
	});
});

describe('the workflow\'s static data: only acknowledged events, compact, survives a restart', () => {
	it('an acknowledged event is written by the next delivery, and is then a duplicate for a restarted process', async () => {
		const staticData: IDataObject = {};
		const webhook = freshWebhook();
		(await callWebhook(webhook, { staticData }, event('r-1'))).response.finish(200);
		// n8n saves a delivery's static data before its answer goes out: r-1 is written with the next delivery.
		expect(staticData).toEqual({});
		await callWebhook(webhook, { staticData }, event('r-next'));
		expect(Object.keys(staticData)).toEqual(['acknowledgedEvents']);
		expect(status(await callWebhook(freshWebhook(), { staticData }, event('r-1')))).toBe('200 duplicate');
		// r-next was never acknowledged: not written, so its retry runs.
		expect(status(await callWebhook(freshWebhook(), { staticData }, event('r-next')))).toBe('run');
	});

	it('an event handed to n8n but never acknowledged (crash) is NOT stored: after a restart its retry runs', async () => {
		const staticData: IDataObject = {};
		const webhook = freshWebhook();
		(await callWebhook(webhook, { staticData }, event('r-2'))).response.finish(200);
		await callWebhook(webhook, { staticData }, event('r-3')); // handed to n8n, then the process dies
		const restarted = freshWebhook();
		expect(status(await callWebhook(restarted, { staticData }, event('r-3')))).toBe('run');
		expect(status(await callWebhook(restarted, { staticData }, event('r-2')))).toBe('200 duplicate');
	});

	it('every write carries what the process knows: an event a concurrent save dropped is written back', async () => {
		const webhook = freshWebhook();
		const rowA: IDataObject = {};
		(await callWebhook(webhook, { staticData: rowA }, event('w-1'))).response.finish(200);
		// Another delivery loaded the row before w-1 was written, and its save wins.
		const rowB: IDataObject = {};
		await callWebhook(webhook, { staticData: rowB }, event('w-2'));
		expect(status(await callWebhook(freshWebhook(), { staticData: rowB }, event('w-1')))).toBe('200 duplicate');
	});

	it('0.1.0\'s list (IDs recorded on receipt, maybe never run) is not trusted and is dropped at the next write', async () => {
		const staticData: IDataObject = { recentEventIds: ['old-1'] };
		const call = await callWebhook(freshWebhook(), { staticData }, event('old-1'));
		expect(status(call)).toBe('run');
		call.response.finish(200);
		expect(staticData.recentEventIds).toBeUndefined();
	});

	it(`keeps at most ${MAX_STORED} events in about 22 KB, the newest; older events run again after a restart`, async () => {
		const staticData: IDataObject = {};
		const webhook = freshWebhook();
		for (let i = 0; i < MAX_STORED + 10; i++) (await callWebhook(webhook, { staticData }, event(`n-${i}`))).response.finish(200);
		await callWebhook(webhook, { staticData }, event('n-final'));
		expect(JSON.stringify(staticData).length).toBeLessThan(23_000);
		const restarted = freshWebhook();
		expect(status(await callWebhook(restarted, { staticData }, event(`n-${MAX_STORED + 9}`)))).toBe('200 duplicate');
		expect(status(await callWebhook(restarted, { staticData }, event('n-10')))).toBe('200 duplicate');
		expect(status(await callWebhook(restarted, { staticData }, event('n-0')))).toBe('run');
	});

	it(`drops events acknowledged more than ${RETENTION_MS / 60_000} minutes ago`, async () => {
		const staticData: IDataObject = {};
		const real = Date.now;
		try {
			const start = real();
			Date.now = () => start - RETENTION_MS - 120_000;
			const webhook = freshWebhook();
			(await callWebhook(webhook, { staticData }, event('t-old', { meta: { deliveredAt: Date.now() } }))).response.finish(200);
			await callWebhook(webhook, { staticData }, event('t-mid', { meta: { deliveredAt: Date.now() } }));
			expect(status(await callWebhook(freshWebhook(), { staticData }, event('t-old', { meta: { deliveredAt: Date.now() } })))).toBe('200 duplicate');
			Date.now = () => start;
			await callWebhook(webhook, { staticData }, event('t-new'));
			expect(status(await callWebhook(freshWebhook(), { staticData }, event('t-old')))).toBe('run');
		} finally {
			Date.now = real;
		}
	});
});
