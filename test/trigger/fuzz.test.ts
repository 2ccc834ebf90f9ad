/**
 * Fuzzing the trigger's webhook() (mocked n8n context) with a seeded PRNG (FUZZ_SEED=<n> to replay another run):
 * random and mutated bodies, wrong types for every field, huge strings, nested garbage, random header values, valid
 * and invalid signatures. Whatever n8n hands over, the trigger reads the raw bytes; a body n8n cannot parse as the
 * JSON its content type claims never reaches it (n8n's 422: test/e2e/smartcar.e2e.test.ts), and is refused here too.
 *
 * Properties, for every request:
 *  - webhook() answers, never throws and never with a 5xx (the token is configured, so no documented 500 applies);
 *  - an execution starts only when SC-Signature is the HMAC of the exact bytes sent (computed here);
 *  - the signature is checked before the body is parsed: an unsigned or wrongly signed body is 401 unless it is a
 *    VERIFY of at most 4 KiB (Smartcar does not sign VERIFY), which is answered (correctly) or refused (400);
 *  - for a validly signed body: not a JSON object → 400; VERIFY is answered or refused and never runs; a
 *    VEHICLE_STATE / VEHICLE_ERROR runs and gives one well-formed item; other types are "ignored";
 *  - with de-duplication on, each eventId runs once, and each body without an eventId runs once.
 */
import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { demoFleet, vehicleErrorPayload, vehicleStatePayload } from '../../tooling/simulator';
import { CLIENT_SECRET, MANAGEMENT_TOKEN, hmac, isRecord, type Webhook } from './trigger-fixture';
import { send as callTrigger, type MockTriggerSetup, type Outcome } from './webhook-context';

const SEED = Number(process.env.FUZZ_SEED ?? 20260301);
const CASES = 1_200;
const DEDUPE_CASES = 300;
const SELECTED = ['VEHICLE_STATE', 'VEHICLE_ERROR'];
/** The largest unsigned body the trigger parses (to answer VERIFY). */
const UNSIGNED_BODY_LIMIT = 4 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

class Rng {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** mulberry32 */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) | 0;
		let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	}

	int(max: number): number {
		return Math.floor(this.next() * max);
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(values: readonly T[]): T {
		return values[this.int(values.length)];
	}
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

const ALPHABET = 'abcXYZ019 -_.:/{}[]",\\\'<>&=+%#é✓€\u0000\u0007\n\t\u2028🚗';

function randomString(rng: Rng, maxLength = 24): string {
	const huge = rng.chance(0.03);
	const length = huge ? 5_000 + rng.int(30_000) : rng.int(maxLength);
	if (huge) return rng.pick(['A', 'é', '{', '\\', '0']).repeat(length);
	let text = '';
	for (let i = 0; i < length; i++) text += ALPHABET[rng.int(ALPHABET.length)];
	return text;
}

function randomNumber(rng: Rng): number {
	return rng.pick([
		0,
		-1,
		1,
		2020,
		78.5,
		-0.0001,
		1731940328000,
		1731940328,
		Number.MAX_SAFE_INTEGER,
		1e300,
		-1e300,
		5e-324,
		rng.next() * 1e6,
	]);
}

function randomJson(rng: Rng, depth = 0): Json {
	const roll = rng.int(depth > 3 ? 4 : 7);
	switch (roll) {
		case 0:
			return null;
		case 1:
			return rng.chance(0.5);
		case 2:
			return randomNumber(rng);
		case 3:
			return randomString(rng);
		case 4:
			return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth + 1));
		case 5: {
			const record: JsonRecord = {};
			for (let i = 0, n = rng.int(5); i < n; i++) record[randomString(rng, 8)] = randomJson(rng, depth + 1);
			return record;
		}
		default:
			return nested(rng, 1 + rng.int(300));
	}
}

