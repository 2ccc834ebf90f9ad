/**
 * A node that sends like n8n's HTTP Request node with a predefined credential: through n8n-core's real legacy
 * `requestWithAuthentication`, which asks the credential to renew after ANY failed request (not only a 401) and sends
 * the request again when a token comes back. Specs run it in-process against the simulator.
 */
import type { ICredentialType, IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { runWorkflow, type CredentialStore } from '../harness';
import { credentialTypes } from '../nodes/smartcar-fixture';

const LEGACY_TYPE = 'test.legacyRequest';

/** For each item `{method, path, userId}`: one request with the credential; an error becomes `{error, status}`. */
class LegacyRequest implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Legacy Request',
		name: LEGACY_TYPE,
		group: ['transform'],
		version: 1,
		description: 'Sends like the HTTP Request node with a predefined credential',
		defaults: { name: 'Legacy Request' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'smartcarApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		for (const [index, item] of this.getInputData().entries()) {
			const { method, path, userId } = item.json as { method: IHttpRequestMethods; path: string; userId: string };
			const uri = `${String((await this.getCredentials('smartcarApi')).apiBaseUrl)}${path}`;
			try {
				const body = (await this.helpers.requestWithAuthentication.call(this, 'smartcarApi', { method, uri, json: true, headers: { 'sc-user-id': userId } })) as IDataObject;
				output.push({ json: { ok: true, body }, pairedItem: { item: index } });
			} catch (error) {
				output.push({ json: { error: true, status: (error as { httpCode?: string }).httpCode ?? null }, pairedItem: { item: index } });
			}
		}
		return [output];
	}
}

export interface LegacySendOptions {
	/** The credential class n8n gets (default the package's own). */
	credentialType?: ICredentialType;
}

/** Runs Start → Legacy Request once with one item; returns that item's JSON. */
export async function sendLegacy(
	store: CredentialStore,
	request: { method: IHttpRequestMethods; path: string; userId: string },
	options: LegacySendOptions = {},
): Promise<IDataObject> {
	const result = await runWorkflow(
		{
			nodes: [
				{ id: '1', name: 'Start', type: 'harness.start', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: '2', name: 'Legacy Request', type: LEGACY_TYPE, typeVersion: 1, position: [200, 0], parameters: {} },
			],
			connections: { Start: { main: [[{ node: 'Legacy Request', type: 'main', index: 0 }]] } },
		},
		{
			nodeTypes: { [LEGACY_TYPE]: new LegacyRequest() },
			credentialTypes: { smartcarApi: options.credentialType ?? credentialTypes.smartcarApi },
			credentials: store,
			triggerItems: [{ json: request }],
		},
	);
	expect(result.error).toBeUndefined();
	return result.items('Legacy Request')[0].json;
}
