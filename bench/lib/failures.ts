/** What made an execution fail, read back through n8n's public API (for the report: a failure is a finding). */
import type { N8nApiClient } from '../../tooling/n8n/n8n-instance';

export async function lastFailure(api: N8nApiClient, workflowId: string): Promise<string | undefined> {
	try {
		let failed = await api.listExecutions(workflowId, { status: 'error', limit: 5 });
		// In queue mode the answer can come before the failed run is saved.
		for (let attempt = 0; attempt < 10 && failed.length === 0; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			failed = await api.listExecutions(workflowId, { status: 'error', limit: 5 });
		}
		const latest = failed[0];
		if (!latest) return undefined;
		const detail = await api.getExecution(latest.id, true);
		const result = detail.data?.resultData;
		const node = result?.lastNodeExecuted;
		const nodeError = node ? result?.runData[node]?.[0]?.error : undefined;
		const error = nodeError ?? result?.error;
		const description = typeof error?.description === 'string' ? ` (${error.description})` : '';
		return `${node ?? 'workflow'}: ${error?.message ?? 'unknown error'}${description}`.slice(0, 400);
	} catch (error) {
		return `could not read the failed execution: ${error instanceof Error ? error.message : String(error)}`;
	}
}
