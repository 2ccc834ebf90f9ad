/**
 * The pager (nodes/shared/transport/pager.ts), given a client that answers from a script: which requests one list
 * makes, and when it stops (no next page, the limit, a link or cursor that comes round again, the page bound).
 */
import type { IDataObject } from 'n8n-workflow';

import { listPages, type NextPage, type PagedList, type SmartcarClient } from '../../nodes/shared/transport';

type Sent = { path?: string; link?: string; qs?: IDataObject; userId?: string };

/** A client whose every answer is `{ items, next }` from `pages`, in order; it records what was asked. */
function scripted(pages: Array<{ items: number[]; next: NextPage }>): { client: SmartcarClient; sent: Sent[] } {
	const sent: Sent[] = [];
	const answer = () => ({ status: 200, headers: {}, body: pages[Math.min(sent.length - 1, pages.length - 1)] });
	const fake = {
		request: async (request: { path: string; qs?: IDataObject; userId?: string }) => {
			sent.push({ path: request.path, qs: request.qs, userId: request.userId });
			return answer();
		},
		follow: async (link: string, request: { userId?: string }) => {
			sent.push({ link, userId: request.userId });
			return answer();
		},
	};
	return { client: fake as unknown as SmartcarClient, sent };
}

const asked: Array<{ pageNumber: number; pageSize: number }> = [];
const list = (extra: Partial<PagedList<number>> = {}): PagedList<number> => ({
	path: '/things',
	read: (body, page) => {
		asked.push(page);
		return body as { items: number[]; next: NextPage };
	},
	...extra,
});

beforeEach(() => (asked.length = 0));

test('page numbers until the reader finds no next page, with the filters and the largest page size', async () => {
	const { client, sent } = scripted([
		{ items: [1, 2], next: { pageNumber: 2 } },
		{ items: [3], next: null },
	]);
	expect(await listPages(client, list({ filters: { 'filter[x]': 'y' }, userId: 'u1' }))).toEqual([1, 2, 3]);
	expect(sent).toEqual([
		{ path: '/things', qs: { 'filter[x]': 'y', 'page[number]': 1, 'page[size]': 100 }, userId: 'u1' },
		{ path: '/things', qs: { 'filter[x]': 'y', 'page[number]': 2, 'page[size]': 100 }, userId: 'u1' },
	]);
});

test('a cursor is asked with the page size; a link is followed, and counts as the next page number', async () => {
	const { client, sent } = scripted([
		{ items: [1], next: { cursor: 'c2' } },
		{ items: [2], next: { link: '/things?page=3' } },
		{ items: [3], next: null },
	]);
	expect(await listPages(client, list())).toEqual([1, 2, 3]);
	expect(sent).toEqual([
		{ path: '/things', qs: { 'page[number]': 1, 'page[size]': 100 } },
		{ path: '/things', qs: { cursor: 'c2', 'page[size]': 100 } },
		{ link: '/things?page=3' },
	]);
	expect(asked.map((page) => page.pageNumber)).toEqual([1, 2, 3]);
});

test('the limit: pages no larger than it, and no request after it is reached', async () => {
	const { client, sent } = scripted([
		{ items: [1, 2, 3], next: { pageNumber: 2 } },
		{ items: [4, 5, 6], next: { pageNumber: 3 } },
	]);
	expect(await listPages(client, list({ limit: 5 }))).toEqual([1, 2, 3, 4, 5]);
	expect(sent.map((request) => request.qs?.['page[size]'])).toEqual([5, 5]);
});

test('items the list does not keep do not count towards the limit', async () => {
	const { client } = scripted([
		{ items: [1, 2, 3, 4], next: { pageNumber: 2 } },
		{ items: [5, 6, 7, 8], next: null },
	]);
	expect(await listPages(client, list({ limit: 3, keep: (item) => item % 2 === 0 }))).toEqual([2, 4, 6]);
});

test.each([
	['a link', { link: '/things?again' }],
	['a cursor', { cursor: 'again' }],
])('%s that comes round again ends the list without asking for it', async (_case, next: NextPage) => {
	const { client, sent } = scripted([
		{ items: [1], next },
		{ items: [2], next },
	]);
	expect(await listPages(client, list())).toEqual([1, 2]);
	expect(sent).toHaveLength(2);
});

test('at most maxPages requests, however many pages the server offers', async () => {
	let page = 0;
	const { client, sent } = scripted([{ items: [0], next: null }]);
	const endless = list({ maxPages: 20, read: () => ({ items: [page], next: { link: `/things?page=${++page}` } }) });
	expect(await listPages(client, endless)).toHaveLength(20);
	expect(sent).toHaveLength(20);
});

test('a list without page parameters: its path as is (with its filters only), then links', async () => {
	const { client, sent } = scripted([
		{ items: [1], next: { link: '/signals?page=2' } },
		{ items: [2], next: null },
	]);
	expect(await listPages(client, list({ pageParameters: false }))).toEqual([1, 2]);
	expect(sent).toEqual([{ path: '/things', qs: undefined }, { link: '/signals?page=2' }]);
});
