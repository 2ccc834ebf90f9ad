/**
 * Issue #20, point 6: redaction by normalising. A secret is found however an answer wrote it — JSON `\/` and `\uXXXX`
 * escapes, percent-encoding of any case or of every character, HTML entities, base64 broken into lines, nested
 * escapes — and so is a prefix of it (an endpoint that echoes the start of a secret). Each row writes the secret one
 * way between known text, and the result must be exactly that text around `[redacted]`.
 */
import { redact } from '../../credentials/redact';

/** 21 ASCII characters (base64 without padding), with `/`, `+`, `=`, `~`, `"` and `&` to exercise every escape. */
const SECRET = 'Sk/9+aQ7="zP&_x-42~Lm';

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0');
const everyChar = (text: string, escape: (code: number) => string) => [...Buffer.from(text, 'utf8')].map(escape).join('');
const wrap = (text: string, width: number, newline: string) => text.match(new RegExp(`.{1,${width}}`, 'g'))?.join(newline) ?? text;
const base64 = Buffer.from(SECRET).toString('base64');

const FORMS: Array<[string, string]> = [
	['as is', SECRET],
	['JSON with \\/ escapes', JSON.stringify(SECRET).slice(1, -1).replaceAll('/', '\\/')],
	['JSON with \\u002f', SECRET.replaceAll('/', '\\u002f').replaceAll('"', '\\u0022')],
	['JSON with \\u002F', SECRET.replaceAll('/', '\\u002F')],
	['every character as \\uXXXX', [...SECRET].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join('')],
	['JSON escaped twice', JSON.stringify(JSON.stringify(SECRET)).slice(3, -3)],
	['percent-encoded, upper case', encodeURIComponent(SECRET)],
	['percent-encoded, lower case', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
	['every byte percent-encoded', everyChar(SECRET, (b) => `%${hex(b, 2).toUpperCase()}`)],
	['every byte percent-encoded, lower case', everyChar(SECRET, (b) => `%${hex(b, 2)}`)],
	['percent-encoded twice', encodeURIComponent(encodeURIComponent(SECRET))],
	['form-encoded', new URLSearchParams({ s: SECRET }).toString().slice(2)],
	['HTML, named entities', SECRET.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('/', '&sol;').replaceAll('=', '&equals;')],
	['HTML, decimal entities', SECRET.replaceAll('&', '&#38;').replaceAll('"', '&#34;').replaceAll('/', '&#47;')],
	['HTML, hex entities', SECRET.replaceAll('&', '&#x26;').replaceAll('"', '&#X22;').replaceAll('/', '&#x2f;')],
	['every character an HTML entity', everyChar(SECRET, (b) => `&#${b};`)],
	['HTML inside JSON', JSON.stringify(SECRET.replaceAll('&', '&amp;')).slice(1, -1)],
	['base64', base64],
	['base64url', Buffer.from(SECRET).toString('base64url')],
	['base64 in lines of 10 (CRLF)', wrap(base64, 10, '\r\n')],
	['base64 in lines of 7 (LF)', wrap(base64, 7, '\n')],
	['base64 in lines, JSON-escaped (\\n)', wrap(base64, 9, '\\n')],
	['base64, percent-encoded', encodeURIComponent(base64)],
];

describe('redact(): a secret written any common way', () => {
	test.each(FORMS)('%s', (_name, form) => {
		expect(redact(`before ${form} after`, [SECRET])).toBe('before [redacted] after');
	});
});

describe('redact(): a prefix of a secret', () => {
	test.each([
		['its first 12 characters, then …', `${SECRET.slice(0, 12)}…`, '[redacted]…'],
		['its first 8 characters', SECRET.slice(0, 8), '[redacted]'],
		['its first 10 characters, percent-encoded', encodeURIComponent(SECRET.slice(0, 10)), '[redacted]'],
		['its first 9 characters as \\uXXXX', [...SECRET.slice(0, 9)].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join(''), '[redacted]'],
		['7 characters: too short to tell from chance, kept', SECRET.slice(0, 7), SECRET.slice(0, 7)],
	])('%s', (_name, form, expected) => {
		expect(redact(`before ${form} after`, [SECRET])).toBe(`before ${expected} after`);
	});

	test("the token endpoint's error_description echoing the start of the secret", () => {
		const said = `invalid_client: client_secret '${SECRET.slice(0, 14)}...' does not match`;
		expect(redact(said, [SECRET])).toBe("invalid_client: client_secret '[redacted]...' does not match");
	});
});

describe('redact(): what it leaves alone', () => {
	test.each([
		['text without the secret', 'nothing to see: demo-client-id, page[number]=2 &amp; %41'],
		['escapes that decode to something else', '\\u0041\\/%2F&lt;&#x41;'],
		['an empty text', ''],
	])('%s', (_name, text) => {
		expect(redact(text, [SECRET])).toBe(text);
	});

	test('two secrets side by side, and several occurrences, each become [redacted]', () => {
		expect(redact(`${SECRET} and ${encodeURIComponent(SECRET)}, ${base64}`, [SECRET, 'other-secret-value'])).toBe('[redacted] and [redacted], [redacted]');
	});
});
