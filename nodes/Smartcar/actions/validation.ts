import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Characters that would change the meaning of a URL path: an ID holding them is a mistake, not an ID. */
const UNSAFE_ID = /[\s/?#\\%]|^\.\.?$/;

/**
 * Reads a required ID parameter (plain or resource locator), trimmed, and fails before any request when it is
 * empty or could not be an ID, naming the field and the item.
 */
export function requiredId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const raw = this.getNodeParameter(name, itemIndex, '', { extractValue: true });
	const value = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (value === '') {
		throw new NodeOperationError(this.getNode(), `${label} is empty in item ${itemIndex}`, {
			itemIndex,
			description: `Enter the ${label} or map it from an earlier node, e.g. {{ $json.${name} }}.`,
		});
	}
	if (UNSAFE_ID.test(value)) {
		throw new NodeOperationError(this.getNode(), `${label} "${value}" in item ${itemIndex} is not a valid ID`, {
			itemIndex,
			description: `A Smartcar ${label} has no spaces, slashes, "?", "#" or "%". Check the value mapped into the field.`,
		});
	}
	return value;
}

/** An optional ID: empty means "not given"; anything else must be a valid ID. */
export function optionalId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string | undefined {
	const raw = this.getNodeParameter(name, itemIndex, '', { extractValue: true });
	if (raw === undefined || raw === null || String(raw).trim() === '') return undefined;
	return requiredId.call(this, name, label, itemIndex);
}
