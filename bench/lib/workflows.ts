/**
 * Workflow and credential JSON for the benchmarks: the Smartcar nodes and, side by side, what a builder would
 * wire with n8n's own nodes (HTTP Request with n8n's generic OAuth2 credential, with the predefined Smartcar
 * credential, or after a hand-made token request; the Webhook node with header auth).
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { simulatorSettings, smartcarCredential as smartcarCredentialFor } from '../../tooling/n8n/smartcar-workflows';
import type { CredentialJson, WorkflowJson, WorkflowNodeJson } from '../../tooling/n8n/n8n-instance';
import type { Simulator } from '../../tooling/simulator';

export const SIGNAL_CODE = 'tractionbattery-stateofcharge';
export const SMARTCAR_NODE = 'n8n-nodes-smartcar.smartcar';
export const SMARTCAR_TRIGGER = 'n8n-nodes-smartcar.smartcarTrigger';
export const HEADER_AUTH = { name: 'X-Bench-Auth', value: 'bench-header-secret-0123456789' } as const;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 16-character id, the shape n8n gives workflows and credentials. */
export function entityId(): string {
	return Array.from(randomBytes(16), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

export interface CredentialRef {
	id: string;
	name: string;
}

export function refOf(credential: CredentialJson): CredentialRef {
	return { id: credential.id, name: credential.name };
}

/** The package's credential pointed at a simulator (environment Custom), with no stored token: a fresh credential. */
export function smartcarCredential(sim: Simulator, name: string): CredentialJson {
	return smartcarCredentialFor({ id: entityId(), name }, simulatorSettings(sim));
}

/**
 * n8n's generic OAuth2 credential (n8n-nodes-base OAuth2Api) in client-credentials mode, sending the client ID
 * and secret in the form body as Smartcar expects.
 */
export function oauth2Credential(sim: Simulator, name: string): CredentialJson {
	return {
		id: entityId(),
		name,
		type: 'oAuth2Api',
		data: {
			useDynamicClientRegistration: false,
			grantType: 'clientCredentials',
			accessTokenUrl: sim.tokenUrl,
			clientId: sim.settings.clientId,
			clientSecret: sim.settings.clientSecrets[0],
			scope: '',
			authentication: 'body',
		},
	};
}

export function headerAuthCredential(name: string): CredentialJson {
	return { id: entityId(), name, type: 'httpHeaderAuth', data: { name: HEADER_AUTH.name, value: HEADER_AUTH.value } };
}

function node(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Partial<WorkflowNodeJson> = {}): WorkflowNodeJson {
	return { id: randomUUID(), name, type, typeVersion, position: [0, 0], parameters, ...extra };
}

/** Links the nodes one after the other and lays them out left to right. */
export function linearWorkflow(name: string, nodes: WorkflowNodeJson[], settings: Record<string, unknown> = {}): WorkflowJson {
	const connections: Record<string, unknown> = {};
	nodes.forEach((current, index) => {
		current.position = [index * 240, 0];
		const next = nodes[index + 1];
		if (next) connections[current.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return {
		id: entityId(),
		name,
		nodes,
		connections,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all', ...settings },
		active: false,
	};
}

/**
 * A Webhook node at `/webhook/<path>`. `lastNode` answers with the last node's first item when the run ends
 * (500 when it fails), so the caller sees user-visible failures (`allEntries`: every item of it, as a JSON array);
 * `onReceived` answers at once.
 */
export function webhookTrigger(path: string, options: { responseMode: 'lastNode' | 'onReceived'; headerAuth?: CredentialRef; allEntries?: boolean }): WorkflowNodeJson {
	const parameters: Record<string, unknown> = { httpMethod: 'POST', path, responseMode: options.responseMode, options: {} };
	if (options.responseMode === 'lastNode') parameters.responseData = options.allEntries ? 'allEntries' : 'firstEntryJson';
	if (options.headerAuth) parameters.authentication = 'headerAuth';
	return node('Webhook', 'n8n-nodes-base.webhook', 2.1, parameters, {
		webhookId: randomUUID(),
		...(options.headerAuth ? { credentials: { httpHeaderAuth: options.headerAuth } } : {}),
	});
}

export interface Row {
	userId: string;
	vehicleId: string;
}

/** `count` rows cycling over the fleet's connections (each a user and one of their vehicles). */
export function rowsFor(sim: Simulator, count: number): Row[] {
	const pairs = sim.fleet.connections.map((connection) => ({ userId: connection.userId, vehicleId: connection.vehicleId }));
	if (pairs.length === 0) throw new Error('the simulator fleet has no connections');
	return Array.from({ length: count }, (_, index) => pairs[index % pairs.length]);
}

/**
 * The items, generated inside the workflow so every variant gets identical input: a Set node (raw JSON, no
 * expression) holding the rows, and Split Out making one item per row.
 */
export function rowNodes(rows: Row[]): WorkflowNodeJson[] {
	return [
		node('Rows', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ rows }), options: {} }),
		node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'rows', include: 'noOtherFields', options: {} }),
	];
}

/** Smartcar → Signal → Get for the item's user and vehicle. */
export function smartcarSignalGet(credential: CredentialRef): WorkflowNodeJson {
	return node(
		'Call',
		SMARTCAR_NODE,
		1,
		{
			resource: 'signal',
			operation: 'get',
			userId: '={{ $json.userId }}',
			vehicleId: { __rl: true, mode: 'id', value: '={{ $json.vehicleId }}' },
			signalCode: SIGNAL_CODE,
		},
		{ credentials: { smartcarApi: credential } },
	);
}

