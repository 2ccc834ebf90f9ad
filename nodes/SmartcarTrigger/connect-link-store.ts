import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * The memory of Connect links a Connect Redirect trigger has seen: which links were used (a redirect with a user ID
 * came back) and how many error redirects each unused link has started. Kept until the link expires (plus an hour
 * for clocks that differ between processes), in two places:
 *
 * - the workflow's static data (`global`, key `smartcarConnectLinks`): saved by n8n to the workflow row after the
 *   trigger answers, so it survives restarts and is read by every process at the start of each request;
 * - this process's memory, per workflow: checked and written synchronously, so redirects arriving together in one
 *   process cannot both pass, and written back into static data with every later redirect of the workflow (n8n
 *   saves each request's static data whole, so two overlapping requests can drop each other's entry).
 *
 * Compact: a link is 13 characters — 12 of a hash of its nonce (72 bits), then `u` (used) or its error count — in
 * one string per hour in which entries may be forgotten: `{ "<hour, base36>": "<hash><mark><hash><mark>…" }`.
 * A link is bound to one trigger (see shared/connect-state.ts), so one memory per workflow is exact.
 *
 * What this can and cannot promise across processes (read in n8n 2.41.1 and 1.123.81, live-webhooks.js and
 * webhook-helpers.js): each webhook request loads the workflow row, static data included, from the database; the
 * trigger writes the driver's page inside webhook(); when webhook() returns, n8n starts saving the whole static data
 * (not awaited before the run starts). n8n offers nodes no lock or compare-and-set. So a replay reaching another
 * process after that save has landed is refused; one that loaded the row before it landed can run too; and two
 * requests of one workflow saving at the same time keep only the later request's static data.
 */

/** Error redirects (no user ID) an unused link may start; further ones get an error page and start nothing. */
export const MAX_ERROR_REDIRECTS = 5;

const STATIC_DATA_KEY = 'smartcarConnectLinks';
const HASH_CHARS = 12;
const ENTRY = new RegExp(`^(?:[A-Za-z0-9_-]{${HASH_CHARS}}[u1-9])*$`);
const HOUR_MS = 3_600_000;
/** Extra hours a used link is remembered after its expiry, for processes whose clocks run behind. */
const FORGET_MARGIN_HOURS = 1;
/** Links remembered in this process per workflow; the oldest are dropped beyond it (static data keeps them). */
const MEMORY_LINKS_PER_WORKFLOW = 50_000;

interface LinkRecord {
	/** The hour (since the epoch) from which this record may be forgotten. */
	forgetHour: number;
	used: boolean;
	/** Error redirects that started the workflow (0 once used: a used link refuses everything). */
	errors: number;
}

type Links = Map<string, LinkRecord>;

/** A verified link: its nonce and expiry, from the signed state. */
export interface LinkRef {
	nonce: string;
	expiresAt: Date;
}

/** Whether a redirect may start the workflow: yes, no (the link was used), or no (too many error redirects). */
export type Admission = 'accepted' | 'used' | 'tooManyErrors';

const memory = new Map<string, Links>();

function linkHash(nonce: string): string {
	return createHash('sha256').update(`n8n-nodes-smartcar/connect-link\n${nonce}`).digest('base64url').slice(0, HASH_CHARS);
}

function forgotten(record: LinkRecord, nowMs: number): boolean {
	return record.forgetHour * HOUR_MS <= nowMs;
}

/** Used wins over errors; the higher error count and the later forget hour win. */
function merge(a: LinkRecord | undefined, b: LinkRecord | undefined): LinkRecord | undefined {
	if (!a || !b) return a ?? b;
	const used = a.used || b.used;
	return { forgetHour: Math.max(a.forgetHour, b.forgetHour), used, errors: used ? 0 : Math.max(a.errors, b.errors) };
}

