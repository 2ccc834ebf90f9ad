/**
 * Views of a text with the common escapes decoded, each character mapped back to the characters it came from, so a
 * secret found in a view can be removed from the text itself. Decoded: JSON and JavaScript escapes (`\/`, `\"`,
 * `\uXXXX` of any case, `\n`…), percent-encoding of any case (UTF-8 sequences included), and HTML entities (named,
 * decimal, hex), repeated while the text changes (an escape inside another); and the decoded text once more without
 * whitespace, where base64 broken into lines is whole again.
 */

/** `text[i]` stands for `source.slice(from[i], to[i])`. */
export interface View {
	text: string;
	from: Int32Array;
	to: Int32Array;
}

const MAX_PASSES = 4;

const SIMPLE_ESCAPES: Record<string, string> = { '/': '/', '\\': '\\', '"': '"', "'": "'", b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const NAMED_ENTITIES: Record<string, string> = {
	amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", sol: '/', bsol: '\\', plus: '+', equals: '=', percnt: '%', colon: ':',
	semi: ';', comma: ',', period: '.', lowbar: '_', excl: '!', quest: '?', num: '#', dollar: '$', lpar: '(', rpar: ')',
	ast: '*', commat: '@', lsqb: '[', rsqb: ']', lcub: '{', rcub: '}', verbar: '|', grave: '`', Hat: '^', nbsp: ' ',
};

const HEX4 = /^[0-9a-fA-F]{4}$/;
const HEX2 = /^[0-9a-fA-F]{2}$/;
const ENTITY = /^&(?:#([0-9]{1,7});?|#[xX]([0-9a-fA-F]{1,6});?|([A-Za-z]{2,8});)/;

/** One decoded piece: what `length` characters of the input at a position stand for. */
interface Piece {
	text: string;
	length: number;
}

function jsonEscape(text: string, at: number): Piece | undefined {
	if (text[at] !== '\\') return undefined;
	const next = text[at + 1];
	if (next === 'u' && HEX4.test(text.slice(at + 2, at + 6))) return { text: String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16)), length: 6 };
	const simple = next === undefined ? undefined : SIMPLE_ESCAPES[next];
	return simple === undefined ? undefined : { text: simple, length: 2 };
}

/** The byte of a `%XX` at `at`, or undefined. */
function percentByte(text: string, at: number): number | undefined {
	return text[at] === '%' && HEX2.test(text.slice(at + 1, at + 3)) ? parseInt(text.slice(at + 1, at + 3), 16) : undefined;
}

/** A `%XX` escape, or a whole UTF-8 sequence of them (`%C3%BC` → ü); a byte that starts no valid sequence alone. */
function percentEscape(text: string, at: number): Piece | undefined {
	const lead = percentByte(text, at);
	if (lead === undefined) return undefined;
	const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	const bytes = [lead];
	for (let n = 1; n < size; n++) {
		const byte = percentByte(text, at + 3 * n);
		if (byte === undefined || byte < 0x80 || byte > 0xbf) return { text: String.fromCharCode(lead), length: 3 };
		bytes.push(byte);
	}
	const decoded = Buffer.from(bytes).toString('utf8');
	return decoded.includes('\ufffd') ? { text: String.fromCharCode(lead), length: 3 } : { text: decoded, length: 3 * size };
}

function htmlEntity(text: string, at: number): Piece | undefined {
	if (text[at] !== '&') return undefined;
	const match = ENTITY.exec(text.slice(at, at + 12));
	if (!match) return undefined;
	const [whole, decimal, hexadecimal, name] = match;
	const code = decimal !== undefined ? Number(decimal) : hexadecimal !== undefined ? parseInt(hexadecimal, 16) : undefined;
	if (code !== undefined) return code <= 0x10ffff ? { text: String.fromCodePoint(code), length: whole.length } : undefined;
	const named = name === undefined ? undefined : NAMED_ENTITIES[name];
	return named === undefined ? undefined : { text: named, length: whole.length };
}

/** A view being built: characters appended with the source span they stand for. */
class ViewBuilder {
	private readonly parts: string[] = [];
	private readonly from: Int32Array;
	private readonly to: Int32Array;
	private length = 0;

	/** `capacity`: the most characters the view will hold (a decoded text is never longer than its input). */
	constructor(capacity: number) {
		this.from = new Int32Array(capacity);
		this.to = new Int32Array(capacity);
	}

	add(text: string, from: number, to: number): void {
		this.parts.push(text);
		this.from.fill(from, this.length, this.length + text.length);
		this.to.fill(to, this.length, this.length + text.length);
		this.length += text.length;
	}

	/** Characters `start` … `end` − 1 of `view`, with their own spans. */
	copy(view: View, start: number, end: number): void {
		this.parts.push(view.text.slice(start, end));
		this.from.set(view.from.subarray(start, end), this.length);
		this.to.set(view.to.subarray(start, end), this.length);
		this.length += end - start;
	}

	build(): View {
		return { text: this.parts.join(''), from: this.from.slice(0, this.length), to: this.to.slice(0, this.length) };
	}
}

/** Where an escape may start; HAS_SPECIAL says whether there is one at all. */
const SPECIAL = /[\\%&]/g;
const HAS_SPECIAL = /[\\%&]/;

/** One pass of decoding over `view`: every escape it holds replaced by what it stands for. */
function decodeOnce(view: View): View {
	const { text } = view;
	const result = new ViewBuilder(text.length);
	let at = 0;
	while (at < text.length) {
		SPECIAL.lastIndex = at;
		const special = SPECIAL.exec(text);
		const next = special === null ? text.length : special.index;
		if (next > at) result.copy(view, at, next);
		if (next >= text.length) break;
		const piece = jsonEscape(text, next) ?? percentEscape(text, next) ?? htmlEntity(text, next);
		if (piece === undefined) {
			result.copy(view, next, next + 1);
			at = next + 1;
			continue;
		}
		result.add(piece.text, view.from[next], view.to[next + piece.length - 1]);
		at = next + piece.length;
	}
	return result.build();
}

function identity(source: string): View {
	const from = Int32Array.from({ length: source.length }, (_, index) => index);
	return { text: source, from, to: from.map((index) => index + 1) };
}

/** Space, tab, line breaks, form feed, no-break space: what breaks a base64 text into lines. */
const WHITESPACE = new Set([9, 10, 11, 12, 13, 32, 160]);

function withoutWhitespace(view: View): View {
	const result = new ViewBuilder(view.text.length);
	let start = 0;
	for (let at = 0; at <= view.text.length; at++) {
		if (at < view.text.length && !WHITESPACE.has(view.text.charCodeAt(at))) continue;
		if (at > start) result.copy(view, start, at);
		start = at + 1;
	}
	return result.build();
}

/** The text as is, fully decoded, and decoded without whitespace (only the views that differ). */
export function decodedViews(source: string): View[] {
	const raw = identity(source);
	let decoded = raw;
	for (let pass = 0; pass < MAX_PASSES && HAS_SPECIAL.test(decoded.text); pass++) {
		const next = decodeOnce(decoded);
		if (next.text === decoded.text) break;
		decoded = next;
	}
	const compact = withoutWhitespace(decoded);
	const views = [raw];
	if (decoded.text !== raw.text) views.push(decoded);
	if (compact.text !== decoded.text) views.push(compact);
	return views;
}
