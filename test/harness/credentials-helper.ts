/**
 * An in-memory credential store and an ICredentialsHelper that follows the n8n 2.41.1 CLI's CredentialsHelper
 * (packages/cli/dist/credentials-helper.js) for everything a community node can observe:
 *  - getDecrypted: a fresh copy per call (n8n decrypts the DB row each time), defaults of the credential's
 *    properties applied with NodeHelpers.getNodeParameters, the domain-restriction fields n8n's loader injects
 *    into every credential with `authenticate` (load-nodes-and-credentials.js), expressions in the data resolved.
 *  - authenticate: function form, or generic with keys and values resolved as expressions over `$credentials`.
 *  - preAuthentication: only with a hidden `typeOptions.expirable` property; runs when that field is '' (or the
 *    request got a 401 → credentialsExpired); persists the output like n8n (expirable field always, other keys
 *    unless the stored value is an expression) only when the node has a credential reference; returns the
 *    credentials merged with the output.
 *  - runPreAuthentication, getParentTypes, getCredentialsProperties, updateCredentials,
 *    updateCredentialsOauthTokenData, isCredentialUsableByNode.
 * Not mirrored: credential overwrites, external secrets, dynamic (per-user) credentials, the AI gateway, DCR
 * fields, policy enforcement.
 */
import { ExecuteContext, RoutingNode, getAdditionalKeys } from 'n8n-core';
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	createEmptyRunExecutionData,
	getCredentialOwnRequestAllowedDomains,
	injectDomainRestrictionFields,
	isExpression,
	jsonParse,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialsEncrypted,
	type ICredentialsExpressionResolveValues,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type IGetDecryptedCredentialsOptions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type NodeParameterValueType,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { createAdditionalData, type NodeTypeClasses } from './n8n-environment';

// ---------------------------------------------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------------------------------------------

export interface CredentialWrite {
	type: string;
	id: string;
	source: 'updateCredentials' | 'updateCredentialsOauthTokenData';
	/** The whole stored data after the write (a copy). */
	data: ICredentialDataDecryptedObject;
	at: Date;
}

interface StoredCredential {
	id: string;
	name: string;
	/** JSON text, like the decrypted credential row (n8n-core Credentials.setData stores JSON). */
	json: string;
}

/** JSON round trip: what n8n's encrypt → DB → decrypt cycle does to credential data. */
function roundTrip<T>(value: T): T {
	return jsonParse<T>(JSON.stringify(value));
}

/**
 * In-memory credential "table": one credential per credential type (credentialType → decrypted data).
 * `writes` logs every persisted update (what preAuthentication stored, OAuth token updates), `decrypts`
 * counts reads of the stored row.
 */
export class CredentialStore {
	private readonly rows = new Map<string, StoredCredential>();

	readonly writes: CredentialWrite[] = [];

	decrypts = 0;

	constructor(initial: Record<string, ICredentialDataDecryptedObject> = {}) {
		for (const [type, data] of Object.entries(initial)) this.set(type, data);
	}

	/** Creates or replaces a credential (like saving it in the editor); not logged in `writes`. */
	set(type: string, data: ICredentialDataDecryptedObject, meta: { id?: string; name?: string } = {}): void {
		const previous = this.rows.get(type);
		this.rows.set(type, {
			id: meta.id ?? previous?.id ?? `cred-${type}`,
			name: meta.name ?? previous?.name ?? `${type} account`,
			json: JSON.stringify(data),
		});
	}

	/** A copy of the stored data, or undefined. Does not count as a decrypt. */
	get(type: string): ICredentialDataDecryptedObject | undefined {
		const row = this.rows.get(type);
		return row === undefined ? undefined : jsonParse<ICredentialDataDecryptedObject>(row.json);
	}

	has(type: string): boolean {
		return this.rows.has(type);
	}

	/** The reference a workflow node carries: `node.credentials[type] = store.details(type)`. */
	details(type: string): { id: string; name: string } | undefined {
		const row = this.rows.get(type);
		return row === undefined ? undefined : { id: row.id, name: row.name };
	}

