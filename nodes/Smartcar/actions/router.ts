import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SmartcarClient } from '../../shared/transport';
import { DEFAULT_REQUESTS_IN_FLIGHT, MAX_REQUESTS_IN_FLIGHT } from './common.descriptions';
import { runInFlight } from './in-flight';
import type { SmartcarOperation } from './operation.type';
import { resources } from './resources';
import { checkWholeNumber } from './validation';

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

/**
 * An item whose fields were checked: its operation and what `validate` returned (for a read, also its Requests in
 * Flight and the vehicle it reads, if one); or why it was refused.
 */
type CheckedItem = { handler: SmartcarOperation; params: object; inFlight?: number; vehicleKey?: string } | { error: unknown };

/** Options → Requests in Flight of one read item: a whole number from 1 to 16 (the default when not set). */
function requestsInFlight(this: IExecuteFunctions, itemIndex: number): number {
	const raw: unknown = this.getNodeParameter('options.requestsInFlight', itemIndex, DEFAULT_REQUESTS_IN_FLIGHT);
	const rule = {
		label: 'Options → Requests in Flight',
		min: 1,
		max: MAX_REQUESTS_IN_FLIGHT,
		description: '1 reads one item at a time; more read several items at once (never two for the same vehicle).',
	};
	return checkWholeNumber(this, raw, rule, itemIndex);
}

/** The vehicle a read's checked fields name (its `vehicleId`), so two items for it never run at once. */
function vehicleKeyOf(params: object): string | undefined {
	const vehicleId: unknown = 'vehicleId' in params ? params.vehicleId : undefined;
	return typeof vehicleId === 'string' && vehicleId !== '' ? vehicleId : undefined;
}

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
	const params = handler.validate.call(this, itemIndex, client);
	if (handler.concurrent !== true) return { handler, params };
	return { handler, params, inFlight: requestsInFlight.call(this, itemIndex), vehicleKey: vehicleKeyOf(params) };
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
 * The items in the groups phase 2 runs, in input order: each run of consecutive reads (with the invalid items among
 * them, kept as errors) is one group; any other operation (a command, a subscribe…) is a group of its own.
 */
function groupsOf(checked: CheckedItem[]): number[][] {
	const groups: number[][] = [];
	let reads: number[] = [];
	checked.forEach((item, itemIndex) => {
		if ('error' in item || item.handler.concurrent === true) {
			reads.push(itemIndex);
			return;
		}
		if (reads.length > 0) groups.push(reads);
		reads = [];
		groups.push([itemIndex]);
	});
	if (reads.length > 0) groups.push(reads);
	return groups;
}

/** Whether the user stopped the execution (no new item is started then). */
function isStopped(context: IExecuteFunctions): boolean {
	const signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return signal?.aborted === true;
}

/**
 * Runs one group: a group of reads up to its first read's Requests in Flight at once (never two for one vehicle),
 * anything else alone. Resolves when every started item has settled, with each item's output in input order.
 * Without Continue On Fail it throws the error of the first failing item in input order (items after it are not
 * started). A stopped execution starts nothing more; once the running items have settled, each item it never started
 * is an error item with Continue On Fail, else the node fails naming the first of them.
 */
async function runGroup(
	this: IExecuteFunctions,
	client: SmartcarClient,
	checked: CheckedItem[],
	group: number[],
): Promise<INodeExecutionData[]> {
	const continueOnFail = this.continueOnFail();
	const first = group.map((itemIndex) => checked[itemIndex]).find((item) => !('error' in item) && item.inFlight);
	const plan = {
		count: group.length,
		limit: first && !('error' in first) ? (first.inFlight ?? 1) : 1,
		keyOf: (position: number) => {
			const item = checked[group[position]];
			return 'error' in item ? undefined : item.vehicleKey;
		},
		stopAfterFailure: !continueOnFail,
		stopped: () => isStopped(this),
	};
	const outcomes = await runInFlight(plan, async (position) => {
		const itemIndex = group[position];
		const item = checked[itemIndex];
		if ('error' in item) throw item.error;
		return await item.handler.execute.call(this, client, item.params, itemIndex);
	});

	const output: INodeExecutionData[] = [];
	outcomes.forEach((outcome, position) => {
		const itemIndex = group[position];
		if (outcome === undefined) {
			// Never started: the execution was stopped (items after a failure are only skipped when it is thrown first).
			const stopped = new NodeOperationError(this.getNode(), `The execution was stopped before item ${itemIndex} ran`, { itemIndex });
			if (!continueOnFail) throw stopped;
			output.push(errorItem(stopped, itemIndex));
		} else if (outcome.ok) {
			const data = this.helpers.returnJsonArray(outcome.value);
			output.push(...this.helpers.constructExecutionMetaData(data, { itemData: { item: itemIndex } }));
		} else if (continueOnFail) {
			output.push(errorItem(outcome.error, itemIndex));
		} else {
			throw asNodeError(this.getNode(), outcome.error, itemIndex);
		}
	});
	return output;
}

/**
 * Runs the chosen operation for every input item in two phases: all items are validated first (no request), then
 * the valid ones run. Reads run up to Requests in Flight items at once (never two for the same vehicle); commands
 * and other state changes run one at a time, in input order. The output is in input order either way, each item
 * paired with its input. A bad item therefore never stops a batch halfway. With Continue On Fail, an invalid or
 * failed item becomes an error item paired with its input, in its place in the output.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Only reads the credential: no request is sent before every item has been checked.
	const client = await SmartcarClient.create(this);
	const checked = checkAll.call(this, client, items.length);
	const returnData: INodeExecutionData[] = [];
	for (const group of groupsOf(checked)) {
		returnData.push(...(await runGroup.call(this, client, checked, group)));
	}
	return [returnData];
}
