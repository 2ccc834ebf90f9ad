/**
 * The per-process token cache behind the credential's preAuthentication: one exchange for concurrent callers, the
 * newer token for a caller whose own token was rejected, and never a token this process cannot vouch for.
 */
import {
	clearTokenCache,
	isExpiring,
	mayRenew,
	noteRefusal,
	obtainToken,
	tokenCacheKey,
	tokenFingerprint,
	tokenToSend,
	withheldBecause,
	type ApplicationToken,
	type StoredToken,
	type TokenKeyParts,
} from '../../credentials/smartcar-token';

const HOUR = 3_600_000;

function exchanger(prefix = 'T') {
	let count = 0;
	const exchange = async (): Promise<ApplicationToken> => {
		count++;
		await new Promise((resolve) => setImmediate(resolve));
		return { accessToken: `${prefix}${count}`, expiresAt: Date.now() + HOUR };
	};
	return { exchange, count: () => count };
}

beforeEach(() => clearTokenCache());

test('concurrent callers with an empty token share one exchange', async () => {
	const { exchange, count } = exchanger();
	const tokens = await Promise.all(Array.from({ length: 20 }, async () => await obtainToken('k', '', exchange)));
	expect(count()).toBe(1);
	expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['T1']));
});

test('callers whose own older token was rejected take the newer one without exchanging', async () => {
	const { exchange, count } = exchanger();
	await obtainToken('k', '', exchange);
	const renewed = await obtainToken('k', 'T1', exchange);
	expect(renewed.accessToken).toBe('T2');
	const straggler = await obtainToken('k', 'T1', exchange);
	expect(straggler.accessToken).toBe('T2');
	expect(count()).toBe(2);
});

test('a rejected token that another process made does not get this process\'s earlier token back', async () => {
	const { exchange, count } = exchanger('A');
	await obtainToken('k', '', exchange);
	// Worker B's token, read from the credential row, was rejected: Smartcar may have revoked A1 with it.
	const token = await obtainToken('k', 'B7', exchange);
	expect(token.accessToken).toBe('A2');
	expect(count()).toBe(2);
});

test('callers presenting the same rejected foreign token share the one exchange made for it', async () => {
	const { exchange, count } = exchanger('A');
	await obtainToken('k', '', exchange);
	const concurrent = await Promise.all(Array.from({ length: 10 }, async () => await obtainToken('k', 'B7', exchange)));
	const straggler = await obtainToken('k', 'B7', exchange);
	expect(new Set([...concurrent, straggler].map((token) => token.accessToken))).toEqual(new Set(['A2']));
	expect(count()).toBe(2);
	// …and a caller holding the token A2 replaced gets A2 too.
	expect((await obtainToken('k', 'A1', exchange)).accessToken).toBe('A2');
	expect(count()).toBe(2);
});

test('a cached token near its expiry is not handed out', async () => {
	const { exchange, count } = exchanger();
	await obtainToken('k', '', exchange);
	const later = (): number => Date.now() + HOUR - 30_000;
	const token = await obtainToken('k', '', exchange, later);
	expect(token.accessToken).toBe('T2');
	expect(count()).toBe(2);
});

test('a failed exchange is not cached, and every waiting caller sees the failure', async () => {
	let fail = true;
	const exchange = async (): Promise<ApplicationToken> => {
		await new Promise((resolve) => setImmediate(resolve));
		if (fail) throw new Error('rejected');
		return { accessToken: 'OK', expiresAt: Date.now() + HOUR };
	};
	const results = await Promise.allSettled([obtainToken('k', '', exchange), obtainToken('k', '', exchange)]);
	expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
	fail = false;
	expect((await obtainToken('k', '', exchange)).accessToken).toBe('OK');
});

test('different keys (another secret) never share a token', async () => {
	const { exchange, count } = exchanger();
	const first = await obtainToken('key-old-secret', '', exchange);
	const second = await obtainToken('key-new-secret', '', exchange);
	expect(first.accessToken).not.toBe(second.accessToken);
	expect(count()).toBe(2);
});