/** Deeply nested arrays/objects (well below any stack limit, like a hostile but 50 KB-bounded payload). */
function nested(rng: Rng, depth: number): Json {
	let value: Json = randomString(rng, 4);
	for (let i = 0; i < depth; i++) value = rng.chance(0.5) ? [value] : { [rng.pick(['signal', 'value', 'a', 'body'])]: value };
	return value;
}

/** A field's value: usually the right type, often anything at all, sometimes absent (undefined). */
function field(rng: Rng, good: () => Json): Json | undefined {
	const roll = rng.next();
	if (roll < 0.15) return undefined;
	if (roll < 0.65) return good();
	return randomJson(rng);
}

function put(record: JsonRecord, key: string, value: Json | undefined): void {
	if (value !== undefined) record[key] = value;
}

const SIGNAL_CODES = ['tractionbattery-stateofcharge', 'odometer-traveleddistance', 'location-preciselocation', 'X', ''];
const DOTTED = ['TractionBattery.StateOfCharge', 'Odometer.TraveledDistance', 'Bad.Name.Here', '.', 'no-dot'];

/** meta.deliveredAt: mostly around now (as Smartcar sends it), sometimes old, far ahead or not a time at all. */
function timestamp(rng: Rng): Json {
	const now = Date.now();
	return rng.pick<() => Json>([
		() => now - rng.int(60_000),
		() => new Date(now - rng.int(120_000)).toISOString(),
		() => String(now + rng.int(1000)),
		() => Math.floor(now / 1000) - rng.int(30),
		() => randomNumber(rng),
		() => new Date(1_700_000_000_000 + rng.int(1e9)).toISOString(),
		() => randomString(rng),
	])();
}

/**
 * The oracle's own reading of the replay window: a signed delivery whose meta.deliveredAt is a time more than ten
 * minutes from now is refused. Numbers (and digit strings) below 1e11 are seconds, others milliseconds.
 */
function isStale(event: Record<string, unknown>): boolean {
	const meta = event.meta;
	const raw = meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>).deliveredAt : undefined;
	let ms = NaN;
	if (typeof raw === 'number' || (typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw))) {
		const n = Number(raw);
		ms = n < 1e11 ? n * 1000 : n;
	} else if (typeof raw === 'string' && raw !== '') {
		ms = new Date(raw).getTime();
	}
	// A number no Date can hold (beyond ±8.64e15 ms) is not a time either.
	return !Number.isNaN(new Date(ms).getTime()) && Math.abs(Date.now() - ms) > 10 * 60 * 1000;
}

function randomSignal(rng: Rng): Json {
	const signal: JsonRecord = {};
	put(signal, 'code', field(rng, () => rng.pick(SIGNAL_CODES)));
	put(signal, 'name', field(rng, () => randomString(rng)));
	put(signal, 'group', field(rng, () => randomString(rng)));
	put(
		signal,
		'body',
		field(rng, () =>
			rng.pick<() => Json>([
				() => ({ value: randomJson(rng), unit: randomString(rng, 6) }),
				() => ({ values: [randomJson(rng)], rowCount: 1 }),
				() => ({ latitude: randomNumber(rng), longitude: randomNumber(rng) }),
				() => ({ unit: randomJson(rng) }),
			])(),
		),
	);
	put(
		signal,
		'meta',
		field(rng, () => {
			const meta: JsonRecord = {};
			put(meta, 'oemUpdatedAt', field(rng, () => timestamp(rng)));
			put(meta, rng.pick(['retrievedAt', 'fetchedAt']), field(rng, () => timestamp(rng)));
			return meta;
		}),
	);
	put(
		signal,
		'status',
		field(rng, () =>
			rng.pick<() => Json>([
				() => rng.pick(['SUCCESS', 'ERROR', 'UNAVAILABLE', 'success', '']),
				() => ({ value: rng.pick(['SUCCESS', 'ERROR', 'UNAVAILABLE']), error: randomJson(rng) }),
				() => ({ value: 'ERROR', error: { type: randomJson(rng), code: randomJson(rng), resolution: randomJson(rng) } }),
			])(),
		),
	);
	if (rng.chance(0.1)) signal.attributes = randomJson(rng);
	return signal;
}

