/**
 * Smartcar identifiers (user, vehicle, connection, webhook, subscription IDs) are UUIDs or similar opaque tokens. An
 * ID is sent in a URL path or in the `sc-user-id` header, so anything outside this allow-list is refused before a
 * request: n8n's HTTP stack silently strips control and non-Latin-1 characters from headers (`u\x01x` goes out as
 * `ux`, another user), and slashes, dots or `%` would change the path.
 */
export const MAX_ID_LENGTH = 128;

/** Letters, digits, `-` and `_`, with `.` and `:` allowed inside; 1 to MAX_ID_LENGTH characters. */
const ID_PATTERN = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_-])?$/;

/** Why `value` is not a usable Smartcar ID, or undefined when it is one. */
export function idProblem(value: string): string | undefined {
	if (value === '') return 'it is empty';
	if (value.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(value)) return 'it contains a control character';
	if (/[^\u0020-\u007e]/.test(value)) return 'it contains a non-ASCII character';
	if (/\s/.test(value)) return 'it contains a space';
	if (/[/\\]/.test(value)) return 'it contains a slash';
	if (value.includes('..')) return 'it contains ".."';
	if (!ID_PATTERN.test(value)) return 'it contains characters a Smartcar ID never has (only letters, digits, "-", "_", and "." or ":" inside)';
	return undefined;
}
