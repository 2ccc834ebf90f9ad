/**
 * The per-process token cache behind the credential's preAuthentication: one exchange for concurrent callers, the
 * newer token for a caller whose own token was rejected, and never a token this process cannot vouch for.
 */
import {
	clearTokenCache,
	isExpiring,
	needsRenewal,
	noteRefusal,
	obtainToken,
	tokenCacheKey,
	tokenFingerprint,
	type ApplicationToken,
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

describe('needsRenewal: n8n asks to renew after any failed request; only a token that may be refused is renewed', () => {
	const NOW = Date.now();

	test('the token this process holds, good by the clock and no 401 seen since it was obtained: not renewed', async () => {
		const { exchange } = exchanger();
		await obtainToken('k', '', exchange);
		expect(needsRenewal('k', 'T1', NOW + HOUR)).toBe(false);
	});

	test('the token this process holds, within a minute of its expiry: renewed', async () => {
		const { exchange } = exchanger();
		const token = await obtainToken('k', '', exchange);
		expect(needsRenewal('k', 'T1', undefined, token.expiresAt - 30_000)).toBe(true);
		expect(isExpiring('k', token.expiresAt - 30_000)).toBe(true);
		expect(isExpiring('k', token.expiresAt - 5 * 60_000)).toBe(false);
	});

	test('a 401 the node got after the token was obtained: renewed; a 401 before it: not', async () => {
		const { exchange } = exchanger();
		noteRefusal('k', Date.now() - 10_000);
		await obtainToken('k', '', exchange);
		expect(needsRenewal('k', 'T1', undefined)).toBe(false);
		noteRefusal('k', Date.now() + 1);
		expect(needsRenewal('k', 'T1', undefined)).toBe(true);
	});

	test('a token this process replaced: renewed (n8n then takes the newer one)', async () => {
		const { exchange } = exchanger();
		await obtainToken('k', '', exchange);
		await obtainToken('k', 'T1', exchange);
		expect(needsRenewal('k', 'T1', NOW + HOUR)).toBe(true);
	});

	test('another process\'s token: renewed when its stored expiry is unknown or near, or a 401 was seen in the last minute', () => {
		expect(needsRenewal('k', 'B7', undefined)).toBe(true);
		expect(needsRenewal('k', 'B7', NOW + 30_000, NOW)).toBe(true);
		expect(needsRenewal('k', 'B7', NOW + HOUR, NOW)).toBe(false);
		noteRefusal('k', NOW);
		expect(needsRenewal('k', 'B7', NOW + HOUR, NOW + 50_000)).toBe(true);
		expect(needsRenewal('k', 'B7', NOW + HOUR, NOW + 70_000)).toBe(false);
	});
});