function randomTrigger(rng: Rng): Json {
	return rng.pick<() => Json>([
		() => rng.pick(DOTTED),
		() => ({ type: rng.pick(['SIGNAL_UPDATED', 'FIRST_DELIVERY', '']), signal: randomJson(rng) }),
		() => ({ type: 'SIGNAL_UPDATED', signal: rng.pick(DOTTED) }),
		() => ({ code: rng.pick(SIGNAL_CODES), name: randomJson(rng) }),
		() => ({ type: randomJson(rng) }),
		() => randomJson(rng),
	])();
}

function randomError(rng: Rng): Json {
	const error: JsonRecord = {};
	for (const key of ['type', 'code', 'state', 'description', 'detail', 'suggestedUserMessage', 'docURL', 'docUrl']) {
		put(error, key, field(rng, () => randomString(rng)));
	}
	put(error, 'resolution', field(rng, () => (rng.chance(0.5) ? { type: randomString(rng) } : randomString(rng))));
	put(
		error,
		'signals',
		field(rng, () => Array.from({ length: rng.int(4) }, () => (rng.chance(0.5) ? rng.pick(DOTTED) : randomSignal(rng)))),
	);
	return error;
}

function list(rng: Rng, item: (rng: Rng) => Json): () => Json {
	return () => Array.from({ length: rng.int(6) }, () => item(rng));
}

