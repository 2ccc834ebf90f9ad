/**
 * Typed readers for n8n parameter values (a field as n8n hands it over: typed by the user, mapped by an expression
 * or left out), shared by the Smartcar node and the Smartcar Trigger. Each one only says what the value is, or
 * undefined when it is not that; none casts, trims or changes a value to make it fit. The Smartcar node turns an
 * undefined into an error naming the field and item (actions/validation.ts); the trigger, which answers HTTP
 * requests and cannot fail an item, falls back to the field's safe default.
 */

/** A parameter that was left empty: not given, null, or only whitespace. */
export function isBlank(raw: unknown): boolean {
	return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

/** `raw` when it is one of `allowed` (an options field's values), else undefined. */
export function optionIn<T extends string>(raw: unknown, allowed: readonly T[]): T | undefined {
	return allowed.find((candidate) => candidate === raw);
}

/** true or false as given, or the text "true"/"false" (an expression's result); anything else is undefined. */
export function booleanOf(raw: unknown): boolean | undefined {
	if (typeof raw === 'boolean') return raw;
	if (raw === 'true' || raw === 'false') return raw === 'true';
	return undefined;
}

/**
 * A multi-options field's values: its list of texts, or a text mapped by an expression split at spaces and commas;
 * empty entries are left out. undefined when it is neither (or the list holds something other than text).
 */
export function textListOf(raw: unknown): string[] | undefined {
	if (raw === undefined || raw === null) return [];
	const entries: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [raw];
	const texts: string[] = [];
	for (const entry of entries) {
		if (typeof entry !== 'string') return undefined;
		if (entry.trim() !== '') texts.push(entry);
	}
	return texts;
}

/** A yes/no field where only a real boolean counts (the trigger's switches): the boolean, else `fallback`. */
export function flagOf(raw: unknown, fallback: boolean): boolean {
	return typeof raw === 'boolean' ? raw : fallback;
}
