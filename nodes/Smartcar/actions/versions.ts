import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

/**
 * The Smartcar node's versions. Version 1 is what workflows saved before version 2 have, and keeps every field as it
 * was. Version 2 (new nodes) has pickers for IDs, Any / Yes / No filters, and a wider default for Connect's
 * Permissions: fields whose stored value changes form or whose default changes, so they exist once per version, under
 * the same parameter name, each shown only in its versions (n8n's `@version` display condition).
 */

/** Shown only in version 1 of the Smartcar node. */
export const ONLY_V1 = { show: { '@version': [1] } };
/** Shown from version 2 of the Smartcar node on. */
export const FROM_V2 = { show: { '@version': [{ _cnd: { gte: 2 } }] } };

/** A field as version 1 has it, then as version 2 on has it (same name, each shown only in its versions). */
export function versioned(v1: INodeProperties, v2: INodeProperties): INodeProperties[] {
	return [...updateDisplayOptions(ONLY_V1, [v1]), ...updateDisplayOptions(FROM_V2, [v2])];
}
