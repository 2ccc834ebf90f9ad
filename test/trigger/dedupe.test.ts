/**
 * Ignore Repeated Deliveries: Smartcar delivers at least once, with a stable eventId and a new meta.deliveryId per
 * attempt, possibly concurrently. Tested through the webhook host with n8n 2.41.1's static-data behaviour, and
 * across a simulated restart: a NEW host over the same stored static data
 * with a freshly loaded copy of the node module (so the in-process memory is empty, as after a restart).
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';

import type { IDataObject } from 'n8n-workflow';

import { RecentEvents, STATIC_DATA_MAX_IDS, rememberInStaticData } from '../../nodes/SmartcarTrigger/recent-events';
import { demoFleet, vehicleStatePayload, type JsonObject } from '../../tooling/simulator';
import { shutdownHarness, type WebhookHost } from '../harness';
import {
	MANAGEMENT_TOKEN,
	STATIC_KEY,
	hmac,
	isRecord,
	postSigned,
	settle,
	startTriggerHost,
	type HttpResult,
	type TriggerHostOptions,
} from './trigger-fixture';

type TriggerModule = typeof import('../../nodes/SmartcarTrigger/SmartcarTrigger.node');

/** The node class from a fresh module registry: a new process's empty in-process memory. */
function freshTriggerClass(): TriggerModule['SmartcarTrigger'] {
	let loaded: TriggerModule | undefined;
	jest.isolateModules(() => {
		loaded = require('../../nodes/SmartcarTrigger/SmartcarTrigger.node') as TriggerModule;
	});
	if (loaded === undefined) throw new Error('could not load the trigger module');
	return loaded.SmartcarTrigger;
}

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const fleet = demoFleet(NOW);
const vehicle = fleet.vehicles[1];

let deliveryCounter = 0;
/** One delivery of an event: same eventId every time, a new deliveryId per call. */
function delivery(eventId: string): string {
	deliveryCounter += 1;
	const payload: JsonObject = vehicleStatePayload(fleet, vehicle.id, {
		form: 'real',
		eventId,
		deliveryId: `delivery-${deliveryCounter}`,
		deliveredAt: NOW + deliveryCounter,
	});
	return JSON.stringify(payload);
}

async function deliver(host: WebhookHost, eventId: string): Promise<HttpResult> {
	return await postSigned(host.url(), delivery(eventId));
}

