/**
 * Tiny node types for in-process workflow tests. n8n-nodes-base is not installed, so these stand in for the
 * Manual Trigger and the Code node.
 *
 *  - `harness.start`: the workflow's start node. It outputs the items the harness puts on the execution stack
 *    (`runWorkflow(..., { triggerItems })`), the same way a trigger node passes its emitted data on
 *    when n8n runs a triggered execution.
 *  - `createFunctionNode(fn)`: an ad-hoc node type whose `execute()` calls `fn` with the real IExecuteFunctions.
 */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

export const HARNESS_START_TYPE = 'harness.start';

export class HarnessStart implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Start',
		name: 'start',
		group: ['trigger'],
		version: 1,
		description: 'Outputs the items the test harness starts the execution with',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		return [items.map((item, index) => ({ ...item, pairedItem: item.pairedItem ?? { item: index } }))];
	}
}

export type HarnessFunction = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/** A node type whose execute() is `fn` (called with the real execute context). One main input, `outputs` outputs. */
export function createFunctionNode(fn: HarnessFunction, options: { name?: string; outputs?: number } = {}): INodeType {
	const outputs = Array.from({ length: options.outputs ?? 1 }, () => NodeConnectionTypes.Main);
	return {
		description: {
			displayName: options.name ?? 'Harness Function',
			name: options.name ?? 'function',
			group: ['transform'],
			version: 1,
			description: 'Runs a test function',
			defaults: { name: options.name ?? 'Function' },
			inputs: [NodeConnectionTypes.Main],
			outputs,
			properties: [],
		},
		execute: fn,
	};
}

/** The harness's own node types, keyed by the type name used in workflow JSON. */
export function harnessNodeTypes(): Record<string, INodeType> {
	return { [HARNESS_START_TYPE]: new HarnessStart() };
}
