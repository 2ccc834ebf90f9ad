import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SmartcarClient } from '../../shared/transport';
import type { SmartcarOperation } from './operation.type';
import { resources } from './resources';

function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error instanceof Error ? error.message : String(error) };
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.description) json.description = error.description;
	}
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}

/** Errors this package raised keep their type (and HTTP status); anything else names the item it failed on. */
function asNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

/** An item whose fields were checked: its operation and what `validate` returned; or why it was refused. */
type CheckedItem = { handler: SmartcarOperation; params: object } | { error: unknown };

/** The operation the item selects (resource and operation are per item), with the item's checked fields. */
function checkItem(this: IExecuteFunctions, client: SmartcarClient, itemIndex: number): CheckedItem {
	const resource = this.getNodeParameter('resource', itemIndex) as string;
	const operation = this.getNodeParameter('operation', itemIndex) as string;
	const handler = resources[resource]?.operations[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for "${resource}"`, {
			itemIndex,
		});
	}
	return { handler, params: handler.validate.call(this, itemIndex, client) };
}

/**
 * Phase 1: reads and checks every item's fields, sending nothing. Without Continue On Fail the first invalid item
 * fails the run here, before any request; with it, invalid items are kept as errors to output in their place.
 */
function checkAll(this: IExecuteFunctions, client: SmartcarClient, count: number): CheckedItem[] {
	const checked: CheckedItem[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			checked.push(checkItem.call(this, client, itemIndex));
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, itemIndex);
			checked.push({ error });
		}
	}
	return checked;
}

/**
 * Runs the chosen operation for every input item in two phases: all items are validated first (no request), then
 * the valid ones run in input order. A bad item therefore never stops a batch halfway. With Continue On Fail, an
 * invalid or failed item becomes an error item paired with its input, in its place in the output.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Only reads the credential: no request is sent before every item has been checked.
	const client = await SmartcarClient.create(this);
	const checked = checkAll.call(this, client, items.length);
	const returnData: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < checked.length; itemIndex++) {
		const item = checked[itemIndex];
		if ('error' in item) {
			returnData.push(errorItem(item.error, itemIndex));
			continue;
		}
		try {
			const result = await item.handler.execute.call(this, client, item.params, itemIndex);
			returnData.push(
				...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), {
					itemData: { item: itemIndex },
				}),
			);
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push(errorItem(error, itemIndex));
				continue;
			}
			throw asNodeError(this.getNode(), error, itemIndex);
		}
	}
	return [returnData];
}
