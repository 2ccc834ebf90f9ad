import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SmartcarClient } from '../../shared/transport';
import { DEFAULT_REQUESTS_IN_FLIGHT, MAX_REQUESTS_IN_FLIGHT } from './common.descriptions';
import { runGroups, type Outcome } from './in-flight';
import type { CheckedItem, OperationResult } from './operation';
import { findOperation } from './resources';
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

/** An item whose fields were checked (ready to run), or why it was refused. */
type Checked = CheckedItem | { error: unknown };

/** What phase 1 found: every item checked, and the run's Requests in Flight. */
interface CheckedRun {
	items: Checked[];
	requestsInFlight: number;
}

/**
 * Options → Requests in Flight, read once per run from the first read item: a whole number from 1 to 16 (the default
 * when not set).
 */
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

/**
 * Phase 1: reads and checks every item's fields (resource and operation are per item), sending nothing. Without
 * Continue On Fail the first invalid item fails the run here, before any request; with it, invalid items are kept
 * as errors to output in their place. Requests in Flight is read at the first valid read item, after its fields (an
 * invalid field is named first, as before); if it is invalid there (Continue On Fail), that item is an error item and
 * the run uses the default.
 */
function checkAll(this: IExecuteFunctions, client: SmartcarClient, count: number): CheckedRun {
	const run: CheckedRun = { items: [], requestsInFlight: DEFAULT_REQUESTS_IN_FLIGHT };
	let inFlightRead = false;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex);
			const operation = this.getNodeParameter('operation', itemIndex);
			const handler = findOperation(String(resource), String(operation));
			if (!handler) {
				throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not known for "${String(resource)}"`, {
					itemIndex,
				});
			}
			const item = handler.check(this, itemIndex, client);
			if (handler.concurrent && !inFlightRead) {
				inFlightRead = true;
				run.requestsInFlight = requestsInFlight.call(this, itemIndex);
			}
			run.items.push(item);
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, itemIndex);
			run.items.push({ error });
		}
	}
	return run;
}

/** Whether the user stopped the execution (no new item is started then). */
function isStopped(context: IExecuteFunctions): boolean {
	const signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return signal?.aborted === true;
}

/**
 * Phase 3: the output, in input order, each item paired with its input. Without Continue On Fail the first failing
 * or never-started item in input order fails the node. An item never started (the execution was stopped) says so.
 */
function outputOf(this: IExecuteFunctions, outcomes: Array<Outcome<OperationResult> | undefined>): INodeExecutionData[] {
	const continueOnFail = this.continueOnFail();
	const output: INodeExecutionData[] = [];
	outcomes.forEach((outcome, itemIndex) => {
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
 * the valid ones run (in-flight.ts: reads up to Requests in Flight items at once, never two for the same vehicle;
 * commands and other state changes one at a time, in input order). The output is in input order either way, each
 * item paired with its input. A bad item therefore never stops a batch halfway. With Continue On Fail, an invalid or
 * failed item becomes an error item paired with its input, in its place in the output.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const count = this.getInputData().length;
	// Only reads the credential: no request is sent before every item has been checked.
	const client = await SmartcarClient.create(this);
	const checked = checkAll.call(this, client, count);
	const scheduled = checked.items.map((item) =>
		'error' in item ? { concurrent: true } : { concurrent: item.concurrent, key: item.vehicleKey },
	);
	const plan = { limit: checked.requestsInFlight, stopAfterFailure: !this.continueOnFail(), stopped: () => isStopped(this) };
	const outcomes = await runGroups(scheduled, plan, async (itemIndex) => {
		const item = checked.items[itemIndex];
		if ('error' in item) throw item.error;
		return await item.run(this, client, itemIndex);
	});
	return [outputOf.call(this, outcomes)];
}
