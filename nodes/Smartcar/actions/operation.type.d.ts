import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SmartcarClient } from '../../shared/transport';

/** What every `<resource>/<operation>.operation.ts` exports: its fields and how it runs for one input item. */
export interface SmartcarOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, client: SmartcarClient, itemIndex: number): Promise<IDataObject | IDataObject[]>;
}

export interface SmartcarResource {
	description: INodeProperties[];
	operations: Record<string, SmartcarOperation>;
}