/** A random event-shaped object: every field may be missing, right, or of any other type. */
function randomEvent(rng: Rng, eventType?: Json): JsonRecord {
	const event: JsonRecord = {};
	put(event, 'eventId', field(rng, () => (rng.chance(0.8) ? `evt-${rng.int(1e9)}` : randomNumber(rng))));
	put(
		event,
		'eventType',
		eventType !== undefined ? eventType : field(rng, () => rng.pick(['VEHICLE_STATE', 'VEHICLE_ERROR', 'VERIFY', 'OTHER'])),
	);
	put(event, 'vehicleId', field(rng, () => randomString(rng)));
	put(event, 'userId', field(rng, () => randomString(rng)));
	put(event, 'triggers', field(rng, list(rng, randomTrigger)));
	put(
		event,
		'data',
		field(rng, () => {
			const data: JsonRecord = {};
			put(data, 'user', field(rng, () => ({ id: randomJson(rng) })));
			put(
				data,
				'vehicle',
				field(rng, () => {
					const vehicle: JsonRecord = {};
					put(vehicle, 'id', field(rng, () => randomString(rng)));
					put(vehicle, 'make', field(rng, () => randomString(rng)));
					put(vehicle, 'model', field(rng, () => randomString(rng)));
					put(vehicle, 'year', field(rng, () => rng.pick<Json>([2020, '2021', 'abc', 1e300, -5])));
					if (rng.chance(0.2)) vehicle[randomString(rng, 6)] = randomJson(rng);
					return vehicle;
				}),
			);
			put(data, 'signals', field(rng, list(rng, randomSignal)));
			put(data, 'triggers', field(rng, list(rng, randomTrigger)));
			put(data, 'errors', field(rng, list(rng, randomError)));
			put(data, 'challenge', field(rng, () => randomString(rng)));
			return data;
		}),
	);
	put(
		event,
		'meta',
		field(rng, () => {
			const meta: JsonRecord = {};
			for (const key of ['deliveryId', 'webhookId', 'webhookName', 'mode', 'version']) put(meta, key, field(rng, () => randomString(rng)));
			put(meta, 'deliveredAt', field(rng, () => timestamp(rng)));
			return meta;
		}),
	);
	return event;
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

/** Deliveries carry a current meta.deliveredAt: the trigger refuses ones far from its clock as replays. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const fleet = demoFleet(NOW);

function validEventText(rng: Rng): string {
	const vehicle = rng.pick(fleet.vehicles);
	const payload = rng.chance(0.7)
		? vehicleStatePayload(fleet, vehicle.id, {
				form: rng.pick(['docs', 'real'] as const),
				eventId: `valid-${rng.int(1e9)}`,
				trigger: rng.pick(['SIGNAL_UPDATED', 'FIRST_DELIVERY'] as const),
				triggerStyle: rng.pick(['object', 'string'] as const),
				signalTimestamps: rng.pick(['iso', 'epoch'] as const),
			})
		: vehicleErrorPayload(fleet, vehicle.id, {
				eventId: `valid-err-${rng.int(1e9)}`,
				kind: rng.pick(['vehicle-state', 'compatibility', 'permission'] as const),
				signalRefs: rng.pick(['object', 'string'] as const),
			});
	return rng.chance(0.3) ? JSON.stringify(payload, null, 2) : JSON.stringify(payload);
}

function mutate(rng: Rng, original: Buffer): Buffer {
	let bytes = Buffer.from(original);
	for (let i = 0, n = 1 + rng.int(4); i < n; i++) {
		const at = rng.int(Math.max(bytes.length, 1));
		switch (rng.int(5)) {
			case 0: // flip a bit
				if (bytes.length > 0) bytes[at] ^= 1 << rng.int(8);
				break;
			case 1: // truncate
				bytes = bytes.subarray(0, at);
				break;
			case 2: // insert random bytes
				bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))), bytes.subarray(at)]);
				break;
			case 3: // delete a slice
				bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rng.int(20))]);
				break;
			default: // duplicate a slice
				bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + 40), bytes.subarray(at)]);
		}
	}
	return bytes;
}

type SignatureKind = 'valid' | 'valid-upper' | 'forged' | 'random-hex' | 'garbage' | 'client-secret' | 'stale' | 'missing';

interface FuzzCase {
	index: number;
	body: Buffer;
	contentType?: string;
	signatureKind: SignatureKind;
	headers: Record<string, string>;
}

const CONTENT_TYPES = [
	'application/json',
	'application/json',
	'application/json; charset=utf-8',
	'text/plain',
	'application/octet-stream',
	'application/x-www-form-urlencoded',
	undefined,
];

function printable(rng: Rng, maxLength: number): string {
	let text = '';
	for (let i = 0, n = rng.int(maxLength); i < n; i++) text += String.fromCharCode(0x21 + rng.int(0x5e));
	return text;
}

function buildCase(rng: Rng, index: number, options: { body?: Buffer; contentType?: string | null } = {}): FuzzCase {
	let body: Buffer;
	let other: Buffer = Buffer.from(`{"eventId":"other-${index}"}`);
	if (options.body !== undefined) {
		body = options.body;
	} else {
		const kind = rng.int(10);
		if (kind < 3) {
			// validly shaped event (docs/real, state/error, pretty/compact), then mutated bytes
			const valid = Buffer.from(validEventText(rng), 'utf8');
			body = rng.chance(0.25) ? valid : mutate(rng, valid);
			other = valid;
		} else if (kind < 8) {
			const eventType = kind < 6 ? 'VEHICLE_STATE' : undefined;
			const event = randomEvent(rng, eventType);
			body = Buffer.from(rng.chance(0.2) ? JSON.stringify(event, null, rng.int(4)) : JSON.stringify(event), 'utf8');
			if (rng.chance(0.1)) body = mutate(rng, body);
		} else if (kind < 9) {
			body = Buffer.from(JSON.stringify(randomJson(rng)), 'utf8');
		} else {
			body = Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256)));
		}
	}
	const signatureKind = rng.pick<SignatureKind>([
		'valid',
		'valid',
		'valid',
		'valid-upper',
		'forged',
		'random-hex',
		'garbage',
		'client-secret',
		'stale',
		'missing',
	]);
	const valid = hmac(MANAGEMENT_TOKEN, body);
	const signature: Record<SignatureKind, string | undefined> = {
		valid,
		'valid-upper': valid.toUpperCase(),
		forged: valid.slice(0, 10) + (valid[10] === 'a' ? 'b' : 'a') + valid.slice(11),
		'random-hex': Array.from({ length: 64 }, () => '0123456789abcdef'[rng.int(16)]).join(''),
		garbage: printable(rng, 100),
		'client-secret': hmac(CLIENT_SECRET, body),
		stale: hmac(MANAGEMENT_TOKEN, other),
		missing: undefined,
	};
	const headers: Record<string, string> = {};
	const contentType = options.contentType === null ? undefined : (options.contentType ?? rng.pick(CONTENT_TYPES));
	if (contentType !== undefined) headers['content-type'] = contentType;
	const sent = signature[signatureKind];
	if (sent !== undefined) headers['sc-signature'] = sent;
	for (let i = 0, n = rng.int(3); i < n; i++) headers[`x-fuzz-${i}`] = printable(rng, 200);
	if (rng.chance(0.3)) headers['user-agent'] = printable(rng, 60);
	return { index, body, contentType, signatureKind, headers };
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle

function signatureIsValid(fuzzCase: FuzzCase): boolean {
	const sent = fuzzCase.headers['sc-signature'];
	return sent !== undefined && sent.trim().toLowerCase() === hmac(MANAGEMENT_TOKEN, fuzzCase.body);
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch {
		return { ok: false };
	}
}

type BodyView = { kind: 'not-object' } | { kind: 'object'; value: Record<string, unknown> };

/** What the trigger can make of the bytes: a JSON object, or not one (whatever the content type says). */
function bodyView(fuzzCase: FuzzCase): BodyView {
	const parsed = tryJson(fuzzCase.body.toString('utf8'));
	return parsed.ok && isRecord(parsed.value) ? { kind: 'object', value: parsed.value } : { kind: 'not-object' };
}

function asKey(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

const isStringOrNull = (value: unknown) => value === null || typeof value === 'string';

/** The documented item shape (perEvent), whatever the input. */
function itemProblems(item: IDataObject): string[] {
	const problems: string[] = [];
	for (const key of ['eventId', 'eventType', 'userId', 'vehicleId', 'mode', 'webhookId', 'webhookName', 'deliveryId', 'deliveredAt']) {
		if (!isStringOrNull(item[key])) problems.push(`${key} is ${JSON.stringify(item[key])}`);
	}
	const vehicle = item.vehicle;
	if (!isRecord(vehicle) || !isStringOrNull(vehicle.id) || !(vehicle.year === null || typeof vehicle.year === 'number')) {
		problems.push(`vehicle is ${JSON.stringify(vehicle)?.slice(0, 200)}`);
	}
	const signals = item.signals;
	if (!Array.isArray(signals) || !signals.every((s) => isRecord(s) && typeof s.code === 'string' && typeof s.status === 'string')) {
		problems.push('signals malformed');
	}
	const triggers = item.triggers;
	if (!Array.isArray(triggers) || !triggers.every((t) => typeof t === 'string')) problems.push('triggers malformed');
	const errors = item.errors;
	if (!Array.isArray(errors) || !errors.every((e) => isRecord(e) && Array.isArray(e.signals) && e.signals.every((s) => typeof s === 'string'))) {
		problems.push('errors malformed');
	}
	return problems;
}

// ---------------------------------------------------------------------------------------------------------------

const webhook = new SmartcarTrigger().webhook as Webhook;

async function send(fuzzCase: FuzzCase, setup: MockTriggerSetup): Promise<Outcome> {
	const signature = fuzzCase.headers['sc-signature'] ?? null;
	return await callTrigger(webhook, setup, { body: fuzzCase.body, headers: fuzzCase.headers, signature });
}

function describeCase(fuzzCase: FuzzCase): string {
	const preview = fuzzCase.body.toString('utf8').slice(0, 160).replace(/\s+/g, ' ');
	return `seed=${SEED} case=${fuzzCase.index} type=${fuzzCase.contentType ?? '(none)'} sig=${fuzzCase.signatureKind} body=${preview}`;
}

const bodyStatus = (outcome: Outcome): unknown => (isRecord(outcome.body) ? outcome.body.status : undefined);

/** What the oracle expects of a VERIFY: answered with the right HMAC of a plausible challenge, or refused; never run. */
function verifyProblems(view: Record<string, unknown>, outcome: Outcome): string[] {
	const data = view.data;
	const challenge = isRecord(data) ? data.challenge : undefined;
	const problems = outcome.items ? ['VERIFY started a run'] : [];
	if (outcome.status === 200) {
		const answer = isRecord(outcome.body) ? outcome.body.challenge : undefined;
		if (typeof challenge !== 'string' || answer !== hmac(MANAGEMENT_TOKEN, challenge)) problems.push('wrong VERIFY answer');
		if (typeof challenge === 'string' && /[{}"\s]/.test(challenge)) problems.push('VERIFY signed a JSON-like challenge');
	} else if (outcome.status !== 400) {
		problems.push('VERIFY neither answered nor refused');
	}
	return problems;
}

/** What the oracle expects of a validly signed JSON object that is not a VERIFY. */
function signedEventProblems(view: Record<string, unknown>, outcome: Outcome): string[] {
	const eventType = view.eventType;
	if (typeof eventType !== 'string' || !SELECTED.includes(eventType)) {
		return outcome.status !== 200 || bodyStatus(outcome) !== 'ignored' || outcome.items ? ['expected 200 ignored, no run'] : [];
	}
	if (isStale(view)) return outcome.status !== 400 || bodyStatus(outcome) !== 'stale' || outcome.items ? ['expected 400 stale, no run'] : [];
	const expectedAnswer = { status: 'received', eventId: asKey(view.eventId) ?? null };
	const problems = outcome.status !== 200 || JSON.stringify(outcome.body) !== JSON.stringify(expectedAnswer) ? ['expected 200 received'] : [];
	if (outcome.items?.length !== 1) return [...problems, `expected one item, got ${outcome.items?.length ?? 'no run'}`];
	return [...problems, ...itemProblems(outcome.items[0])];
}

/** Every property the header of this file lists, for one request and its outcome. */
function caseProblems(fuzzCase: FuzzCase, outcome: Outcome): string[] {
	const validSignature = signatureIsValid(fuzzCase);
	const problems = outcome.status >= 500 ? ['5xx'] : [];
	if (outcome.items && !validSignature) problems.push('a run without a valid signature');
	const view = bodyView(fuzzCase);
	if (view.kind === 'not-object') {
		const expected = validSignature ? 400 : 401;
		return outcome.status === expected ? problems : [...problems, `expected ${expected} for a body that is not a JSON object`];
	}
	const isVerify = view.value.eventType === 'VERIFY';
	if (!validSignature && !(isVerify && fuzzCase.body.length <= UNSIGNED_BODY_LIMIT)) {
		return outcome.status === 401 ? problems : [...problems, 'expected 401'];
	}
	return [...problems, ...(isVerify ? verifyProblems(view.value, outcome) : signedEventProblems(view.value, outcome))];
}

describe(`fuzz (seed ${SEED})`, () => {
	it(`${CASES} random and mutated deliveries: webhook() never throws, runs only for the exact signed bytes`, async () => {
		const rng = new Rng(SEED);
		const setup = { parameters: { options: { deduplicate: false } }, workflowId: 'wf-fuzz' };
		const failures: string[] = [];
		const statuses = new Map<number, number>();
		let [signedStates, runs] = [0, 0];
		for (let index = 0; index < CASES; index++) {
			const fuzzCase = buildCase(rng, index);
			const outcome = await send(fuzzCase, setup).catch((error: Error) => ({ status: 500, body: `webhook() threw: ${error.message}`, headers: {} }) as Outcome);
			for (const problem of caseProblems(fuzzCase, outcome)) failures.push(`${problem} — ${describeCase(fuzzCase)} → ${outcome.status} ${JSON.stringify(outcome.body)?.slice(0, 200)}`);
			statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
			if (outcome.items) runs++;
			if (outcome.items?.[0]?.eventType === 'VEHICLE_STATE') signedStates++;
		}
		if (process.env.FUZZ_STATS) console.log({ statuses: [...statuses], signedStates, runs });
		expect(failures.slice(0, 20)).toEqual([]);
		// The run exercised what it claims to.
		expect(signedStates).toBeGreaterThan(100);
		expect(statuses.get(401)).toBeGreaterThan(200);
		expect(statuses.get(400)).toBeGreaterThan(20);
	});

	it(`${DEDUPE_CASES} deliveries drawn from a small pool of eventIds: each id (or id-less body) runs once, duplicates answered as such`, async () => {
		const rng = new Rng(SEED ^ 0x5eed);
		const pool: Array<Json | undefined> = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 7, 8.5, null, undefined, { id: 'x' }, ['p-1']];
		const setup = { workflowId: 'wf-fuzz-dedupe', staticData: {} };
		const seen = new Set<string>();
		const seenBodies = new Set<string>();
		const failures: string[] = [];
		const executedKeys: unknown[] = [];
		let runs = 0;
		const sentWithoutId: Buffer[] = [];
		let resentWithoutId = 0;
		for (let index = 0; index < DEDUPE_CASES; index++) {
			const event = randomEvent(rng, rng.pick(SELECTED));
			const eventId = rng.pick(pool);
			if (eventId === undefined) delete event.eventId;
			else event.eventId = eventId;
			let body: Buffer = Buffer.from(JSON.stringify(event), 'utf8');
			// Some id-less bodies are sent again byte for byte (a replay, or a resend with nothing changed).
			if (eventId === undefined && sentWithoutId.length > 0 && rng.chance(0.5)) {
				body = rng.pick(sentWithoutId);
				resentWithoutId++;
			} else if (eventId === undefined) {
				sentWithoutId.push(body);
			}
			const fuzzCase = buildCase(rng, index, { body, contentType: 'application/json' });
			const outcome = await send(fuzzCase, setup);
			if (outcome.items) {
				runs++;
				executedKeys.push(outcome.items[0].eventId);
			}
			const key = asKey(eventId);
			const fail = (what: string) => failures.push(`${what} — ${describeCase(fuzzCase)} → ${outcome.status} ${JSON.stringify(outcome.body)}`);
			if (!signatureIsValid(fuzzCase)) {
				if (outcome.status !== 401) fail('expected 401');
				continue;
			}
			if (isStale(event)) {
				if (outcome.status !== 400) fail('expected 400 stale');
				continue;
			}
			const bodyHash = createHash('sha256').update(fuzzCase.body).digest('hex');
			const duplicate = key !== undefined ? seen.has(key) : seenBodies.has(bodyHash);
			const expected = { status: duplicate ? 'duplicate' : 'received', eventId: key ?? null };
			if (outcome.status !== 200 || JSON.stringify(outcome.body) !== JSON.stringify(expected)) fail(`expected ${expected.status}`);
			if (duplicate === (outcome.items !== undefined)) fail(duplicate ? 'a duplicate ran' : 'a new event did not run');
			if (key !== undefined) seen.add(key);
			else seenBodies.add(bodyHash);
		}
		expect(failures.slice(0, 20)).toEqual([]);
		expect(resentWithoutId).toBeGreaterThan(5);
		const withIds = executedKeys.filter((id) => id !== null);
		expect(new Set(withIds).size).toBe(withIds.length);
		expect(new Set(withIds)).toEqual(seen);
		expect(runs).toBe(withIds.length + seenBodies.size);
	});
});
