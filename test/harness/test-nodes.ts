/**
 * Tiny node types for in-process workflow tests. n8n-nodes-base is not installed, so these stand in for the
 * Manual Trigger, the Set node and the Code node.
 *
 *  - `harness.start`: the workflow's start node. It outputs the items the harness puts on the execution stack
 *    (`runWorkflow(..., { triggerItems })`), the same way a trigger node passes its emitted data on
 *    when n8n runs a triggered execution.
 *  - `harness.set`: for each input item it evaluates the `jsonOutput` parameter (usually an expression such as
 *    `={{ { vehicleId: $json.id } }}`) and outputs the result, merged into the input JSON when `keepInput` is on.
 *  - `createFunctionNode(fn)`: an ad-hoc node type whose `execute()` calls `fn` with the real IExecuteFunctions.
 */
import {
	NodeConnectionTypes,
	NodeOperationError,
	jsonParse,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

export const HARNESS_START_TYPE = 'harness.start';
export const HARNESS_SET_TYPE = 'harness.set';

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

export class HarnessSet implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Set',
		name: 'set',
		group: ['transform'],
		version: 1,
		description: 'Outputs, per item, the JSON given by an (expression) parameter',
		defaults: { name: 'Set' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'JSON Output',
				name: 'jsonOutput',
				type: 'json',
				default: '{}',
				description: 'An object, a JSON string, or an expression such as ={{ { vehicleId: $json.id } }}',
			},
			{
				displayName: 'Keep Input Fields',
				name: 'keepInput',
				type: 'boolean',
				default: false,
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const raw = this.getNodeParameter('jsonOutput', i) as unknown;
				const value: unknown = typeof raw === 'string' ? jsonParse<unknown>(raw) : raw;
				if (typeof value !== 'object' || value === null || Array.isArray(value)) {
					throw new NodeOperationError(this.getNode(), 'JSON Output must be an object', { itemIndex: i });
				}
				const keepInput = this.getNodeParameter('keepInput', i) as boolean;
				const json: IDataObject = keepInput ? { ...items[i].json, ...(value as IDataObject) } : (value as IDataObject);
				out.push({ json, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
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
	return { [HARNESS_START_TYPE]: new HarnessStart(), [HARNESS_SET_TYPE]: new HarnessSet() };
}
