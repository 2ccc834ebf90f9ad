/**
 * The ICredentialsHelper n8n-core needs for an in-process run (n8n-workflow declares it; the real one lives in n8n's
 * CLI, which is not installed here), following the n8n 2.41.1 CLI's CredentialsHelper for what a community node with
 * a client-credentials token can observe:
 *  - getDecrypted: a fresh copy of the stored row with the credential's property defaults applied;
 *  - preAuthentication: only with a hidden `typeOptions.expirable` property, when that field is '' or n8n-core
 *    reports a 401 (credentialsExpired); the output is saved over the row, as n8n saves it, when the node has a
 *    credential reference;
 *  - authenticate: the credential's `authenticate` function.
 * Not here (the real-n8n e2e runs them): expressions in credential data, OAuth, generic (declarative) `authenticate`,
 * credentials restricted to some nodes, overwrites, external secrets.
 */
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { CredentialStore } from './credential-store';

/** The data with the credential's property defaults filled in, as n8n applies them to a decrypted row. */
export function withDefaults(properties: INodeProperties[], data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	return NodeHelpers.getNodeParameters(properties, data as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject;
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		readonly store: CredentialStore,
		private readonly types: Record<string, ICredentialType>,
	) {
		super();
	}

	credentialType(type: string): ICredentialType {
		const found = Object.values(this.types).find((candidate) => candidate.name === type);
		if (found === undefined) throw new UnexpectedError(`Unrecognized credential type: ${type}`);
		return found;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: WorkflowExecuteMode,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store.readRow(nodeCredentials, type);
		if (raw === true) return stored;
		return withDefaults(this.getCredentialsProperties(type), stored);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialType(typeName);
		if (authenticate === undefined) return requestOptions as IHttpRequestOptions;
		if (typeof authenticate !== 'function') throw new UnexpectedError(`Credential "${typeName}": generic authenticate is not supported here`);
		return await authenticate(credentials, requestOptions as IHttpRequestOptions);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialType(typeName);
		const expirable = credentialType.properties.find((property) => property.type === 'hidden' && property.typeOptions?.expirable === true)?.name;
		if (expirable === undefined || typeof credentialType.preAuthentication !== 'function') return undefined;
		if (credentials[expirable] !== '' && !credentialsExpired) return undefined;
		const output = (await credentialType.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable] === undefined) return undefined;
		const reference = node.credentials?.[credentialType.name];
		if (reference === undefined) return undefined;
		await this.updateCredentials(reference, credentialType.name, { ...this.store.readRow(reference, credentialType.name), ...output });
		return Object.assign(credentials, output);
	}

	async updateCredentials(nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.store.writeRow(nodeCredentials, type, data);
	}

	/** Only n8n's CLI calls this (n8n-core reads credentials through getDecrypted). */
	async getCredentials(): Promise<never> {
		throw new UnexpectedError('getCredentials is not called by n8n-core');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialType(type).properties;
	}

	/** n8n-core asks this to pick the OAuth request path; no credential here extends another. */
	getParentTypes(): string[] {
		return [];
	}

	/** No credential here is restricted to some nodes (`restrictToSupportedNodes`). */
	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Only n8n-core's OAuth2 client-credentials path calls this. */
	async runPreAuthentication(): Promise<never> {
		throw new UnexpectedError('OAuth credentials are not supported by the in-process harness');
	}

	/** Only n8n-core's OAuth paths call this. */
	async updateCredentialsOauthTokenData(): Promise<never> {
		throw new UnexpectedError('OAuth credentials are not supported by the in-process harness');
	}
}