/** The links in static data that are not yet forgotten; anything malformed is ignored. */
function readStored(staticData: IDataObject, nowMs: number): Links {
	const links: Links = new Map();
	const stored = staticData[STATIC_DATA_KEY];
	if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return links;
	for (const [hourText, entries] of Object.entries(stored)) {
		const forgetHour = /^[0-9a-z]{1,8}$/.test(hourText) ? parseInt(hourText, 36) : NaN;
		if (!Number.isFinite(forgetHour) || typeof entries !== 'string' || !ENTRY.test(entries)) continue;
		for (let at = 0; at < entries.length; at += HASH_CHARS + 1) {
			const mark = entries[at + HASH_CHARS];
			const record = { forgetHour, used: mark === 'u', errors: mark === 'u' ? 0 : Number(mark) };
			if (!forgotten(record, nowMs)) links.set(entries.slice(at, at + HASH_CHARS), record);
		}
	}
	return links;
}

/** The static-data form of `links`, by forget hour (ascending), entries in insertion order. */
function encode(links: Links): IDataObject {
	const byHour = new Map<number, string[]>();
	for (const [hash, record] of links) {
		const entries = byHour.get(record.forgetHour) ?? [];
		entries.push(`${hash}${record.used ? 'u' : String(record.errors)}`);
		byHour.set(record.forgetHour, entries);
	}
	const encoded: IDataObject = {};
	for (const hour of [...byHour.keys()].sort((a, b) => a - b)) encoded[hour.toString(36)] = byHour.get(hour)?.join('');
	return encoded;
}

/** This process's memory of one workflow, without forgotten records. */
function remembered(scope: string, nowMs: number): Links {
	let links = memory.get(scope);
	if (!links) {
		links = new Map();
		memory.set(scope, links);
	}
	for (const [hash, record] of links) if (forgotten(record, nowMs)) links.delete(hash);
	return links;
}

function rememberInProcess(links: Links, hash: string, record: LinkRecord): void {
	links.delete(hash);
	links.set(hash, record);
	for (const oldest of links.keys()) {
		if (links.size <= MEMORY_LINKS_PER_WORKFLOW) break;
		links.delete(oldest);
	}
}

/** Writes stored ∪ remembered into static data when that adds or changes anything (n8n then saves it). */
function writeBack(staticData: IDataObject, stored: Links, inProcess: Links): void {
	const all: Links = new Map(stored);
	for (const [hash, record] of inProcess) all.set(hash, merge(all.get(hash), record) as LinkRecord);
	const encoded = encode(all);
	if (JSON.stringify(encoded) !== JSON.stringify(encode(stored))) staticData[STATIC_DATA_KEY] = encoded;
}

/**
 * Decides whether a redirect with a verified link may start the workflow, and records it — synchronously, so no other
 * redirect of this process can interleave. `connected`: the redirect carries a user ID (it uses the link up);
 * otherwise it is an error redirect, of which an unused link may start MAX_ERROR_REDIRECTS. `staticData` is the
 * workflow's global static data, `scope` the workflow's ID.
 */
export function admitRedirect(staticData: IDataObject, scope: string, link: LinkRef, connected: boolean, nowMs: number = Date.now()): Admission {
	const stored = readStored(staticData, nowMs);
	const inProcess = remembered(scope, nowMs);
	const hash = linkHash(link.nonce);
	const known = merge(stored.get(hash), inProcess.get(hash));
	let admission: Admission = 'accepted';
	if (known?.used) admission = 'used';
	else if (!connected && (known?.errors ?? 0) >= MAX_ERROR_REDIRECTS) admission = 'tooManyErrors';
	else {
		const forgetHour = Math.ceil(link.expiresAt.getTime() / HOUR_MS) + FORGET_MARGIN_HOURS;
		rememberInProcess(inProcess, hash, { forgetHour, used: connected, errors: connected ? 0 : (known?.errors ?? 0) + 1 });
	}
	if (stored.size > 0 || inProcess.size > 0) writeBack(staticData, stored, inProcess);
	return admission;
}
