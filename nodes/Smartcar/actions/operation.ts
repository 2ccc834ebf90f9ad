import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SmartcarClient } from '../../shared/transport';

/** What one item's run of an operation gives: one output item, or several. */
export type OperationResult = IDataObject | IDataObject[];

/**
 * What every `<resource>/<operation>.operation.ts` gives `defineOperation`: its fields, how one input item's fields
 * are read and checked (no request), and how it runs for one item with exactly what `validate` returned.
 *
 * `validate` and `execute` are function-typed properties (not methods), so their `params` is checked strictly: a
 * `validate` that returns A paired with an `execute` that takes B does not compile.
 */
export interface OperationSpec<P> {
	description: INodeProperties[];
	/**
	 * true for reads: the router may run several items at once (Options → Requests in Flight), never two for the same
	 * vehicle. Commands and other state changes leave it out and run one at a time, in input order.
	 */
	concurrent?: boolean;
	/** Reads and checks one item's fields, sending nothing; throws a NodeOperationError naming the item and field. */
	validate: (this: IExecuteFunctions, itemIndex: number, client: SmartcarClient) => P;
	/** Runs the operation for one item with its checked fields. */
	execute: (this: IExecuteFunctions, client: SmartcarClient, params: P, itemIndex: number) => Promise<OperationResult>;
}

/** One item whose fields were checked, ready to run (its checked fields are kept inside `run`). */
export interface CheckedItem {
	concurrent: boolean;
	/** The vehicle a read names (its checked `vehicleId`), so two items for it never run at once. */
	vehicleKey?: string;
	run(context: IExecuteFunctions, client: SmartcarClient, itemIndex: number): Promise<OperationResult>;
}

/** An operation as the router sees it: whatever its checked fields' type, `check` pairs them with its own `execute`. */
export interface SmartcarOperation {
	description: INodeProperties[];
	concurrent: boolean;
	check(context: IExecuteFunctions, itemIndex: number, client: SmartcarClient): CheckedItem;
}

/** A resource: its fields (the Operation picker and shared fields) and its operations by option value. */
export interface SmartcarResource<O extends string = string> {
	description: INodeProperties[];
	operations: Record<O, SmartcarOperation>;
}

/** The vehicle checked fields name (their `vehicleId`), if any. */
function vehicleKeyOf(params: unknown): string | undefined {
	if (params === null || typeof params !== 'object' || !('vehicleId' in params)) return undefined;
	const vehicleId: unknown = params.vehicleId;
	return typeof vehicleId === 'string' && vehicleId !== '' ? vehicleId : undefined;
}

/**
 * Builds an operation from its fields, `validate` and `execute`; `P` (what `validate` returns) is what `execute`
 * must take. The router validates every item before it sends the first request, so a bad item never stops a batch
 * halfway.
 */
export function defineOperation<P>(spec: OperationSpec<P>): SmartcarOperation {
	const concurrent = spec.concurrent === true;
	return {
		description: spec.description,
		concurrent,
		check(context, itemIndex, client) {
			const params = spec.validate.call(context, itemIndex, client);
			return {
				concurrent,
				vehicleKey: concurrent ? vehicleKeyOf(params) : undefined,
				run: async (runContext, runClient, runIndex) => await spec.execute.call(runContext, runClient, params, runIndex),
			};
		},
	};
}
