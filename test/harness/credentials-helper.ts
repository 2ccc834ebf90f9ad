/**
 * n8n's credential flow for a running node: an ICredentialsHelper that follows the n8n 2.41.1 CLI's
 * CredentialsHelper (packages/cli/dist/credentials-helper.js) for what a community node with a
 * client-credentials token can observe:
 *  - getDecrypted: a fresh copy of the row per call, defaults applied and expressions resolved (credential-data.ts);
 *  - preAuthentication: only with a hidden `typeOptions.expirable` property, when that field is '' or n8n-core
 *    reports a 401 (credentialsExpired); the output is persisted like n8n does (the expirable field always, other
 *    keys unless the stored value is an expression) when the node has a credential reference;
 *  - authenticate: the credential's `authenticate` function.
 * Not emulated (the real-n8n e2e runs them): OAuth (runPreAuthentication, token-data updates, `extends`), generic
 * (declarative) `authenticate`, domain-restriction fields, credential overwrites, external secrets, dynamic
 * credentials.
 */
import {
	ICredentialsHelper,
	UnexpectedError,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type ICredentialType,
	type IExecuteData,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { resolveCredentialData } from './credential-data';
import { StoreCredentials, type CredentialStore } from './credential-store';
import { HarnessCredentialTypes } from './credential-types';
import type { NodeTypeClasses } from './n8n-environment';

export class HarnessCredentialsHelper extends ICredentialsHelper {
	readonly credentialTypes: HarnessCredentialTypes;

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

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store.readRow(nodeCredentials, type);
		if (raw === true) return stored;
		const properties = this.getCredentialsProperties(type);
		return await resolveCredentialData(stored, { additionalData, properties, mode, executeData, expressionResolveValues });
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (authenticate === undefined) return requestOptions as IHttpRequestOptions;
		if (typeof authenticate !== 'function') {
			throw new UnexpectedError(`Credential "${typeName}": generic authenticate is not emulated by the harness`);
		}
		return await authenticate(credentials, requestOptions as IHttpRequestOptions);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		)?.name;
		if (expirable === undefined || typeof credentialType.preAuthentication !== 'function') return undefined;
		if (credentials[expirable] !== '' && !credentialsExpired) return undefined;
		const output = (await credentialType.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable] === undefined) return undefined;
		const reference = node.credentials?.[credentialType.name];
		if (reference === undefined) return undefined;
		await this.persist(reference, credentialType.name, output, expirable);
		return Object.assign(credentials, output);
	}

	/** Stores preAuthentication's output over the stored row, keeping stored expressions (but not the expirable one). */
	private async persist(
		reference: INodeCredentialsDetails,
		type: string,
		output: ICredentialDataDecryptedObject,
		expirable: string,
	): Promise<void> {
		const stored = this.store.readRow(reference, type);
		const data: ICredentialDataDecryptedObject = { ...stored };
		for (const [key, value] of Object.entries(output)) {
			if (key === expirable || !isExpression(stored[key])) data[key] = value;
		}
		await this.updateCredentials(reference, type, data);
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		await credentials.setData(data);
		this.store.writeRow(nodeCredentials, type, await credentials.getData());
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const data = this.store.readRow(nodeCredentials, type);
		const name = this.store.details(type)?.name ?? nodeCredentials.name;
		return new StoreCredentials({ id: nodeCredentials.id, name }, type, JSON.stringify(data));
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialTypes.getByName(type).properties;
	}

	/** n8n-core asks this to pick the OAuth request path; no registered type extends another. */
	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		return this.credentialTypes.isUsableByNode(credentialType, nodeType);
	}

	/** Only n8n-core's OAuth2 client-credentials path calls this. */
	async runPreAuthentication(): Promise<never> {
		throw new UnexpectedError('OAuth credentials are not emulated by the in-process harness');
	}

	/** Only n8n-core's OAuth paths call this. */
	async updateCredentialsOauthTokenData(): Promise<never> {
		throw new UnexpectedError('OAuth credentials are not emulated by the in-process harness');
	}
}
