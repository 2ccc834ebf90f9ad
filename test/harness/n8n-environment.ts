/**
 * What n8n-core 2.41 needs around an in-process execution: the DI container services it looks up itself
 * (InstanceSettings, Logger, OutboundHttp for `helpers.httpRequest*`), a node-types registry like the CLI's
 * `NodeTypes`, and `IWorkflowExecuteAdditionalData` built like the CLI's `WorkflowExecuteAdditionalData.getBase()`
 * (packages/cli/dist/workflow-execute-additional-data.js).
 *
 * n8n-core 2.41.1 depends on its own copies of @n8n/di, @n8n/config and @n8n/backend-common
 * (node_modules/n8n-core/node_modules/@n8n/...); the top-level copies are older ones pulled in by @n8n/node-cli.
 * The DI container is a module-level singleton, so this file loads those packages from n8n-core's location to
 * get the same container n8n-core uses.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { ExternalSecretsProxy, InstanceSettings, UnrecognizedNodeTypeError } from 'n8n-core';
import {
	NodeHelpers,
	UnexpectedError,
	type ICredentialsHelper,
	type IDataObject,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

type DiModule = typeof import('@n8n/di');
type ConfigModule = typeof import('@n8n/config');
type BackendCommonModule = typeof import('@n8n/backend-common');

const coreDir = dirname(require.resolve('n8n-core/package.json'));

/** Loads a package the way n8n-core itself resolves it (its nested copy when it has one). */
export function requireFromCore<T>(id: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(require.resolve(id, { paths: [coreDir] })) as T;
}

/** The DI container n8n-core uses (`Container.get(OutboundHttp)`, `Container.get(InstanceSettings)`, …). */
export const Container: DiModule['Container'] = requireFromCore<DiModule>('@n8n/di').Container;

const ENCRYPTION_KEY = 'n8n-nodes-smartcar-test-harness';
let userFolder: string | undefined;

/**
 * Registers the DI services n8n-core looks up during an execution, without touching ~/.n8n: InstanceSettings
 * is built over a temporary folder (n8n would otherwise create ~/.n8n/config with a new encryption key).
 * Logger, ErrorReporter and OutboundHttp (with SSRF protection off, n8n's default) resolve by themselves.
 * Idempotent.
 */
export function ensureN8nEnvironment(): void {
	if (userFolder !== undefined) return;
	const { InstanceSettingsConfig, GlobalConfig } = requireFromCore<ConfigModule>('@n8n/config');
	// n8n's Logger prints every node error (ErrorReporter); keep test output clean unless N8N_LOG_LEVEL is set.
	if (!process.env.N8N_LOG_LEVEL) Container.get(GlobalConfig).logging.level = 'silent';
	const { Logger } = requireFromCore<BackendCommonModule>('@n8n/backend-common');
	userFolder = join(tmpdir(), `n8n-nodes-smartcar-harness-${process.pid}`);
	const n8nFolder = join(userFolder, '.n8n');
	mkdirSync(n8nFolder, { recursive: true });
	const config = Object.assign(new InstanceSettingsConfig(), {
		n8nFolder,
		userHome: userFolder,
		encryptionKey: ENCRYPTION_KEY,
		enforceSettingsFilePermissions: false,
	});
	Container.set(InstanceSettingsConfig, config);
	type InstanceSettingsArgs = ConstructorParameters<typeof InstanceSettings>;
	const instanceSettings = new InstanceSettings(
		config as unknown as InstanceSettingsArgs[0],
		Container.get(Logger) as unknown as InstanceSettingsArgs[1],
	);
	Container.set(InstanceSettings, instanceSettings);
}

/** Removes the temporary n8n folder. */
export function shutdownHarness(): void {
	if (userFolder !== undefined) {
		rmSync(userFolder, { recursive: true, force: true });
		userFolder = undefined;
	}
}

export type NodeTypeClasses = Record<string, INodeType | IVersionedNodeType>;

/**
 * A node-types registry keyed by full type name (`n8n-nodes-smartcar.smartcar`), like the CLI's NodeTypes for
 * programmatic nodes: versioned types resolve through n8n-workflow's NodeHelpers.getVersionedNodeType. Not here:
 * declarative nodes (the CLI gives them an execute() over RoutingNode) and the `…Tool` variants.
 */
export class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: NodeTypeClasses) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (type === undefined) {
			const [packageName, name] = nodeType.split('.');
			throw new UnrecognizedNodeTypeError(packageName, name ?? nodeType);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

export interface AdditionalDataOptions {
	credentialsHelper: ICredentialsHelper;
	/** Instance base URL with a trailing slash, e.g. `http://127.0.0.1:5678/` (n8n's WEBHOOK_URL). */
	baseUrl?: string;
	executionId?: string;
	workflowId?: string;
	variables?: IDataObject;
}

export const DEFAULT_BASE_URL = 'http://localhost:5678/';

/**
 * IWorkflowExecuteAdditionalData like WorkflowExecuteAdditionalData.getBase() in the 2.41.1 CLI: absolute URLs
 * (n8n-core builds `$resumeWebhookUrl` etc. from them and throws `Invalid URL` on empty strings), the credentials
 * helper, variables. Sub-workflow execution, agents and task runners (Code node) are not available.
 */
export function createAdditionalData(options: AdditionalDataOptions): IWorkflowExecuteAdditionalData {
	ensureN8nEnvironment();
	const base = withTrailingSlash(options.baseUrl ?? DEFAULT_BASE_URL);
	const unsupported = (what: string) => async (): Promise<never> => {
		throw new UnexpectedError(`${what} is not available in the in-process test harness`);
	};
	return {
		currentNodeExecutionIndex: 0,
		credentialsHelper: options.credentialsHelper,
		executeWorkflow: unsupported('Executing a sub-workflow'),
		restApiUrl: `${base}rest`,
		instanceBaseUrl: base,
		formWaitingBaseUrl: `${base}form-waiting`,
		formBaseUrl: `${base}form`,
		formTestBaseUrl: `${base}form-test`,
		webhookBaseUrl: `${base}webhook`,
		webhookWaitingBaseUrl: `${base}webhook-waiting`,
		webhookTestBaseUrl: `${base}webhook-test`,
		mcpBaseUrl: `${base}mcp`,
		mcpTestBaseUrl: `${base}mcp-test`,
		executionId: options.executionId,
		workflowId: options.workflowId,
		variables: options.variables ?? {},
		async getRuntimeCredential() {
			return undefined;
		},
		async getRunExecutionData() {
			return undefined;
		},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		startRunnerTask: unsupported('The Code node task runner'),
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
	};
}

export function withTrailingSlash(url: string): string {
	return url.endsWith('/') ? url : `${url}/`;
}