describe('the token is bound to everything it is exchanged with and sent to', () => {
	const parts: TokenKeyParts = {
		tokenUrl: 'https://iam.example/oauth2/token',
		clientId: 'client',
		clientSecret: 'secret',
		apiBaseUrl: 'https://vehicle.example/v3',
		managementApiUrl: 'https://management.example/v3',
	};

	test.each(Object.keys(parts) as Array<keyof TokenKeyParts>)('a changed %s gives another fingerprint and cache key', (field) => {
		const edited = { ...parts, [field]: `${parts[field]}-edited` };
		expect(tokenFingerprint(edited)).not.toBe(tokenFingerprint(parts));
		expect(tokenCacheKey(edited)).not.toBe(tokenCacheKey(parts));
	});

	test('the fingerprint and the key reveal no secret', () => {
		expect(tokenFingerprint(parts)).not.toContain(parts.clientSecret);
		expect(tokenCacheKey(parts)).not.toContain(parts.clientSecret);
	});
});

describe('the token rules: what authenticate sends, when preAuthentication renews', () => {
	const NOW = 1_000_000_000;
	const stored = (overrides: Partial<StoredToken> = {}): StoredToken => ({
		key: 'k',
		accessToken: 'T1',
		issuedForCurrent: true,
		expiresAt: NOW + HOUR,
		...overrides,
	});

	test.each([
		['no token', { accessToken: '' }, 'none'],
		['issued for other credential values', { issuedForCurrent: false }, 'issued-for-other-values'],
		['stored without an expiry (0.1.0)', { expiresAt: undefined }, 'unknown-age'],
		['a minute and a millisecond left', { expiresAt: NOW + 60_001 }, undefined],
		['exactly a minute left', { expiresAt: NOW + 60_000 }, 'expiring'],
		['past its expiry', { expiresAt: NOW - 1 }, 'expiring'],
		['an hour left', {}, undefined],
	] as Array<[string, Partial<StoredToken>, string | undefined]>)('%s: withheld because %s', (_name, overrides, reason) => {
		expect(withheldBecause(stored(overrides), NOW)).toBe(reason);
	});

	test('a token sent with a request is never renewed for it, whatever the clock says when it failed', () => {
		const credentials = {};
		expect(tokenToSend(stored({ expiresAt: Date.now() + 60_001 }), credentials, {})).toBe('T1');
		expect(mayRenew(stored({ expiresAt: Date.now() - 1 }), credentials)).toBe(false);
	});

	test('a withheld token is renewed for that request; a new token after that is sent and never renewed', () => {
		const credentials = {};
		expect(tokenToSend(stored({ expiresAt: undefined }), credentials, {})).toBeUndefined();
		expect(mayRenew(stored({ expiresAt: undefined }), credentials)).toBe(true);
		expect(tokenToSend(stored({ accessToken: 'T2', expiresAt: Date.now() + HOUR }), credentials, {})).toBe('T2');
		expect(mayRenew(stored({ accessToken: 'T2' }), credentials)).toBe(false);
	});

	test('a request authenticate never saw (the credential test) is judged by the table at the moment asked', () => {
		expect(mayRenew(stored({ expiresAt: Date.now() + HOUR }), {})).toBe(false);
		expect(mayRenew(stored({ expiresAt: Date.now() + 30_000 }), {})).toBe(true);
		expect(mayRenew(stored({ accessToken: '' }), {})).toBe(true);
	});

	test('a token Smartcar refused (401 to the request that carried it) is withheld from then on, by value', () => {
		const request = {};
		const good = stored({ expiresAt: Date.now() + HOUR });
		expect(tokenToSend(good, {}, request)).toBe('T1');
		expect(withheldBecause(good)).toBeUndefined();
		noteRefusal(request);
		expect(withheldBecause(good)).toBe('refused');
		expect(withheldBecause({ ...good, accessToken: 'T2' })).toBeUndefined();
		// A 401 to a request that carried the placeholder refuses no token.
		const withheldRequest = {};
		expect(tokenToSend({ ...good, accessToken: 'T3', expiresAt: undefined }, {}, withheldRequest)).toBeUndefined();
		noteRefusal(withheldRequest);
		expect(withheldBecause({ ...good, accessToken: 'T3' })).toBeUndefined();
	});

	test('a refused or expiring token of this process is not handed to another caller', async () => {
		const { exchange, count } = exchanger();
		const first = await obtainToken('k', '', exchange);
		const request = {};
		tokenToSend(stored({ accessToken: first.accessToken, expiresAt: first.expiresAt }), {}, request);
		noteRefusal(request);
		expect((await obtainToken('k', '', exchange)).accessToken).toBe('T2');
		expect(count()).toBe(2);
		expect(isExpiring('k', Date.now() + HOUR - 30_000)).toBe(true);
		expect(isExpiring('k', Date.now() + HOUR - 5 * 60_000)).toBe(false);
	});
});