	types(): string[] {
		return [...this.rows.keys()];
	}

	writesFor(type: string): CredentialWrite[] {
		return this.writes.filter((write) => write.type === type);
	}

	/** @internal the DB lookup n8n does by id and type (CredentialsHelper.getCredentialsEntity). */
	findRow(nodeCredentials: INodeCredentialsDetails, type: string): StoredCredential {
		if (!nodeCredentials.id) {
			throw new UnexpectedError('Found credential with no ID.', {
				extra: { credentialName: nodeCredentials.name },
				tags: { credentialType: type },
			});
		}
		const row = this.rows.get(type);
		if (row === undefined || row.id !== nodeCredentials.id) {
			throw new UserError(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
		}
		return row;
	}

	/** @internal */
	readRow(nodeCredentials: INodeCredentialsDetails, type: string): ICredentialDataDecryptedObject {
		const row = this.findRow(nodeCredentials, type);
		this.decrypts++;
		return jsonParse<ICredentialDataDecryptedObject>(row.json);
	}

	/** @internal the repository update after an encrypt. */
	writeRow(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
		source: CredentialWrite['source'],
	): void {
		const row = this.findRow(nodeCredentials, type);
		row.json = JSON.stringify(data);
		this.writes.push({ type, id: row.id, source, data: roundTrip(data), at: new Date() });
	}
}

/** ICredentials over a store row (the CLI returns n8n-core's encrypted Credentials; same methods). */
class StoreCredentials extends ICredentials {
	constructor(nodeCredentials: INodeCredentialsDetails, type: string, json: string) {
		super({ id: nodeCredentials.id, name: nodeCredentials.name }, type, json);
	}

	async getData(): Promise<ICredentialDataDecryptedObject> {
		if (this.data === undefined) throw new UnexpectedError('No data is set so nothing can be returned.');
		return jsonParse<ICredentialDataDecryptedObject>(this.data);
	}

	getDataToSave(): ICredentialsEncrypted {
		if (this.data === undefined) throw new UnexpectedError('No credentials were set to save.');
		return { id: this.id, name: this.name, type: this.type, data: this.data };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.data = JSON.stringify(data);
	}

