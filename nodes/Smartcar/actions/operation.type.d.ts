import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SmartcarClient } from '../../shared/transport';

/**
 * What every `<resource>/<operation>.operation.ts` exports: its fields, how one input item's fields are read and
 * checked (no request), and how it runs for one item with those checked values.
 *
 * The router validates every item before it sends the first request, so a bad item can never stop a batch halfway.
 * `validate` throws a NodeOperationError that names the item and the field; `execute` receives exactly what
 * `validate` returned for that item (methods are declared with method syntax so each operation can narrow `params`).
 */
export interface SmartcarOperation {
	description: INodeProperties[];
	/**
	 * true for reads: the router may run several items at once (Options → Requests in Flight), never two for the same
	 * vehicle. Commands and other state changes leave it out and run one at a time, in input order.
	 */
	concurrent?: boolean;
	validate(this: IExecuteFunctions, itemIndex: number, client: SmartcarClient): object;
	execute(this: IExecuteFunctions, client: SmartcarClient, params: object, itemIndex: number): Promise<IDataObject | IDataObject[]>;
}

export interface SmartcarResource {
	description: INodeProperties[];
	operations: Record<string, SmartcarOperation>;
}
