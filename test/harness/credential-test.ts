/**
 * The editor's "Test" button for a credential with `test: { request }`, as the n8n 2.41.1 CLI's CredentialsTester
 * runs it (services/credentials-tester.service.js runRequestTest): n8n-core's RoutingNode sends the test request from
 * a temporary node through httpRequestWithAuthentication (preAuthentication → authenticate → a real HTTP request; a
 * 401 → preAuthentication again and one retry), and a failure becomes the message n8n shows. The tester's temporary
 * node is typed `noOp`, so the CLI's "force preAuthentication for a credential test" branch (which checks
 * `n8n-nodes-base.noOp`) never matches in 2.41.1: preAuthentication runs only when the token is '' or after a 401.
 * Not here: the test `rules` (this package's credential has none), test functions on nodes.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	createEmptyRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type ICredentialType,
	type ICredentialsDecrypted,
	type INode,
	type INodeCredentialTestResult,
	type INodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { roundTrip, type CredentialStore, type CredentialWrite } from './credential-store';
import { HarnessCredentialsHelper, withDefaults } from './credentials-helper';
import { createAdditionalData } from './n8n-environment';

export interface TestCredentialOptions {
	/**
	 * The credential data the editor sends with "Test" / "Save" (n8n tests the form's data merged with the stored
	 * secrets, not the DB row). Default: the stored data. A never-saved credential has `accessToken: ''`.
	 */
	data?: ICredentialDataDecryptedObject;
}

export interface TestCredentialResult extends INodeCredentialTestResult {
	/** The store writes the test caused (preAuthentication saving a token). */
	writes: CredentialWrite[];
}

/** The tester's helper: the tested data for every read; raw reads (saving a token) still go to the store. */
class TestedCredentialsHelper extends HarnessCredentialsHelper {
	constructor(
		store: CredentialStore,
		type: ICredentialType,
		private readonly tested: ICredentialDataDecryptedObject,
	) {
		super(store, { [type.name]: type });
	}

	async getDecrypted(...args: Parameters<HarnessCredentialsHelper['getDecrypted']>): Promise<ICredentialDataDecryptedObject> {
		return args[5] === true ? await super.getDecrypted(...args) : this.tested;
	}
}

/** Tests the store's credential of `credentialType` as the editor's Test button does. */
export async function testCredential(
	credentialType: ICredentialType,
	store: CredentialStore,
	options: TestCredentialOptions = {},
): Promise<TestCredentialResult> {
	const writesBefore = store.writes.length;
	const details = store.details(credentialType.name);
	const stored = store.get(credentialType.name);
	if (!credentialType.test || details === undefined || stored === undefined) throw new Error(`No testable "${credentialType.name}" credential in the store`);
	// prepareCredentialsForTest: the tested data with the properties' defaults.
	const data = withDefaults(credentialType.properties, roundTrip(options.data ?? stored));
	const tested: ICredentialsDecrypted = { ...details, type: credentialType.name, data };
	const additionalData = createAdditionalData({ credentialsHelper: new TestedCredentialsHelper(store, credentialType, data) });
	const result = await runTestRequest(credentialType.test, tested, additionalData);
	return { ...result, writes: store.writes.slice(writesBefore) };
}

/** runRequestTest: the temporary node sends the test request; success or n8n's error message. */
async function runTestRequest(
	testRequest: ICredentialTestRequest,
	tested: ICredentialsDecrypted,
	additionalData: IWorkflowExecuteAdditionalData,
): Promise<INodeCredentialTestResult> {
	const { node, nodeType, workflow } = temporaryWorkflow(testRequest, tested);
	additionalData.currentNodeParameters = node.parameters;
	const runData = createEmptyRunExecutionData();
	const context = new ExecuteContext(workflow, node, additionalData, 'internal', runData, 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
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
		type: 'noOp',
		typeVersion: 1,
		position: [0, 0],
		credentials: { [tested.type]: { id: tested.id, name: tested.name } },
	};
	const nodeType = {
		description: {
			displayName: 'No Operation, do nothing',
			name: 'noOp',
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing', color: '#b0b0b0' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: tested.type, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' }],
		},
	} as unknown as INodeType;
	const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return { node, nodeType, workflow };
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
