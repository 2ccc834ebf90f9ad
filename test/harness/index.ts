/**
 * In-process n8n test harness (n8n-core 2.41.1 / n8n-workflow 2.41.0, semantics of the n8n 2.41.1 CLI).
 *
 *   runWorkflow(json, { nodeTypes, credentialTypes, credentials, triggerItems })  → real WorkflowExecute run
 *   new CredentialStore({ smartcarApi: {...} })                                    → credential "table" + writes log
 *   testCredential(new SmartcarApi(), store)                                        → the editor's "Test" button
 *   shutdownHarness()                                                               → afterAll cleanup
 *
 * HTTP from nodes (`helpers.httpRequest`, `httpRequestWithAuthentication`) is real: point credentials at a
 * loopback server.
 */
export { CredentialStore, type CredentialWrite } from './credential-store';
export { HarnessCredentialTypes } from './credential-types';
export { HarnessCredentialsHelper } from './credentials-helper';
export { testCredential, type TestCredentialOptions, type TestCredentialResult } from './credential-test';
export {
	Container,
	DEFAULT_BASE_URL,
	HarnessNodeTypes,
	createAdditionalData,
	ensureN8nEnvironment,
	shutdownHarness,
	type AdditionalDataOptions,
	type NodeTypeClasses,
} from './n8n-environment';
export { runWorkflow, type RunWorkflowOptions, type RunWorkflowResult, type WorkflowJson } from './run-workflow';
export {
	HARNESS_START_TYPE,
	HarnessStart,
	createFunctionNode,
	harnessNodeTypes,
	type HarnessFunction,
} from './test-nodes';
