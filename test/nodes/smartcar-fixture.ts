/**
 * Shared helpers for the Smartcar node specs: a simulator per spec file, credential stores pointing at it, and
 * Start → Smartcar workflows run through the in-process n8n harness. Nothing here mocks HTTP.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	NodeParameterValue,
} from 'n8n-workflow';

import { SmartcarApi } from '../../credentials/SmartcarApi.credentials';
import { clearTokenCache } from '../../credentials/smartcar-token';
import { clearRateLimiters } from '../../nodes/shared/rate-limiter';
import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { CredentialStore, runWorkflow, type RunWorkflowResult, type WorkflowJson } from '../harness';
import { DEFAULT_SETTINGS, type FaultRule, type RequestRecord, type SimConnection, type Simulator, type SimulatedResponse, type SimVehicle } from '../../tooling/simulator';

export const SMARTCAR_TYPE = 'n8n-nodes-smartcar.smartcar';
/** The simulator's application, as a simulator started without a client ID or secret has it. */
export const CLIENT_ID = DEFAULT_SETTINGS.clientId;
export const CLIENT_SECRET = DEFAULT_SETTINGS.clientSecrets[0];
export const MANAGEMENT_TOKEN = 'demo-management-token-9f3c2a';

export const nodeTypes = { [SMARTCAR_TYPE]: new Smartcar() };
export const credentialTypes = { smartcarApi: new SmartcarApi() };

export { clearTokenCache };

/** A resource locator value "By ID", as the editor stores it. */
export function byId(value: string): INodeParameters {
	return { __rl: true, mode: 'id', value };
}

/** Credential data as saved in the editor for the "Custom" environment pointing at the simulator. */
export function credentialData(
	sim: Simulator,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		clientId: CLIENT_ID,
		clientSecret: CLIENT_SECRET,
		applicationManagementToken: MANAGEMENT_TOKEN,
		environment: 'custom',
		tokenUrl: sim.tokenUrl,
		apiBaseUrl: sim.apiBaseUrl,
		connectUrl: sim.connectUrl,
		managementApiUrl: sim.managementApiUrl,
		accessToken: '',
		...overrides,
	};
}

/** A fresh credential "row" (one per test unless a test shares it on purpose, like n8n's DB). */
export function credentialStore(sim: Simulator, overrides: ICredentialDataDecryptedObject = {}): CredentialStore {
	return new CredentialStore({ smartcarApi: credentialData(sim, overrides) });
}

export interface SmartcarNodeOptions {
	/** `continueRegularOutput` is how a workflow stores Settings → On Error → Continue. */
	onError?: INode['onError'];
	name?: string;
	/** The node's version: 1 (workflows saved before version 2) unless told otherwise. */
	typeVersion?: number;
}

/** Start → Smartcar, the Smartcar node configured with `parameters`. */
export function smartcarWorkflow(parameters: INodeParameters, options: SmartcarNodeOptions = {}): WorkflowJson {
	const name = options.name ?? 'Smartcar';
	const smartcar: INode = {
		id: '2',
		name,
		type: SMARTCAR_TYPE,
		typeVersion: options.typeVersion ?? 1,
		position: [200, 0],
		parameters,
	};
	if (options.onError) smartcar.onError = options.onError;
	return {
		nodes: [{ id: '1', name: 'Start', type: 'harness.start', typeVersion: 1, position: [0, 0], parameters: {} }, smartcar],
		connections: { Start: { main: [[{ node: name, type: 'main', index: 0 }]] } },
	};
}

export interface RunSmartcarOptions extends SmartcarNodeOptions {
	store: CredentialStore;
	/** JSON of the items fed to the Smartcar node; default one empty item. */
	items?: IDataObject[];
	/** Stop the execution after this long (the editor's Stop button). */
	cancelAfterMs?: number;
}

/** Runs Start → Smartcar once. */
export async function runSmartcar(parameters: INodeParameters, options: RunSmartcarOptions): Promise<RunWorkflowResult> {
	return await runWorkflow(smartcarWorkflow(parameters, options), {
		nodeTypes,
		credentialTypes,
		credentials: options.store,
		triggerItems: (options.items ?? [{}]).map((json) => ({ json })),
		cancelAfterMs: options.cancelAfterMs,
	});
}