/** Hex SHA-256, computed here independently of the package. */
function sha256(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

function storedIds(host: WebhookHost): unknown {
	const node = host.staticData()[STATIC_KEY];
	return isRecord(node) ? node.recentEventIds : undefined;
}

function executedIds(host: WebhookHost): unknown[] {
	return host.executions.map((execution) => execution.items[0][0].json.eventId);
}

const hosts: WebhookHost[] = [];
async function start(options: TriggerHostOptions = {}): Promise<WebhookHost> {
	const host = await startTriggerHost({ triggerClass: freshTriggerClass(), ...options });
	hosts.push(host);
	return host;
}

afterEach(async () => {
	for (const host of hosts.splice(0)) await host.close();
});

afterAll(() => shutdownHarness());

describe('same process', () => {
	it('a resent event (same eventId, new deliveryId) gets 200 "duplicate" and no second execution', async () => {
		const host = await start();
		const first = await deliver(host, 'evt-resent');
		const again = await deliver(host, 'evt-resent');
		expect(first.status).toBe(200);
		expect(first.json).toEqual({ status: 'received', eventId: 'evt-resent' });
		expect(again.status).toBe(200);
		expect(again.json).toEqual({ status: 'duplicate', eventId: 'evt-resent' });
		await settle(host);
		expect(executedIds(host)).toEqual(['evt-resent']);
		expect(host.requests.map((r) => r.startedExecution)).toEqual([true, false]);
	});

	it('several distinct events, each followed by resends, each run exactly once (n8n static-data semantics)', async () => {
		const host = await start();
		const ids = ['evt-a', 'evt-b', 'evt-c', 'evt-d'];
		const answers: unknown[] = [];
		for (const id of ids) {
			answers.push((await deliver(host, id)).json);
			answers.push((await deliver(host, id)).json);
		}
		for (const id of ids) answers.push((await deliver(host, id)).json);
		expect(answers).toEqual([
			...ids.flatMap((eventId) => [
				{ status: 'received', eventId },
				{ status: 'duplicate', eventId },
			]),
			...ids.map((eventId) => ({ status: 'duplicate', eventId })),
		]);
		await settle(host);
		expect(executedIds(host).sort()).toEqual(ids);
		// What n8n keeps in the workflow row: every id (the node answers itself, so n8n saves the webhook phase).
		expect(storedIds(host)).toEqual(ids);
	});

	it('two deliveries of one event sent concurrently start exactly one execution', async () => {
		const host = await start();
		const results = await Promise.all([deliver(host, 'evt-concurrent'), deliver(host, 'evt-concurrent')]);
		expect(results.map((r) => r.status)).toEqual([200, 200]);
		expect(results.map((r) => (isRecord(r.json) ? r.json.status : undefined)).sort()).toEqual(['duplicate', 'received']);
		await settle(host);
		expect(executedIds(host)).toEqual(['evt-concurrent']);
	});

	it('ten concurrent deliveries of each of three events: three executions', async () => {
		const host = await start();
		const ids = ['burst-1', 'burst-2', 'burst-3'];
		const results = await Promise.all(ids.flatMap((id) => Array.from({ length: 10 }, () => deliver(host, id))));
		expect(results.every((r) => r.status === 200)).toBe(true);
		const received = results.filter((r) => isRecord(r.json) && r.json.status === 'received');
		expect(received).toHaveLength(3);
		await settle(host);
		expect(executedIds(host).sort()).toEqual(ids);
	});

	it('a duplicate arriving while the first delivery is still being read (worst interleaving) is still caught', async () => {
		const host = await start();
		const held = holdDelivery(host, delivery('evt-interleaved'));
		await held.headersHandled;
		const second = await deliver(host, 'evt-interleaved');
		const first = await held.finish();
		expect([second.json, first.json]).toEqual([
			{ status: 'received', eventId: 'evt-interleaved' },
			{ status: 'duplicate', eventId: 'evt-interleaved' },
		]);
		await settle(host);
		expect(executedIds(host)).toEqual(['evt-interleaved']);
	});

	it('with the option off, every delivery runs', async () => {
		const host = await start({ parameters: { options: { deduplicate: false } } });
		await deliver(host, 'evt-twice');
		await deliver(host, 'evt-twice');
		await Promise.all([deliver(host, 'evt-twice'), deliver(host, 'evt-twice')]);
		await settle(host);
		expect(executedIds(host)).toEqual(['evt-twice', 'evt-twice', 'evt-twice', 'evt-twice']);
		const deliveryIds = host.executions.map((execution) => execution.items[0][0].json.deliveryId);
		expect(new Set(deliveryIds).size).toBe(4);
		expect(storedIds(host)).toBeUndefined();
	});

	it('an event without eventId is de-duplicated by its bytes: the same body again is a duplicate, another body runs', async () => {
		const host = await start();
		const body = JSON.stringify({ eventType: 'VEHICLE_STATE', vehicleId: vehicle.id, data: {} });
		const other = JSON.stringify({ eventType: 'VEHICLE_STATE', vehicleId: vehicle.id, data: { note: 'other' } });
		const answers = [
			await postSigned(host.url(), body),
			await postSigned(host.url(), body),
			await postSigned(host.url(), other),
		];
		expect(answers.map((a) => [a.status, a.json])).toEqual([
			[200, { status: 'received', eventId: null }],
			[200, { status: 'duplicate', eventId: null }],
			[200, { status: 'received', eventId: null }],
		]);
		await settle(host);
		expect(host.executions).toHaveLength(2);
		expect(storedIds(host)).toEqual([`sha256:${sha256(body)}`, `sha256:${sha256(other)}`]);
	});
});

describe('across a restart (new host, same stored static data, empty in-process memory)', () => {
	it('control: a restart without the stored static data forgets everything (the restart is real)', async () => {
		const before = await start();
		await deliver(before, 'evt-forgotten');
		await settle(before);
		const after = await start(); // empty workflow row
		const resend = await deliver(after, 'evt-forgotten');
		expect(resend.json).toEqual({ status: 'received', eventId: 'evt-forgotten' });
		await settle(after);
		expect(executedIds(after)).toEqual(['evt-forgotten']);
	});

	it('sequential deliveries survive: resends after the restart are duplicates, new events run', async () => {
		const before = await start();
		for (const id of ['r-1', 'r-2', 'r-3']) {
			await deliver(before, id);
			await deliver(before, id);
		}
		await settle(before);
		expect(executedIds(before).sort()).toEqual(['r-1', 'r-2', 'r-3']);
		const stored = before.staticData();
		expect(stored).toEqual({ [STATIC_KEY]: { recentEventIds: ['r-1', 'r-2', 'r-3'] } });
		await before.close();

		const after = await start({ staticData: stored });
		const answers: unknown[] = [];
		for (const id of ['r-1', 'r-2', 'r-3', 'r-4', 'r-4']) answers.push((await deliver(after, id)).json);
		expect(answers).toEqual([
			{ status: 'duplicate', eventId: 'r-1' },
			{ status: 'duplicate', eventId: 'r-2' },
			{ status: 'duplicate', eventId: 'r-3' },
			{ status: 'received', eventId: 'r-4' },
			{ status: 'duplicate', eventId: 'r-4' },
		]);
		await settle(after);
		expect(executedIds(after)).toEqual(['r-4']);
		expect(storedIds(after)).toEqual(['r-1', 'r-2', 'r-3', 'r-4']);
	});

	it('two distinct events handled at the same time in one process both stay in the static data (the later save carries what this process knows)', async () => {
		const before = await start();
		await deliver(before, 'race-0');
		// A's request has been routed (n8n loaded the workflow row) but its body is not read yet.
		const held = holdDelivery(before, delivery('race-A'));
		await held.headersHandled;
		const b = await deliver(before, 'race-B'); // loads the row, saves [race-0, race-B]
		const a = await held.finish(); // saves its own copy, loaded before race-B was saved, plus what memory knows
		expect([a.json, b.json]).toEqual([
			{ status: 'received', eventId: 'race-A' },
			{ status: 'received', eventId: 'race-B' },
		]);
		await settle(before);
		expect(executedIds(before).sort()).toEqual(['race-0', 'race-A', 'race-B']);
		const stored = before.staticData();
		expect(stored).toEqual({ [STATIC_KEY]: { recentEventIds: ['race-0', 'race-B', 'race-A'] } });
		await before.close();

		// Restart from that row: nothing runs again.
		const after = await start({ staticData: stored });
		expect((await deliver(after, 'race-A')).json).toEqual({ status: 'duplicate', eventId: 'race-A' });
		expect((await deliver(after, 'race-B')).json).toEqual({ status: 'duplicate', eventId: 'race-B' });
		await settle(after);
		expect(after.executions).toHaveLength(0);
	});

	it('n8n limitation: an id another process\'s overlapping save dropped from the row is written back by the next delivery here, but runs again after a restart before that', async () => {
		const before = await start();
		await deliver(before, 'race-0');
		await deliver(before, 'race-B');
		await settle(before);
		// What the row looks like after another webhook process saved its own copy over it, without race-B.
		const lost = { [STATIC_KEY]: { recentEventIds: ['race-0', 'race-A'] } };

		// Restart from the row as it was: race-B runs a second time.
		const afterLoss = await start({ staticData: lost });
		expect((await deliver(afterLoss, 'race-A')).json).toEqual({ status: 'duplicate', eventId: 'race-A' });
		expect((await deliver(afterLoss, 'race-B')).json).toEqual({ status: 'received', eventId: 'race-B' });
		await settle(afterLoss);
		expect(executedIds(afterLoss)).toEqual(['race-B']);
		await afterLoss.close();

		// A process writes back what it remembers, and only that: this fresh one keeps the row and adds its own ids.
		const healing = await start({ staticData: lost });
		await deliver(healing, 'race-0'); // duplicate; this fresh process now remembers race-0 only
		expect((await deliver(healing, 'race-C')).json).toEqual({ status: 'received', eventId: 'race-C' });
		await settle(healing);
		expect(healing.staticData()).toEqual({ [STATIC_KEY]: { recentEventIds: ['race-0', 'race-A', 'race-C'] } });
		await healing.close();
		await before.close();
	});

	it('deliveries to the test URL are not saved by n8n: after a restart their resends run', async () => {
		const before = await start();
		before.listenForTestEvent();
		await postSigned(before.url(undefined, { test: true }), delivery('test-url-event'));
		await settle(before);
		expect(before.executions.map((e) => e.mode)).toEqual(['manual']);
		const stored = before.staticData();
		expect(storedIds(before)).toBeUndefined();
		await before.close();

		const after = await start({ staticData: stored });
		expect((await deliver(after, 'test-url-event')).json).toEqual({ status: 'received', eventId: 'test-url-event' });
	});
});

describe('bounded memory', () => {
	it(`the workflow keeps the last ${STATIC_DATA_MAX_IDS} event ids; older ones run again after a restart`, async () => {
		const seeded = Array.from({ length: STATIC_DATA_MAX_IDS }, (_, i) => `old-${i}`);
		const before = await start({ staticData: { [STATIC_KEY]: { recentEventIds: seeded } } });
		expect((await deliver(before, 'old-0')).json).toEqual({ status: 'duplicate', eventId: 'old-0' });
		expect((await deliver(before, 'newest')).json).toEqual({ status: 'received', eventId: 'newest' });
		await settle(before);
		const ids = storedIds(before);
		expect(Array.isArray(ids) && ids.length).toBe(STATIC_DATA_MAX_IDS);
		expect(ids).toEqual([...seeded.slice(1), 'newest']);
		const stored = before.staticData();
		await before.close();

		const after = await start({ staticData: stored });
		expect((await deliver(after, 'old-1')).json).toEqual({ status: 'duplicate', eventId: 'old-1' });
		expect((await deliver(after, 'old-0')).json).toEqual({ status: 'received', eventId: 'old-0' });
	});

	it('RecentEvents forgets the oldest key beyond maxEntries', () => {
		const recent = new RecentEvents(3, 60_000);
		for (const key of ['a', 'b', 'c', 'd']) expect(recent.checkAndRecord(key, 1_000)).toBe(false);
		expect(recent.checkAndRecord('d', 1_001)).toBe(true);
		expect(recent.checkAndRecord('c', 1_001)).toBe(true);
		expect(recent.checkAndRecord('b', 1_001)).toBe(true);
		expect(recent.checkAndRecord('a', 1_001)).toBe(false); // evicted; recorded again, which evicts b
		expect(recent.checkAndRecord('b', 1_002)).toBe(false);
	});

	it('RecentEvents forgets keys older than maxAgeMs', () => {
		const recent = new RecentEvents(10, 1_000);
		expect(recent.checkAndRecord('x', 0)).toBe(false);
		expect(recent.checkAndRecord('x', 999)).toBe(true);
		expect(recent.checkAndRecord('x', 1_000)).toBe(false);
		expect(recent.checkAndRecord('x', 1_500)).toBe(true);
		// An expired entry is dropped when a later key is recorded, even below maxEntries.
		const small = new RecentEvents(2, 1_000);
		small.checkAndRecord('old', 0);
		small.checkAndRecord('mid', 500);
		small.checkAndRecord('new', 1_200);
		expect(small.checkAndRecord('mid', 1_300)).toBe(true);
		expect(small.checkAndRecord('new', 1_300)).toBe(true);
		expect(small.checkAndRecord('old', 1_300)).toBe(false);
	});

	it('RecentEvents stays bounded under 100 000 distinct keys', () => {
		const recent = new RecentEvents(100, 60_000);
		for (let i = 0; i < 100_000; i++) recent.checkAndRecord(`k${i}`, 5_000);
		for (let i = 99_900; i < 100_000; i++) expect(recent.checkAndRecord(`k${i}`, 5_001)).toBe(true);
		expect(recent.checkAndRecord('k99899', 5_001)).toBe(false);
	});

	it('RecentEvents.forget lets a key be accepted again', () => {
		const recent = new RecentEvents();
		expect(recent.checkAndRecord('k', 1)).toBe(false);
		recent.forget('k');
		expect(recent.checkAndRecord('k', 2)).toBe(false);
		expect(recent.checkAndRecord('k', 3)).toBe(true);
	});

	it('rememberInStaticData keeps at most STATIC_DATA_MAX_IDS strings and ignores junk already stored', () => {
		const staticData: IDataObject = { recentEventIds: [1, null, 'kept', { x: 1 }] };
		expect(rememberInStaticData(staticData, 'kept')).toBe(true);
		for (let i = 0; i < STATIC_DATA_MAX_IDS + 100; i++) expect(rememberInStaticData(staticData, `id-${i}`)).toBe(false);
		const ids = staticData.recentEventIds;
		expect(Array.isArray(ids) && ids.length).toBe(STATIC_DATA_MAX_IDS);
		expect(Array.isArray(ids) && ids[0]).toBe('id-100');
		expect(Array.isArray(ids) && ids.at(-1)).toBe(`id-${STATIC_DATA_MAX_IDS + 99}`);
		expect(rememberInStaticData({ recentEventIds: 'not an array' }, 'fresh')).toBe(false);
	});
});

// ---------------------------------------------------------------------------------------------------------------

interface HeldDelivery {
	/** Resolves once the host has routed the request (n8n has loaded the workflow and its static data). */
	headersHandled: Promise<void>;
	/** Sends the rest of the body and resolves with the response. */
	finish(): Promise<HttpResult>;
}

/** A signed delivery whose headers and first bytes go out now and whose body is completed later. */
function holdDelivery(host: WebhookHost, body: string): HeldDelivery {
	const requestsBefore = host.requests.length;
	const bytes = Buffer.from(body, 'utf8');
	let resolveResponse: (result: HttpResult) => void = () => undefined;
	let rejectResponse: (error: Error) => void = () => undefined;
	const response = new Promise<HttpResult>((resolve, reject) => {
		resolveResponse = resolve;
		rejectResponse = reject;
	});
	const req = http.request(
		host.url(),
		{
			method: 'POST',
			agent: false,
			headers: {
				'content-type': 'application/json',
				'content-length': String(bytes.length),
				'sc-signature': hmac(MANAGEMENT_TOKEN, bytes),
			},
		},
		(res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json: unknown;
				try {
					json = JSON.parse(text) as unknown;
				} catch {
					json = undefined;
				}
				resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, text, json });
			});
		},
	);
	req.on('error', rejectResponse);
	req.write(bytes.subarray(0, 16));
	const headersHandled = (async () => {
		const deadline = Date.now() + 5_000;
		while (host.requests.length === requestsBefore) {
			if (Date.now() > deadline) throw new Error('the held request never reached the host');
			await new Promise<void>((resolve) => setTimeout(resolve, 2));
		}
	})();
	return {
		headersHandled,
		async finish() {
			req.end(bytes.subarray(16));
			return await response;
		},
	};
}
