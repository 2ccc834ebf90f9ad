/** The example workflows in examples/, prepared for import: fixed ids and the credential they use. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { smartcarCredential } from '../tooling/n8n/smartcar-workflows';
import type { CredentialJson, WorkflowJson, WorkflowNodeJson } from '../tooling/n8n/n8n-types';

export const EXAMPLES_DIR = join(__dirname, '..', 'examples');
export const DEMO_CREDENTIAL = { id: 'smartcarDemo', name: 'Smartcar (demo)' } as const;

export interface SimulatorEndpoints {
	tokenUrl: string;
	apiBaseUrl: string;
	connectUrl: string;
	/** Default: the simulator's Management API beside `apiBaseUrl` (`<origin>/management/v3`). */
	managementApiUrl?: string;
}

export function demoCredential(
	endpoints: SimulatorEndpoints,
	secrets: { clientId: string; clientSecret: string; managementToken: string },
): CredentialJson {
	return smartcarCredential(DEMO_CREDENTIAL, { ...secrets, ...endpoints });
}

/** `low-battery-alert.json` → id `exLowBatteryAlert`: stable, so re-imports replace instead of duplicating. */
export function exampleId(file: string): string {
	const words = file.replace(/\.json$/, '').split('-');
	return `ex${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}`.slice(0, 36);
}

/**
 * The examples, ready to import. With `n8nBaseUrl`, a Connect node's placeholder Redirect URI points at that n8n's
 * own Connect Redirect trigger, so the onboarding flow works end to end locally.
 */
export function loadExamples(n8nBaseUrl?: string): WorkflowJson[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WorkflowJson;
			const nodes = (workflow.nodes as WorkflowNodeJson[]).map((node) =>
				n8nBaseUrl && typeof node.parameters.redirectUri === 'string'
					? { ...node, parameters: { ...node.parameters, redirectUri: node.parameters.redirectUri.replace(/^https:\/\/n8n\.example\.com/, n8nBaseUrl) } }
					: node,
			);
			return { ...workflow, id: exampleId(file), nodes };
		});
}

/** The Smartcar Trigger of a workflow, and the production webhook path n8n registers for it. */
export function triggerPath(workflow: WorkflowJson, nodeType: string): string | undefined {
	const node = workflow.nodes.find((candidate) => candidate.type === nodeType);
	return node?.webhookId ? `${node.webhookId}/webhook` : undefined;
}

/**
 * The Production URL of the low battery alert's Smartcar Trigger on this n8n: the callback URI the simulator's seeded
 * webhook (DEFAULT_WEBHOOK_ID, the one `driver-onboarding.json` subscribes vehicles to) delivers to.
 */
export function lowBatteryTriggerUrl(workflows: WorkflowJson[], n8nBaseUrl: string): string | undefined {
	const lowBattery = workflows.find((workflow) => workflow.id === exampleId('low-battery-alert.json'));
	const path = lowBattery ? triggerPath(lowBattery, 'n8n-nodes-smartcar.smartcarTrigger') : undefined;
	return path ? `${n8nBaseUrl}/webhook/${path}` : undefined;
}

/**
 * The production webhooks the workflows register (path below `/webhook/` and HTTP method): n8n Webhook nodes and
 * Smartcar Triggers (`<webhookId>/webhook`; GET for Connect Redirect, POST for vehicle events). n8n answers its
 * readiness check before it has registered these, so wait for them before telling anyone to call them.
 */
export function webhookEndpoints(workflows: WorkflowJson[]): Array<{ path: string; method: string }> {
	return workflows.flatMap((workflow) =>
		workflow.nodes.flatMap((node) => {
			const parameters = node.parameters;
			if (node.type === 'n8n-nodes-base.webhook' && typeof parameters.path === 'string') {
				return [{ path: parameters.path, method: typeof parameters.httpMethod === 'string' ? parameters.httpMethod : 'GET' }];
			}
			if (node.type === 'n8n-nodes-smartcar.smartcarTrigger' && node.webhookId) {
				return [{ path: `${node.webhookId}/webhook`, method: parameters.trigger === 'connectRedirect' ? 'GET' : 'POST' }];
			}
			return [];
		}),
	);
}