/** The JSON of the Smartcar node's output items. */
export function outputJson(result: RunWorkflowResult, nodeName = 'Smartcar'): IDataObject[] {
	return result.items(nodeName).map((item: INodeExecutionData) => item.json);
}

/** The execution error as a plain record (n8n keeps node errors in the run data as copies). */
export function errorOf(result: RunWorkflowResult): IDataObject {
	expect(result.error).toBeDefined();
	return JSON.parse(JSON.stringify(result.error)) as IDataObject;
}

/** Everything a user or a log could see of a run: run data, the error, the output items. */
export function visibleText(result: RunWorkflowResult): string {
	return JSON.stringify({ run: result.run, error: result.error ?? null, runData: result.runData });
}

/** Requests the simulator received for the Vehicle API (the token endpoint excluded). */
export function apiRequests(sim: Simulator): RequestRecord[] {
	return sim.stats.requests.filter((request) => request.path.startsWith('/v3'));
}

/** A canned Smartcar error for one path, with a known sc-request-id. */
export function fault(path: string | RegExp, response: SimulatedResponse, extra: Partial<FaultRule> = {}): FaultRule {
	return { path, status: response.status, body: response.body, headers: { ...response.headers }, ...extra };
}

/** The user's connections in the fleet, newest first (the order Smartcar lists them). */
export function connectionsOf(sim: Simulator, userId: string): SimConnection[] {
	return sim.fleet.connections
		.filter((connection) => connection.userId === userId)
		.sort((a, b) => b.connectedAt.localeCompare(a.connectedAt) || a.id.localeCompare(b.id));
}

export function vehicleById(sim: Simulator, vehicleId: string): SimVehicle {
	const vehicle = sim.fleet.vehicles.find((candidate) => candidate.id === vehicleId);
	if (!vehicle) throw new Error(`No vehicle ${vehicleId} in the fleet`);
	return vehicle;
}

/** The first vehicle of `userId` with the given powertrain, and its id. */
export function vehicleOf(sim: Simulator, userId: string, powertrains: string[] = ['BEV', 'PHEV', 'ICE', 'HEV']): SimVehicle {
	const ids = connectionsOf(sim, userId).map((connection) => connection.vehicleId);
	const vehicle = sim.fleet.vehicles.find((candidate) => ids.includes(candidate.id) && powertrains.includes(candidate.powertrainType));
	if (!vehicle) throw new Error(`User ${userId} has no ${powertrains.join('/')} vehicle`);
	return vehicle;
}

/** The flat connection item the README documents, built from the simulator's own fleet record. */
export function expectedConnection(sim: Simulator, connection: SimConnection): IDataObject {
	const vehicle = vehicleById(sim, connection.vehicleId);
	return {
		id: connection.id,
		userId: connection.userId,
		vehicleId: connection.vehicleId,
		connectedAt: connection.connectedAt,
		vehicle: {
			make: vehicle.make,
			model: vehicle.model,
			year: vehicle.year,
			mode: vehicle.mode,
			powertrainType: vehicle.powertrainType,
		},
		permissions: [...connection.permissions],
	};
}

/**
 * Resets the per-process token cache and the simulator's counters, faults and settings (those it started with, then
 * `settings`) between tests, and its Management API state: the seeded webhook only, no subscriptions.
 */
export function resetBetweenTests(sim: Simulator, settings: Parameters<Simulator['setOptions']>[0] = {}): void {
	clearTokenCache();
	clearRateLimiters();
	sim.clearFaults();
	sim.resetOptions();
	sim.setOptions(settings);
	sim.resetManagement();
	sim.resetStats();
}

/** A parameter value for an expression that reads a field of the input item. */
export function fromItem(field: string): NodeParameterValue {
	return `={{ $json.${field} }}`;
}

/** Milliseconds a promise took, with its value. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const started = Date.now();
	const value = await work();
	return { value, ms: Date.now() - started };
}
