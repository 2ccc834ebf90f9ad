/**
 * In-process n8n for the Smartcar node's specs (n8n-core 2.41.1 / n8n-workflow 2.41.0, semantics of the n8n 2.41.1
 * CLI where n8n-core leaves a piece to the CLI):
 *
 *   runWorkflow(json, { nodeTypes, credentialTypes, credentials, triggerItems })  → n8n-core's WorkflowExecute
 *   new CredentialStore({ smartcarApi: {...} })                                    → credential "table" + writes log
 *   testCredential(new SmartcarApi(), store)                                        → the editor's "Test" button
 *   shutdownHarness()                                                               → afterAll cleanup
 *
 * HTTP from nodes (`helpers.httpRequest`, `httpRequestWithAuthentication`) is real: point credentials at a
 * loopback server. n8n's server (webhooks, executions, saving) is the real n8n of test/e2e, never emulated here.
 */
export { CredentialStore } from './credential-store';
export { HarnessCredentialsHelper } from './credentials-helper';
export { testCredential } from './credential-test';
export { Container, DEFAULT_BASE_URL, HarnessNodeTypes, createAdditionalData, requireFromCore, shutdownHarness } from './n8n-environment';
export { runWorkflow, type RunWorkflowResult, type WorkflowJson } from './run-workflow';
