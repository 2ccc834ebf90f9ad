import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { idProblem, MAX_ID_LENGTH } from '../../shared/ids';
import { booleanOf, isBlank, optionIn, textListOf } from '../../shared/parameters';

/**
 * Readers for the fields operations check in `validate`, before the router sends any request. Each one throws a
 * NodeOperationError that names the field, the item and the reason; none of them changes a value to make it fit.
 */

/** The largest Limit (Return All off): far above any real fleet page walk, small enough to bound a run. */
export const MAX_LIMIT = 10_000;

const ID_RULE =
	`A Smartcar ID has only letters, digits, "-" and "_" (with "." or ":" allowed inside) and at most ${MAX_ID_LENGTH} characters.`;

/** The text of an ID parameter: a string as given (never trimmed), a number as its digits, else undefined. */
function idText(raw: unknown): string | undefined {
	if (typeof raw === 'string') return raw;
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	return undefined;
}

/**
 * Reads a required ID parameter (plain or resource locator) and fails when it is empty or is not a Smartcar ID
 * (see `idProblem`: an allow-list and a length bound), naming the field, the item and the reason. The value is not
 * trimmed or cleaned: `" abc"` or `"u\u0001x"` are refused, never sent as something else.
 */
export function requiredId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const raw: unknown = this.getNodeParameter(name, itemIndex, '', { extractValue: true });
	if (isBlank(raw)) {
		throw new NodeOperationError(this.getNode(), `${label} is empty in item ${itemIndex}`, {
			itemIndex,
			description: `Enter the ${label} or map it from an earlier node, e.g. {{ $json.${name} }}.`,
		});
	}
	const value = idText(raw);
	const problem = value === undefined ? `it is ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}, not text` : idProblem(value);
	if (value === undefined || problem !== undefined) {
		throw new NodeOperationError(this.getNode(), `${label} in item ${itemIndex} is not a valid Smartcar ID: ${problem}`, {
			itemIndex,
			description: `${ID_RULE} Check the value mapped into the ${label} field; nothing was sent to Smartcar.`,
		});
	}
	return value;
}

/** Whose vehicle, and which one: the checked User ID and Vehicle fields. */
export interface VehicleTarget {
	userId: string;
	vehicleId: string;
}

/** Reads and checks the User ID and Vehicle fields of one item (commands, vehicle and signal reads); sends nothing. */
export function requiredVehicleTarget(this: IExecuteFunctions, itemIndex: number): VehicleTarget {
	return {
		userId: requiredId.call(this, 'userId', 'User ID', itemIndex),
		vehicleId: requiredId.call(this, 'vehicleId', 'Vehicle ID', itemIndex),
	};
}

/** An optional ID: empty means "not given"; anything else must be a valid ID. */
export function optionalId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string | undefined {
	const raw: unknown = this.getNodeParameter(name, itemIndex, '', { extractValue: true });
	if (isBlank(raw)) return undefined;
	return requiredId.call(this, name, label, itemIndex);
}

interface WholeNumberRule {
	/** The label users see. */
	label: string;
	min: number;
	max: number;
	/** Told with the error, e.g. what to do instead. */
	description: string;
}

/**
 * `raw` as a whole number from `rule.min` to `rule.max`, given as a number or as its text (an expression's result,
 * e.g. "72"); anything else fails naming the field, the item and what it had.
 */
export function checkWholeNumber(context: IExecuteFunctions, raw: unknown, rule: WholeNumberRule, itemIndex: number): number {
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
		const range = `${rule.min.toLocaleString('en-US')} to ${rule.max.toLocaleString('en-US')}`;
		throw new NodeOperationError(
			context.getNode(),
			`${rule.label} must be a whole number from ${range}; item ${itemIndex} has ${JSON.stringify(raw) ?? String(raw)}`,
			{ itemIndex, description: rule.description },
		);
	}
	return value;
}

/** The whole-number parameter `name` of one item (see checkWholeNumber). */
export function wholeNumber(this: IExecuteFunctions, name: string, rule: WholeNumberRule, itemIndex: number): number {
	return checkWholeNumber(this, this.getNodeParameter(name, itemIndex), rule, itemIndex);
}

/**
 * Return All / Limit: undefined for all results, else the Limit (1 to MAX_LIMIT). The Limit is only read when
 * Return All is off, as it is only shown then.
 */
export function resultLimit(this: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll: unknown = this.getNodeParameter('returnAll', itemIndex, false);
	if (typeof returnAll !== 'boolean') {
		throw new NodeOperationError(this.getNode(), `Return All in item ${itemIndex} must be true or false`, {
			itemIndex,
			description: `It is ${JSON.stringify(returnAll) ?? String(returnAll)}. Map a boolean, e.g. {{ $json.all === true }}.`,
		});
	}
	if (returnAll) return undefined;
	return wholeNumber.call(
		this,
		'limit',
		{
			label: 'Limit',
			min: 1,
			max: MAX_LIMIT,
			description: `Enter how many results to return, at most ${MAX_LIMIT.toLocaleString('en-US')}; to get more, turn on Return All.`,
		},
		itemIndex,
	);
}