/**
 * Smartcar → Signal → Get Many (one item per vehicle) for the item's user and vehicle, continuing on fail (an error
 * becomes an item); `requestsInFlight` unset keeps the node's default.
 */
export function smartcarSignalsGet(credential: CredentialRef, options: { requestsInFlight?: number }): WorkflowNodeJson {
	const nodeOptions: Record<string, unknown> = { output: 'perVehicle' };
	if (options.requestsInFlight !== undefined) nodeOptions.requestsInFlight = options.requestsInFlight;
	return node(
		'Call',
		SMARTCAR_NODE,
		1,
		{ resource: 'signal', operation: 'getAll', userId: '={{ $json.userId }}', vehicleId: { __rl: true, mode: 'id', value: '={{ $json.vehicleId }}' }, options: nodeOptions },
		{ credentials: { smartcarApi: credential }, onError: 'continueRegularOutput' },
	);
}

/**
 * n8n's HTTP Request node calling what Signal → Get Many calls (`GET /vehicles/{id}/signals`, sc-user-id header) with
 * the predefined Smartcar API credential, continuing on fail; `batching` as in its Options → Batching.
 */
export function httpSignalsGet(sim: Simulator, credential: CredentialRef, batching: { batchSize: number; batchIntervalMs: number } | undefined): WorkflowNodeJson {
	const call = httpSignalGet(sim, { kind: 'smartcarApi', credential }, { allSignals: true });
	if (batching) call.parameters.options = { batching: { batch: { batchSize: batching.batchSize, batchInterval: batching.batchIntervalMs } } };
	return { ...call, onError: 'continueRegularOutput' };
}

export type HttpAuth =
	| { kind: 'oauth2'; credential: CredentialRef }
	| { kind: 'smartcarApi'; credential: CredentialRef }
	/** A bearer header from the output of the node named "Token". */
	| { kind: 'tokenNode' };

/**
 * n8n's HTTP Request node calling the same endpoint as Smartcar → Signal → Get (same URL, same sc-user-id header), or
 * with `allSignals` the one of Signal → Get Many (`/signals`).
 */
export function httpSignalGet(sim: Simulator, auth: HttpAuth, options: { allSignals?: boolean } = {}): WorkflowNodeJson {
	const headers: Array<{ name: string; value: string }> = [{ name: 'sc-user-id', value: '={{ $json.userId }}' }];
	const parameters: Record<string, unknown> = {
		method: 'GET',
		url: `=${sim.apiBaseUrl}/vehicles/{{ $json.vehicleId }}/signals${options.allSignals ? '' : `/${SIGNAL_CODE}`}`,
		sendHeaders: true,
		specifyHeaders: 'keypair',
		headerParameters: { parameters: headers },
		options: {},
	};
	let credentials: WorkflowNodeJson['credentials'];
	if (auth.kind === 'oauth2') {
		parameters.authentication = 'genericCredentialType';
		parameters.genericAuthType = 'oAuth2Api';
		credentials = { oAuth2Api: auth.credential };
	} else if (auth.kind === 'smartcarApi') {
		parameters.authentication = 'predefinedCredentialType';
		parameters.nodeCredentialType = 'smartcarApi';
		credentials = { smartcarApi: auth.credential };
	} else {
		parameters.authentication = 'none';
		headers.push({ name: 'Authorization', value: "=Bearer {{ $('Token').first().json.access_token }}" });
	}
	return node('Call', 'n8n-nodes-base.httpRequest', 4.2, parameters, credentials ? { credentials } : {});
}

/** The hand-wired token request: an HTTP Request POSTing the client credentials to the token URL (once per execution). */
export function tokenRequest(sim: Simulator): WorkflowNodeJson {
	return node('Token', 'n8n-nodes-base.httpRequest', 4.2, {
		method: 'POST',
		url: sim.tokenUrl,
		authentication: 'none',
		sendBody: true,
		contentType: 'form-urlencoded',
		specifyBody: 'keypair',
		bodyParameters: {
			parameters: [
				{ name: 'grant_type', value: 'client_credentials' },
				{ name: 'client_id', value: sim.settings.clientId },
				{ name: 'client_secret', value: sim.settings.clientSecrets[0] },
			],
		},
		options: {},
	});
}

/**
 * The Smartcar Trigger (vehicle events, VEHICLE_STATE) alone, at version 2 (what a new node gets) unless `typeVersion`
 * says otherwise; its production path is `<webhookId>/webhook`.
 */
export function smartcarTrigger(
	credential: CredentialRef,
	options: { deduplicate: boolean; typeVersion?: number; respond?: 'onReceived' | 'lastNode' },
): { node: WorkflowNodeJson; path: string } {
	const webhookId = randomUUID();
	const triggerOptions: Record<string, unknown> = options.deduplicate ? {} : { deduplicate: false };
	if (options.respond) triggerOptions.respond = options.respond;
	const trigger = node(
		'Smartcar Trigger',
		SMARTCAR_TRIGGER,
		options.typeVersion ?? 2,
		{ trigger: 'vehicleEvents', events: ['VEHICLE_STATE'], options: triggerOptions },
		{ webhookId, credentials: { smartcarApi: credential } },
	);
	return { node: trigger, path: `${webhookId}/webhook` };
}

/** The webhook path of a workflow's first node (Webhook: its `path`; Smartcar Trigger: `<webhookId>/webhook`). */
export function pathOf(workflow: WorkflowJson): string {
	const first = workflow.nodes[0];
	if (first.type === SMARTCAR_TRIGGER) return `${String(first.webhookId)}/webhook`;
	const path = first.parameters.path;
	if (typeof path !== 'string') throw new Error(`workflow ${workflow.name} starts with no webhook path`);
	return path;
}
