/**
 * The editor's "Test" button for a credential with `test: { request }`, following the n8n 2.41.1 CLI's
 * CredentialsTester (services/credentials-tester.service.js testCredentials → runRequestTest): the tested data
 * gets defaults and expressions applied, then n8n-core's RoutingNode sends the test request from a temporary
 * node through httpRequestWithAuthentication (preAuthentication → authenticate → a real HTTP request; a 401 →
 * preAuthentication again and one retry), and a failure becomes the message n8n shows.
 * Not emulated: the test `rules` (this package's credential has none), test functions on nodes.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	UnexpectedError,
	Workflow,
	createEmptyRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestRequest,
	type ICredentialType,
	type INode,
	type INodeCredentialTestResult,
	type INodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { MockNodeTypes, resolveCredentialData } from './credential-data';
import { roundTrip, type CredentialStore, type CredentialWrite } from './credential-store';
import { HarnessCredentialsHelper } from './credentials-helper';
import { createAdditionalData } from './n8n-environment';

export interface TestCredentialOptions {
	/**
	 * The credential data the editor sends with "Test" / "Save" (n8n tests the form's data merged with the stored
	 * secrets, not the DB row). Default: the stored data. A never-saved credential has `accessToken: ''`.
	 */
	data?: ICredentialDataDecryptedObject;
	/** Instance base URL for the additional data. */
	baseUrl?: string;
}

export interface TestCredentialResult extends INodeCredentialTestResult {
	/** The store writes the test caused (preAuthentication persisting a token). */
	writes: CredentialWrite[];
}

/**
 * The tester's temporary node is typed with the loaded NoOp's short name `noOp`, so the CLI's "force
 * preAuthentication for a credential test" branch (which checks `n8n-nodes-base.noOp`) never matches in 2.41.1:
 * preAuthentication runs only when the stored token is '' or after a 401.
 */
const TEMP_NODE_TYPE = 'noOp';

/** Tests the store's credential of `credentialType` as the editor's Test button does. */
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
	const helper = new HarnessCredentialsHelper(store, { [typeName]: credentialType });
	if (!credentialType.test) return { status: 'Error', message: 'No testing function found for this credential.' };
	const details = store.details(typeName);
	const storedData = store.get(typeName);
	if (details === undefined || storedData === undefined) {
		throw new UnexpectedError(`The store has no "${typeName}" credential`);
	}
	const tested: ICredentialsDecrypted = { ...details, type: typeName, data: roundTrip(options.data ?? storedData) };
	const additionalData = createAdditionalData({ credentialsHelper: helper, baseUrl: options.baseUrl });
	try {
		// prepareCredentialsForTest
		tested.data = await resolveCredentialData(tested.data ?? {}, {
			additionalData,
			properties: credentialType.properties,
			mode: 'internal',
		});
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	additionalData.credentialsHelper = answeringWith(helper, tested.data);
	return await runTestRequest(credentialType.test, tested, additionalData);
}

/** runRequestTest: the temporary node sends the test request; success or n8n's error message. */
async function runTestRequest(
	testRequest: ICredentialTestRequest,
	tested: ICredentialsDecrypted,
	additionalData: IWorkflowExecuteAdditionalData,
): Promise<INodeCredentialTestResult> {
	const { node, nodeType, workflow } = temporaryWorkflow(testRequest, tested);
	additionalData.currentNodeParameters = node.parameters;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	await workflow.expression.acquireIsolate();
	try {
		await new RoutingNode(context, nodeType, tested).runNode();
	} catch (error) {
		return testFailure(error as TestRequestError);
	} finally {
		await workflow.expression.releaseIsolate();
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** A one-node workflow whose node has a single property routed to the credential's test request. */
function temporaryWorkflow(testRequest: ICredentialTestRequest, tested: ICredentialsDecrypted) {
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: TEMP_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [tested.type]: { id: tested.id, name: tested.name } },
	};
	const nodeType = {
		description: {
			displayName: 'No Operation, do nothing',
			name: TEMP_NODE_TYPE,
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing', color: '#b0b0b0' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: tested.type, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' },
			],
		},
	} as unknown as INodeType;
	const nodeTypes = new MockNodeTypes();
	nodeTypes.nodesData[TEMP_NODE_TYPE] = nodeType;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return { node, nodeType, workflow };
}

/** The tester answers getDecrypted with the tested data; raw reads (persisting a token) still hit the store. */
function answeringWith(helper: HarnessCredentialsHelper, data: ICredentialDataDecryptedObject): HarnessCredentialsHelper {
	return new Proxy(helper, {
		get(target, prop, receiver) {
			if (prop === 'getDecrypted') {
				return async (...args: Parameters<HarnessCredentialsHelper['getDecrypted']>) =>
					args[5] === true ? await target.getDecrypted(...args) : data;
			}
			const value: unknown = Reflect.get(target, prop, receiver);
			return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
		},
	});
}

type TestRequestError = Error & { cause?: { response?: { status: number; statusText?: string }; code?: string } };

/** runRequestTest's catch: the HTTP status text (or code), a network error code, or the error message. */
function testFailure(error: TestRequestError): INodeCredentialTestResult {
	const response = error.cause?.response;
	if (response && (response.status < 199 || response.status > 299)) {
		return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
	}
	if (!response && error.cause?.code) return { status: 'Error', message: error.cause.code };
	return { status: 'Error', message: error.message.toString() };
}