/** What `raw` holds when it is not what a field expects, for the error's description. */
function shown(raw: unknown): string {
	return JSON.stringify(raw) ?? String(raw);
}

/**
 * An options value that must be one of `allowed`: undefined when not given, else the value, or a NodeOperationError
 * naming the field, the item and the values it may have.
 */
export function optionValue<T extends string>(
	context: IExecuteFunctions,
	value: unknown,
	field: { label: string; allowed: readonly T[] },
	itemIndex: number,
): T | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const found = optionIn(value, field.allowed);
	if (found !== undefined) return found;
	throw new NodeOperationError(
		context.getNode(),
		`${field.label} in item ${itemIndex} must be one of ${field.allowed.map((entry) => `"${entry}"`).join(', ')}`,
		{ itemIndex, description: `It is ${shown(value)}. Pick one of the listed values.` },
	);
}

/** An option that must be one of `allowed`: `fallback` when not given, else as optionValue. */
export function oneOf<T extends string>(
	context: IExecuteFunctions,
	value: unknown,
	field: { label: string; allowed: readonly T[]; fallback: T },
	itemIndex: number,
): T {
	return optionValue(context, value, field, itemIndex) ?? field.fallback;
}

/**
 * A multi-options value (see textListOf): its texts, trimmed (a mapped list's entries may carry spaces), or a
 * NodeOperationError naming the field and the item.
 */
export function checkTextList(context: IExecuteFunctions, raw: unknown, label: string, itemIndex: number): string[] {
	const texts = textListOf(raw);
	if (texts !== undefined) return texts.map((text) => text.trim());
	throw new NodeOperationError(context.getNode(), `${label} in item ${itemIndex} must be a list of values`, {
		itemIndex,
		description: `It is ${shown(raw)}. Pick the values in the field, or map a list of texts.`,
	});
}

/** A collection parameter (Filters, Options) of one item: its entries, or a NodeOperationError when it is not one. */
export function collection(this: IExecuteFunctions, name: string, label: string, itemIndex: number): IDataObject {
	const raw: unknown = this.getNodeParameter(name, itemIndex, {});
	if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return raw as IDataObject;
	throw new NodeOperationError(this.getNode(), `${label} in item ${itemIndex} must be a set of fields`, {
		itemIndex,
		description: `It is ${JSON.stringify(raw) ?? String(raw)}. Add its fields in the node instead of mapping a value onto it.`,
	});
}

/**
 * A yes/no field: `fallback` when not given, true or false as given, or the text "true"/"false" (an expression's
 * result); anything else fails naming the field, the item and what it had.
 */
export function checkBoolean(context: IExecuteFunctions, raw: unknown, field: { label: string; fallback: boolean }, itemIndex: number): boolean {
	if (raw === undefined || raw === null || raw === '') return field.fallback;
	const value = booleanOf(raw);
	if (value !== undefined) return value;
	throw new NodeOperationError(context.getNode(), `${field.label} in item ${itemIndex} must be true or false`, {
		itemIndex,
		description: `It is ${shown(raw)}. Map a boolean, e.g. {{ $json.enabled === true }}.`,
	});
}

/** An optional text field: undefined when empty, the text as given (never trimmed) otherwise, an error when not text. */
export function checkText(context: IExecuteFunctions, raw: unknown, label: string, itemIndex: number): string | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	if (typeof raw === 'string') return raw;
	throw new NodeOperationError(context.getNode(), `${label} in item ${itemIndex} must be text`, {
		itemIndex,
		description: `It is ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}. Map a text value, or leave the field empty.`,
	});
}

/**
 * An optional free-text field that an expression may fill with a number (e.g. a numeric customer ID): undefined when
 * empty (or only whitespace), the text as given (never trimmed), a number as its digits, an error otherwise.
 */
function checkTextOrNumber(context: IExecuteFunctions, raw: unknown, label: string, itemIndex: number): string | undefined {
	if (isBlank(raw)) return undefined;
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	return checkText(context, raw, label, itemIndex);
}

/**
 * Free text pasted or mapped into a Connect field, where a stray space or line break is never meant: trimmed, then
 * undefined when empty; a number as its digits; an error when not text.
 */
export function checkTrimmedText(context: IExecuteFunctions, raw: unknown, label: string, itemIndex: number): string | undefined {
	const text = checkTextOrNumber(context, raw, label, itemIndex)?.trim();
	return text === '' ? undefined : text;
}
