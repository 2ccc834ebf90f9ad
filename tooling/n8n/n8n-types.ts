/** Shapes of the JSON the harness imports into n8n and reads back from its public API (the parts tests use). */

export interface WorkflowNodeJson {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

/** A workflow as `n8n import:workflow` reads it. Give it an `id` so it can be published and queried. */
export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNodeJson[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

/** A credential as `n8n import:credentials` reads it: plaintext `data`, which n8n encrypts on import. */
export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
	[key: string]: unknown;
}

export type ExecutionStatus = 'canceled' | 'crashed' | 'error' | 'new' | 'running' | 'success' | 'unknown' | 'waiting';

/** One execution as the public API lists it. */
export interface ExecutionSummary {
	id: string;
	finished: boolean;
	mode: string;
	status: ExecutionStatus;
	startedAt: string | null;
	stoppedAt: string | null;
	workflowId: string;
	retryOf?: string | null;
	waitTill?: string | null;
}

export interface NodeItemJson {
	json: Record<string, unknown>;
	pairedItem?: unknown;
	[key: string]: unknown;
}

export interface NodeRunJson {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	data?: { main?: Array<NodeItemJson[] | null> };
	error?: { message?: string; [key: string]: unknown };
	[key: string]: unknown;
}

export interface ExecutionDataJson {
	resultData: {
		runData: Record<string, NodeRunJson[]>;
		lastNodeExecuted?: string;
		error?: { message?: string; [key: string]: unknown };
	};
	[key: string]: unknown;
}

/** One execution with `includeData=true`. */
export interface ExecutionDetail extends ExecutionSummary {
	data?: ExecutionDataJson;
	workflowData?: WorkflowJson;
}

export interface ExecutionList {
	data: ExecutionDetail[];
	nextCursor: string | null;
}

/** The items a node output on its first main output in its first (or given) run. */
export function nodeOutput(execution: ExecutionDetail, nodeName: string, run = 0, output = 0): Array<Record<string, unknown>> {
	const runs = execution.data?.resultData.runData[nodeName];
	if (!runs) {
		const ran = Object.keys(execution.data?.resultData.runData ?? {}).join(', ');
		throw new Error(`execution ${execution.id} has no run of node "${nodeName}" (nodes that ran: ${ran || 'none'}; was it read with includeData?)`);
	}
	const items = runs[run]?.data?.main?.[output] ?? [];
	return items.map((item) => item.json);
}

/** Statuses after which an execution will not change any more. */
export const FINISHED_STATUSES: readonly ExecutionStatus[] = ['success', 'error', 'crashed', 'canceled'];
