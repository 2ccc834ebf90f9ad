/**
 * Opens a picker of the Smartcar node the way the editor does: n8n-core's LoadOptionsContext over the node's current
 * parameters (what the editor sends), then the node's listSearch method by name, with the search text.
 */
import { LoadOptionsContext } from 'n8n-core';
import type { INode, INodeListSearchResult, INodeParameters } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import type { Simulator } from '../../tooling/simulator';
import { createAdditionalData, HarnessCredentialsHelper, HarnessNodeTypes } from '../harness';
import { SMARTCAR_TYPE, credentialStore, credentialTypes, nodeTypes } from './smartcar-fixture';

export type PickerMethod = keyof Smartcar['methods']['listSearch'];

export interface OpenPicker {
	method: PickerMethod;
	/** The field whose list opens, e.g. `vehicleId`. */
	field: string;
	parameters: INodeParameters;
	/** The node's version (default 2, what a new node gets). */
	typeVersion?: number;
	filter?: string;
}

export async function openPicker(sim: Simulator, { method, field, parameters, typeVersion = 2, filter }: OpenPicker): Promise<INodeListSearchResult> {
	const store = credentialStore(sim);
	const node: INode = {
		id: '2',
		name: 'Smartcar',
		type: SMARTCAR_TYPE,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: { smartcarApi: store.details('smartcarApi') as { id: string; name: string } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: new HarnessNodeTypes(nodeTypes) });
	const additionalData = createAdditionalData({ credentialsHelper: new HarnessCredentialsHelper(store, credentialTypes) });
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, field);
	return await new Smartcar().methods.listSearch[method].call(context, filter);
}

/** A resource locator value as the editor stores it. */
export function picked(value: string, mode: 'list' | 'id' = 'list'): INodeParameters {
	return { __rl: true, mode, value };
}
