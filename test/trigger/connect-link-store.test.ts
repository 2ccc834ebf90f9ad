/**
 * The memory of Connect links (nodes/SmartcarTrigger/connect-link-store.ts) on its own: what a redirect is admitted
 * to, how it is kept in static data (compact, forgotten after expiry) and how this process's memory restores what an
 * overlapping request's save dropped. Static data here is a plain object, as n8n hands the trigger its workflow's
 * `global` static data; the trigger-level behaviour is in connect-links.test.ts.
 */
import { randomBytes } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { MAX_ERROR_REDIRECTS, admitRedirect, type LinkRef } from '../../nodes/SmartcarTrigger/connect-link-store';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1, 12, 30, 0);
let scopeCount = 0;

/** A workflow ID no other test used: this process's memory starts empty for it. */
function newScope(): string {
	scopeCount += 1;
	return `wf-${scopeCount}`;
}

function link(validForMs = 24 * HOUR): LinkRef {
	return { nonce: randomBytes(16).toString('base64url'), expiresAt: new Date(NOW + validForMs) };
}

const copy = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

describe('admitRedirect', () => {
	it('a connected redirect uses the link up; then every redirect with it is refused as used', () => {
		const data: IDataObject = {};
		const scope = newScope();
		const used = link();
		expect(admitRedirect(data, scope, used, true, NOW)).toBe('accepted');
		expect(admitRedirect(data, scope, used, true, NOW)).toBe('used');
		expect(admitRedirect(data, scope, used, false, NOW)).toBe('used');
		expect(admitRedirect(data, newScope(), used, true, NOW)).toBe('used');
	});

	it(`error redirects: ${MAX_ERROR_REDIRECTS} admitted per unused link, then refused; connecting still works once`, () => {
		const data: IDataObject = {};
		const scope = newScope();
		const retried = link();
		const answers = Array.from({ length: MAX_ERROR_REDIRECTS + 2 }, () => admitRedirect(data, scope, retried, false, NOW));
		expect(answers).toEqual([...Array<string>(MAX_ERROR_REDIRECTS).fill('accepted'), 'tooManyErrors', 'tooManyErrors']);
		expect(admitRedirect(data, scope, retried, true, NOW)).toBe('accepted');
		expect(admitRedirect(data, scope, retried, false, NOW)).toBe('used');
	});

	it('keeps 13 characters per link in static data, under one key, grouped by the hour it may be forgotten', () => {
		const data: IDataObject = { otherNodeData: { kept: true } };
		const scope = newScope();
		for (let index = 0; index < 1000; index++) admitRedirect(data, scope, link(), true, NOW);
		expect(Object.keys(data)).toEqual(['otherNodeData', 'smartcarConnectLinks']);
		const stored = data.smartcarConnectLinks as Record<string, string>;
		// Expiry 13:30 the next day → forgotten from 15:00 (rounded up to the hour, plus an hour's margin).
		expect(Object.keys(stored)).toEqual([(Math.ceil((NOW + 24 * HOUR) / HOUR) + 1).toString(36)]);
		expect(Object.values(stored)[0]).toMatch(/^(?:[A-Za-z0-9_-]{12}u){1000}$/);
	});

	it('a restarted process (another scope, empty memory) refuses what static data remembers', () => {
		const data: IDataObject = {};
		const used = link();
		const errored = link();
		admitRedirect(data, newScope(), used, true, NOW);
		for (let attempt = 0; attempt < MAX_ERROR_REDIRECTS; attempt++) admitRedirect(data, 'first-process', errored, false, NOW);
		const restarted = copy(data);
		expect(admitRedirect(restarted, newScope(), used, true, NOW)).toBe('used');
		expect(admitRedirect(restarted, newScope(), errored, false, NOW)).toBe('tooManyErrors');
	});

	it('forgets a link an hour after the hour it expires in, never before', () => {
		const data: IDataObject = {};
		const used = link(HOUR);
		admitRedirect(data, newScope(), used, true, NOW);
		const forgetAt = (Math.ceil((NOW + HOUR) / HOUR) + 1) * HOUR;
		expect(admitRedirect(copy(data), newScope(), used, true, forgetAt - 1)).toBe('used');
		const later = copy(data);
		expect(admitRedirect(later, newScope(), link(), true, forgetAt)).toBe('accepted');
		expect(Object.values(later.smartcarConnectLinks as IDataObject).join('')).toHaveLength(13);
	});

	it('writes back what an overlapping request\'s save dropped: this process remembers it', () => {
		const scope = newScope();
		const before: IDataObject = {};
		const first = link();
		const second = link();
		// Two requests loaded the same row; the second's save (without `first`) landed last.
		const loadedByFirst = copy(before);
		const loadedBySecond = copy(before);
		admitRedirect(loadedByFirst, scope, first, true, NOW);
		admitRedirect(loadedBySecond, scope, second, true, NOW);
		const row = copy(loadedBySecond);
		// Any later redirect of this workflow in this process writes `first` back, even a refused one.
		expect(admitRedirect(row, scope, second, true, NOW)).toBe('used');
		expect(admitRedirect(copy(row), newScope(), first, true, NOW)).toBe('used');
	});

	it('ignores malformed static data and replaces it with its own', () => {
		for (const junk of [null, 'text', 42, ['a'], { '!!': 'x', zz: 42, '1': 'tooshort' }]) {
			const data: IDataObject = { smartcarConnectLinks: junk as IDataObject };
			const fresh = link();
			expect(admitRedirect(data, newScope(), fresh, true, NOW)).toBe('accepted');
			expect(admitRedirect(copy(data), newScope(), fresh, true, NOW)).toBe('used');
			expect(Object.values(data.smartcarConnectLinks as IDataObject).join('')).toHaveLength(13);
		}
	});

	it('writes nothing when nothing changes (n8n then saves nothing)', () => {
		const data: IDataObject = {};
		const used = link();
		admitRedirect(data, newScope(), used, true, NOW);
		const stored = data.smartcarConnectLinks;
		expect(admitRedirect(data, newScope(), used, true, NOW)).toBe('used');
		expect(data.smartcarConnectLinks).toBe(stored);
	});
});
