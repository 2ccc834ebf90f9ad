/**
 * What the harness spec runs against: a loopback API with a client-credentials token endpoint, a credential with
 * n8n's preAuthentication pattern, and a programmatic node that calls the API through httpRequestWithAuthentication.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	NodeApiError,
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IConnections,
	type JsonObject,
} from 'n8n-workflow';

// ---------------------------------------------------------------------------------------------------------------
// A loopback API with a client-credentials token endpoint
// ---------------------------------------------------------------------------------------------------------------

interface ApiCall {
	path: string;
	authorization?: string;
	status: number;
}

export class TestApi {
	exchanges = 0;

	readonly calls: ApiCall[] = [];

	/** Tokens the API accepts (every issued token stays valid); others get 401. */
	readonly validTokens = new Set<string>();

	/** Every API call gets 401. */
	rejectAll = false;

	private server?: http.Server;

	baseUrl = '';

	async start(): Promise<void> {
		this.server = http.createServer((req, res) => this.handle(req, res));
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server?.close(() => resolve());
			this.server?.closeAllConnections();
		});
	}

	reset(): void {
		this.exchanges = 0;
		this.calls.length = 0;
		this.validTokens.clear();
		this.rejectAll = false;
	}

	private send(res: http.ServerResponse, status: number, body: unknown) {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse) {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', this.baseUrl);
			if (url.pathname === '/token') {
				const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as IDataObject;
				if (body.client_secret !== 'secret') return this.send(res, 401, { error: 'invalid_client' });
				this.exchanges++;
				const token = `tok-${this.exchanges}`;
				this.validTokens.add(token);
				return this.send(res, 200, { access_token: token, expires_in: 7200 });
			}
			const authorization = req.headers.authorization;
			let status = 200;
			const token = authorization?.replace(/^Bearer /, '') ?? '';
			if (this.rejectAll || !this.validTokens.has(token)) status = 401;
			else if (url.pathname.startsWith('/api/fail')) status = 500;
			this.calls.push({ path: url.pathname, authorization, status });
			if (status === 401) return this.send(res, 401, { error: 'unauthorized' });
			if (status === 500) return this.send(res, 500, { error: 'server_error' });
			return this.send(res, 200, { path: url.pathname, query: Object.fromEntries(url.searchParams) });
		});
	}
}

// ---------------------------------------------------------------------------------------------------------------
// A credential with n8n's preAuthentication pattern and a programmatic node using it
// ---------------------------------------------------------------------------------------------------------------

export class HarnessTestApi implements ICredentialType {
	name = 'harnessTestApi';

	displayName = 'Harness Test API';

	properties: INodeProperties[] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Region', name: 'region', type: 'string', default: 'eu' },
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl as string}/token`,
			body: { client_id: credentials.clientId, client_secret: credentials.clientSecret },
			json: true,
		})) as { access_token: string; expires_in: number };
		return { accessToken: response.access_token };
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => ({
		...requestOptions,
		headers: { ...requestOptions.headers, Authorization: `Bearer ${credentials.accessToken as string}` },
	});

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/api/me' },
	};
}

class ApiCaller implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'API Caller',
		name: 'apiCaller',
		group: ['transform'],
		version: 1,
		description: 'Calls the test API with httpRequestWithAuthentication',
		defaults: { name: 'API Caller' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'harnessTestApi', required: true }],
		properties: [
			{ displayName: 'Path', name: 'path', type: 'string', default: '/api/items' },
			{ displayName: 'Times', name: 'times', type: 'number', default: 1 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('harnessTestApi');
		for (let i = 0; i < items.length; i++) {
			try {
				const path = this.getNodeParameter('path', i) as string;
				const times = this.getNodeParameter('times', i) as number;
				let response: IDataObject = {};
				for (let n = 0; n < times; n++) {
					response = (await this.helpers.httpRequestWithAuthentication.call(this, 'harnessTestApi', {
						url: `${baseUrl}${path}`,
						json: true,
					})) as IDataObject;
				}
				out.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: i });
			}
		}
		return [out];
	}
}

export const CALLER_TYPE = 'n8n-nodes-harness.apiCaller';
export const nodeTypes = { [CALLER_TYPE]: new ApiCaller() };
export const credentialTypes = { harnessTestApi: new HarnessTestApi() };

export function node(name: string, type: string, parameters: INode['parameters'] = {}, extra: Partial<INode> = {}): INode {
	return { id: name, name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

export function chain(...names: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	return connections;
}