	async updateData(toUpdate: Partial<ICredentialDataDecryptedObject>, toDelete: string[] = []): Promise<void> {
		const updated = { ...(await this.getData()), ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete updated[key];
		await this.setData(updated);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Credential types registry (CLI CredentialTypes + the loader's post-processing)
// ---------------------------------------------------------------------------------------------------------------

export class HarnessCredentialTypes {
	private readonly types = new Map<string, ICredentialType>();

	private readonly supportedNodes = new Map<string, string[]>();

	constructor(credentialTypes: Record<string, ICredentialType>, nodeTypes: NodeTypeClasses = {}) {
		for (const [key, type] of Object.entries(credentialTypes)) {
			// n8n's loader appends the "Allowed HTTP Request Domains" fields to every credential with
			// `authenticate` (injectDomainRestrictionFields). Object.create keeps the class's prototype methods.
			const processed = Object.create(type, {
				properties: { value: injectDomainRestrictionFields(type), writable: true, enumerable: true },
			}) as ICredentialType;
			this.types.set(type.name ?? key, processed);
			if (key !== type.name) this.types.set(key, processed);
		}
		for (const [nodeTypeName, nodeType] of Object.entries(nodeTypes)) {
			const descriptions =
				'nodeVersions' in nodeType
					? Object.values((nodeType as IVersionedNodeType).nodeVersions).map((v) => v.description)
					: [(nodeType as INodeType).description];
			for (const description of descriptions) {
				for (const { name } of description.credentials ?? []) {
					const list = this.supportedNodes.get(name) ?? [];
					if (!list.includes(nodeTypeName)) list.push(nodeTypeName);
					this.supportedNodes.set(name, list);
				}
			}
		}
	}

	recognizes(type: string): boolean {
		return this.types.has(type);
	}

	getByName(type: string): ICredentialType {
		const found = this.types.get(type);
		if (found === undefined) throw new UnexpectedError(`Unrecognized credential type: ${type}`);
		return found;
	}

	getSupportedNodes(type: string): string[] {
		return this.supportedNodes.get(type) ?? [];
	}

	getParentTypes(typeName: string): string[] {
		const extendsArr = this.types.get(typeName)?.extends ?? [];
		if (extendsArr.length === 0) return [];
		const copy = [...extendsArr];
		for (const type of copy) copy.push(...this.getParentTypes(type));
		return copy;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Helper
// ---------------------------------------------------------------------------------------------------------------

const mockNode: INode = { id: 'mock', name: '', typeVersion: 1, type: 'mock', position: [0, 0], parameters: {} };

/** packages/cli/dist/credentials/mock-node-types.js */
class MockNodeTypes implements INodeTypes {
	readonly nodesData: Record<string, INodeType> = { mock: { description: { properties: [] } } as unknown as INodeType };

	getByName(nodeType: string): INodeType {
		return this.nodesData[nodeType];
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const type = this.nodesData[nodeType];
		if (type === undefined) throw new UnexpectedError('Unrecognized node type', { tags: { nodeType } });
		return NodeHelpers.getVersionedNodeType(type, version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** packages/cli/dist/credentials-helper.js restrictToCredentialDomains */
function restrictToCredentialDomains(
	helpers: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestHelper {
	return {
		helpers: {
			httpRequest: async (requestOptions: IHttpRequestOptions) => {
				const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
				if (allowedDomains === undefined) return await helpers.helpers.httpRequest(requestOptions);
				if (requestOptions.allowedDomains !== undefined) {
					throw new UserError(
						'This credential restricts requests to specific domains, which cannot be combined with the domains its authentication step asks for.',
					);
				}
				return await helpers.helpers.httpRequest({ ...requestOptions, allowedDomains });
			},
		},
	};
}

export interface PreAuthenticationCall {
	type: string;
	node: string;
	credentialsExpired: boolean;
	/** Whether the credential's preAuthentication hook actually ran. */
	ran: boolean;
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	readonly credentialTypes: HarnessCredentialTypes;

	/** Every call n8n-core made to preAuthentication (whether the hook ran or not). */
	readonly preAuthenticationCalls: PreAuthenticationCall[] = [];

	constructor(
		readonly store: CredentialStore,
		credentialTypes: Record<string, ICredentialType> | HarnessCredentialTypes,
		nodeTypes: NodeTypeClasses = {},
	) {
		super();
		this.credentialTypes =
			credentialTypes instanceof HarnessCredentialTypes
				? credentialTypes
				: new HarnessCredentialTypes(credentialTypes, nodeTypes);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = this.credentialTypes.getByName(typeName);
		if (credentialType.authenticate) {
			if (typeof credentialType.authenticate === 'function') {
				return await credentialType.authenticate(credentials, requestOptions);
			}
			if (typeof credentialType.authenticate === 'object') {
				if (!workflow || !node) {
					throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
				}
				const { authenticate } = credentialType;
				if (requestOptions.headers === undefined) requestOptions.headers = {};
				if (authenticate.type === 'generic') {
					const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
					for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
						for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
							const keyResolved = this.resolveValue(key, { $credentials: credentials }, workflow, node);
							const valueResolved = this.resolveValue(value, { $credentials: credentials }, workflow, node);
							target[outerKey] ??= {};
							(target[outerKey] as Record<string, unknown>)[keyResolved] = valueResolved;
						}
					}
				}
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const call: PreAuthenticationCall = { type: typeName, node: node?.name, credentialsExpired, ran: false };
		this.preAuthenticationCalls.push(call);
		const credentialType = this.credentialTypes.getByName(typeName);
		const expirableProperty = credentialType.properties.find(
			(property) => property.type === 'hidden' && property?.typeOptions?.expirable === true,
		);
		if (expirableProperty?.name === undefined) return undefined;
		const isTestingCredentials = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (typeof credentialType.preAuthentication === 'function') {
			if (credentials[expirableProperty.name] === '' || credentialsExpired || isTestingCredentials) {
				call.ran = true;
				const output = await credentialType.preAuthentication.call(
					restrictToCredentialDomains(helpers, credentials),
					credentials,
				);
				if (output[expirableProperty.name] === undefined) return undefined;
				if (node.credentials) {
					const nodeCredentials = node.credentials[credentialType.name];
					const storedData = await (await this.getCredentials(nodeCredentials, credentialType.name)).getData();
					const dataToPersist: ICredentialDataDecryptedObject = { ...storedData };
					for (const [key, value] of Object.entries(output)) {
						if (key === expirableProperty.name || !isExpression(storedData[key])) {
							dataToPersist[key] = value as ICredentialDataDecryptedObject[string];
						}
					}
					await this.updateCredentials(nodeCredentials, credentialType.name, dataToPersist);
					return Object.assign(credentials, output);
				}
			}
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const output = await credentialType.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		);
		return (output as ICredentialDataDecryptedObject | undefined) ?? undefined;
	}

	private resolveValue(
		parameterValue: string,
		additionalKeys: { $credentials: ICredentialDataDecryptedObject },
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(parameterValue)) return parameterValue;
		const returnValue = workflow.expression.getSimpleParameterValue(
			node,
			parameterValue,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		if (!returnValue) return '';
		return returnValue.toString();
	}

	getParentTypes(typeName: string): string[] {
		return this.credentialTypes.getParentTypes(typeName);
	}

	async getCredentials(nodeCredential: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const data = this.store.readRow(nodeCredential, type);
		const row = this.store.findRow(nodeCredential, type);
		return new StoreCredentials({ id: row.id, name: row.name }, type, JSON.stringify(data));
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		let typeDef: ICredentialType;
		try {
			typeDef = this.credentialTypes.getByName(credentialType);
		} catch {
			return true;
		}
		if (!typeDef.restrictToSupportedNodes) return true;
		return this.credentialTypes.getSupportedNodes(credentialType).includes(nodeType);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialTypeData = this.credentialTypes.getByName(type);
		if (credentialTypeData.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
				return [
					...credentialTypeData.properties,
					{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', required: false, default: {} },
				];
			}
			return credentialTypeData.properties;
		}
		const combineProperties: INodeProperties[] = [];
		for (const credentialsTypeName of credentialTypeData.extends) {
			NodeHelpers.mergeNodeProperties(combineProperties, this.getCredentialsProperties(credentialsTypeName));
		}
		NodeHelpers.mergeNodeProperties(combineProperties, credentialTypeData.properties);
		return combineProperties;
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
		_options?: IGetDecryptedCredentialsOptions,
	): Promise<ICredentialDataDecryptedObject> {
		const decryptedDataOriginal = this.store.readRow(nodeCredentials, type);
		if (raw === true) return decryptedDataOriginal;
		return await this.applyDefaultsAndOverwrites(
			additionalData,
			decryptedDataOriginal,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/** CLI CredentialsHelper.applyDefaultsAndOverwrites without overwrites, DCR fields and JSON-leaf expressions. */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		decryptedDataOriginal: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const credentialsProperties = this.getCredentialsProperties(type);
		const storedData = { ...decryptedDataOriginal };
		let decryptedData = NodeHelpers.getNodeParameters(
			credentialsProperties,
			storedData as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (decryptedDataOriginal.oauthTokenData !== undefined) {
			decryptedData.oauthTokenData = decryptedDataOriginal.oauthTokenData;
		}
		if (
			decryptedData.allowedHttpRequestDomains === undefined &&
			decryptedDataOriginal.allowedHttpRequestDomains !== undefined
		) {
			decryptedData.allowedHttpRequestDomains = decryptedDataOriginal.allowedHttpRequestDomains;
		}
		if (decryptedData.allowedDomains === undefined && decryptedDataOriginal.allowedDomains !== undefined) {
			decryptedData.allowedDomains = decryptedDataOriginal.allowedDomains;
		}
		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			try {
				decryptedData = expressionResolveValues.workflow.expression.getParameterValue(
					decryptedData as NodeParameterValueType,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					decryptedData,
				) as ICredentialDataDecryptedObject;
			} catch (e) {
				(e as Error).message += ' [Error resolving credentials]';
				throw e;
			}
		} else {
			const mockNodeTypes = new MockNodeTypes();
			const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes: mockNodeTypes });
			await workflow.expression.acquireIsolate();
			try {
				decryptedData = workflow.expression.getComplexParameterValue(
					mockNode,
					decryptedData as INodeParameters,
					mode,
					additionalKeys,
					undefined,
					undefined,
					decryptedData,
				) as ICredentialDataDecryptedObject;
			} finally {
				await workflow.expression.releaseIsolate();
			}
		}
		return decryptedData;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		await credentials.setData(data);
		this.store.writeRow(nodeCredentials, type, await credentials.getData(), 'updateCredentials');
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
		_additionalData: IWorkflowExecuteAdditionalData,
	): Promise<void> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		await credentials.updateData({ oauthTokenData: data.oauthTokenData });
		this.store.writeRow(nodeCredentials, type, await credentials.getData(), 'updateCredentialsOauthTokenData');
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Credential test (packages/cli/dist/services/credentials-tester.service.js, testCredentials → runRequestTest)
// ---------------------------------------------------------------------------------------------------------------

/** n8n-nodes-base NoOp's description as the 2.41.1 loader returns it (description.name is the short 'noOp'). */
const noOpDescription = {
	displayName: 'No Operation, do nothing',
	name: 'noOp',
	icon: 'fa:arrow-right',
	group: ['organization'],
	version: 1,
	description: 'No Operation',
	defaults: { name: 'No Operation, do nothing', color: '#b0b0b0' },
	inputs: ['main'],
	outputs: ['main'],
	properties: [],
} as const;

export interface TestCredentialOptions {
	/**
	 * The credential data the editor sends with "Test" / "Save" (n8n tests the form's data merged with the stored
	 * secrets, not the DB row). Default: the stored data. A never-saved credential has `accessToken: ''`.
	 */
	data?: ICredentialDataDecryptedObject;
	/** Other credential types (parents named in `extends`). */
	credentialTypes?: Record<string, ICredentialType>;
	/**
	 * n8n 2.41.1's CredentialsHelper runs preAuthentication for a credential test when the node is
	 * `n8n-nodes-base.noOp` with `temp: ''`, but the tester's temporary node gets the short type `noOp` (the
	 * loaded NoOp class's description.name), so in 2.41.1 that branch never matches: the test runs
	 * preAuthentication only when the expirable field is '' (or after a 401). `true` uses the full type name
	 * so the forced branch runs. Default false (2.41.1 behaviour).
	 */
	forcePreAuthentication?: boolean;
	baseUrl?: string;
}

export interface TestCredentialResult extends INodeCredentialTestResult {
	/** The store writes the test caused (preAuthentication persisting a token). */
	writes: CredentialWrite[];
}

/**
 * Tests a credential like n8n's "Test" button for a credential with `test: { request }`: the data gets defaults
 * and expressions applied, then n8n-core's RoutingNode runs the test request through
 * httpRequestWithAuthentication (preAuthentication → authenticate → real HTTP request, 401 → preAuthentication
 * again and one retry), and errors map to messages as in CredentialsTester.runRequestTest.
 */
export async function testCredential(
	credentialType: ICredentialType,
	store: CredentialStore,
	options: TestCredentialOptions = {},
): Promise<TestCredentialResult> {
	const writesBefore = store.writes.length;
	const result = await runCredentialTest(credentialType, store, options);
	return { ...result, writes: store.writes.slice(writesBefore) };
}

async function runCredentialTest(
	credentialType: ICredentialType,
	store: CredentialStore,
	options: TestCredentialOptions,
): Promise<INodeCredentialTestResult> {
	const typeName = credentialType.name;
	const helper = new HarnessCredentialsHelper(store, {
		...(options.credentialTypes ?? {}),
		[typeName]: credentialType,
	});
	const registered = helper.credentialTypes.getByName(typeName);
	if (!registered.test) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}
	const testRequest = registered.test;
	const details = store.details(typeName);
	const storedData = store.get(typeName);
	if (details === undefined || storedData === undefined) {
		throw new UnexpectedError(`The store has no "${typeName}" credential`);
	}
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: details.id,
		name: details.name,
		type: typeName,
		data: roundTrip(options.data ?? storedData),
	};

	// prepareCredentialsForTest
	const baseAdditionalData = createAdditionalData({ credentialsHelper: helper, baseUrl: options.baseUrl });
	try {
		credentialsDecrypted.data = await helper.applyDefaultsAndOverwrites(
			baseAdditionalData,
			credentialsDecrypted.data ?? {},
			typeName,
			'internal',
		);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message.toString() };
	}

	// runRequestTest
	const nodeTypeName = options.forcePreAuthentication ? 'n8n-nodes-base.noOp' : noOpDescription.name;
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeTypeName,
		typeVersion: noOpDescription.version,
		position: [0, 0],
		credentials: { [typeName]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const nodeTypeCopy = {
		description: {
			...noOpDescription,
			name: nodeTypeName,
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	} as unknown as INodeType;
	const mockNodeTypes = new MockNodeTypes();
	mockNodeTypes.nodesData[nodeTypeName] = nodeTypeCopy;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: mockNodeTypes });
	const inputData = { main: [[{ json: {} }]] };
	const connectionInputData: INodeExecutionData[] = [];
	const runExecutionData = createEmptyRunExecutionData();
	const additionalData = createAdditionalData({ credentialsHelper: helper, baseUrl: options.baseUrl });
	additionalData.currentNodeParameters = node.parameters;
	// The tester answers getDecrypted with the tested data (raw reads still hit the store).
	additionalData.credentialsHelper = new Proxy(helper, {
		get(target, prop, receiver) {
			if (prop === 'getDecrypted') {
				return async (...args: Parameters<HarnessCredentialsHelper['getDecrypted']>) =>
					args[5] === true ? await target.getDecrypted(...args) : (credentialsDecrypted.data ?? {});
			}
			const value: unknown = Reflect.get(target, prop, receiver);
			return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
		},
	});
	const executeData: IExecuteData = { node, data: {}, source: null };
	const executeFunctions = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		connectionInputData,
		inputData,
		executeData,
		[],
	);
	const routingNode = new RoutingNode(executeFunctions, nodeTypeCopy, credentialsDecrypted);
	let response: INodeExecutionData[][] | undefined;
	try {
		await workflow.expression.acquireIsolate();
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as Error & {
			cause?: { response?: { status: number; statusText?: string }; code?: string };
		};
		if (error.cause?.response) {
			const errorResponseData = {
				statusCode: error.cause.response.status,
				statusMessage: error.cause.response.statusText,
			};
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && errorResponseData.statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (errorResponseData.statusCode < 199 || errorResponseData.statusCode > 299) {
				return {
					status: 'Error',
					message: errorResponseData.statusMessage || `Received HTTP status code: ${errorResponseData.statusCode}`,
				};
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	} finally {
		await workflow.expression.releaseIsolate();
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const responseData = response?.[0]?.[0]?.json;
			if (getPath(responseData, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** lodash.get for dotted / bracketed paths. */
function getPath(value: unknown, path: string): unknown {
	let current: unknown = value;
	for (const key of path.replace(/\[(\w+)\]/g, '.$1').split('.').filter(Boolean)) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}
