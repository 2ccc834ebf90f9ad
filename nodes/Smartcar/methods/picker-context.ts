import type { ILoadOptionsFunctions, INodeListSearchItems } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { idProblem } from '../../shared/ids';

/**
 * What the pickers (listSearch methods) read of the node being edited: another field's ID (text in version 1, a
 * resource locator from version 2 on), and the search text.
 */

/** The most connections, subscriptions or webhooks one opening of a picker reads (a few pages). */
export const MAX_LISTED = 500;

/** A field the picker depends on: empty, an expression (not known in the editor), or a checked ID. */
export type PickedId = { kind: 'empty' } | { kind: 'expression'; text: string } | { kind: 'id'; value: string };

/** The value of a text field or a resource locator, whatever its mode; undefined when it holds neither. */
function rawValue(raw: unknown): unknown {
	if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw) return (raw as { value: unknown }).value;
	return raw;
}

/**
 * The ID in field `name` (`label` in messages) as the editor sends it: empty, an expression it could not resolve, or
 * an ID checked like every other (never trimmed or cleaned). A value that is not a Smartcar ID fails before any
 * request, so it is never sent as someone else's.
 */
export function pickedId(context: ILoadOptionsFunctions, name: string, label: string): PickedId {
	const value = rawValue(context.getCurrentNodeParameter(name));
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return { kind: 'empty' };
	if (typeof value !== 'string') return { kind: 'empty' };
	if (value.startsWith('=')) return { kind: 'expression', text: value.slice(1) };
	const problem = idProblem(value);
	if (problem !== undefined) {
		throw new NodeOperationError(context.getNode(), `${label} is not a valid Smartcar ID: ${problem}`, {
			description: `Correct the ${label} field, or pick one from its list.`,
		});
	}
	return { kind: 'id', value };
}

/** The resource and operation of the node being edited. */
export function currentOperation(context: ILoadOptionsFunctions): string {
	return `${String(context.getCurrentNodeParameter('resource'))}:${String(context.getCurrentNodeParameter('operation'))}`;
}

/** The entries whose name contains the search text (case-insensitive; untouched when there is none). */
export function matching(results: INodeListSearchItems[], filter: string | undefined): INodeListSearchItems[] {
	const needle = filter?.trim().toLowerCase() ?? '';
	return needle === '' ? results : results.filter((result) => result.name.toLowerCase().includes(needle));
}
