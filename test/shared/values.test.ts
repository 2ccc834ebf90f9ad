/**
 * The small readers for Smartcar's untyped JSON (nodes/shared/values.ts) that several concepts share: timestamps,
 * model years, text sent plain or wrapped, response headers, and dropping undefined fields.
 */
import { compact, headerValue, textIn, toIsoTimestamp, toYear } from '../../nodes/shared/values';

describe('toIsoTimestamp: ISO strings and epoch numbers alike', () => {
	test.each([
		['ISO (real traffic)', '2026-06-29T03:57:53.614Z', '2026-06-29T03:57:53.614Z'],
		['ISO with an offset', '2026-06-29T05:57:53+02:00', '2026-06-29T03:57:53.000Z'],
		['epoch milliseconds (docs examples)', 1731940328000, '2024-11-18T14:32:08.000Z'],
		['epoch seconds', 1731940328, '2024-11-18T14:32:08.000Z'],
		['epoch milliseconds as text', '1731940328000', '2024-11-18T14:32:08.000Z'],
		['epoch seconds with a fraction', 1731940328.5, '2024-11-18T14:32:08.500Z'],
		['unreadable text is passed through', 'yesterday-ish', 'yesterday-ish'],
		['absent', undefined, null],
		['null', null, null],
		['empty', '', null],
		['neither text nor number', { at: 1 }, null],
	])('%s', (_case, value, expected) => {
		expect(toIsoTimestamp(value)).toBe(expected);
	});
});

describe('toYear', () => {
	test.each([
		[2020, 2020],
		['2020', 2020],
		['', null],
		[null, null],
		[undefined, null],
		['MMXX', null],
	])('%p → %p', (value, expected) => {
		expect(toYear(value)).toBe(expected);
	});
});

describe('textIn: text sent plain or wrapped as {key: text}', () => {
	test.each([
		['a status object', { value: 'SUCCESS' }, 'value', 'SUCCESS'],
		['a plain status', 'ERROR', 'value', 'ERROR'],
		['a resolution object', { type: 'RETRY_LATER' }, 'type', 'RETRY_LATER'],
		['a plain resolution', 'CONTACT_SUPPORT', 'type', 'CONTACT_SUPPORT'],
		['an object without the key', { other: 'x' }, 'type', undefined],
		['absent', undefined, 'value', undefined],
		['a number', 3, 'value', '3'],
	])('%s', (_case, value, key, expected) => {
		expect(textIn(value, key)).toBe(expected);
	});
});

describe('headerValue', () => {
	test.each([
		['a header', { 'sc-request-id': 'req-1' }, 'sc-request-id', 'req-1'],
		['a repeated header: the first', { 'retry-after': ['30', '60'] }, 'retry-after', '30'],
		['absent', { other: 'x' }, 'sc-request-id', undefined],
		['no headers', undefined, 'location', undefined],
	])('%s', (_case, headers, name, expected) => {
		expect(headerValue(headers, name)).toBe(expected);
	});
});

test('compact drops undefined fields only, in place', () => {
	const record = { a: 1, b: undefined, c: null, d: '', e: false };
	expect(compact(record)).toBe(record);
	expect(Object.keys(record)).toEqual(['a', 'c', 'd', 'e']);
});
