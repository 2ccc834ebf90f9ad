/**
 * 1. Token economy. N executions × M items of "read one signal" per batch, started through published Webhook
 * workflows (answering when the run ends, so a failed run is a user-visible failure), for three ways to
 * authenticate the same API call:
 *   (a) the Smartcar node (Signal → Get) with the package's credential;
 *   (b) n8n's HTTP Request node with n8n's generic OAuth2 credential in client-credentials mode;
 *   (c) the hand-wired chain: an HTTP Request POSTing to the token URL each execution, then an HTTP Request with
 *       `Authorization: Bearer {{ $('Token').first().json.access_token }}`.
 * Batch 1 runs on a fresh credential (one token lifetime); then `sim.expireTokens()`; batch 2 runs across the
 * expiry. Each (repetition, variant) has its own simulator, so a credential is fresh in every repetition (the
 * package's per-process token cache is keyed by token URL) and counts never mix.
 */
import type { CredentialJson, N8nInstance, WorkflowJson } from '../../tooling/n8n/n8n-instance';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { runBatch, type BatchResult } from '../lib/batch';
import { progress, type Cleanup } from '../lib/util';
import {
	httpSignalGet,
	linearWorkflow,
	oauth2Credential,
	refOf,
	rowNodes,
	rowsFor,
	smartcarCredential,
	smartcarSignalGet,
	tokenRequest,
	webhookTrigger,
} from '../lib/workflows';

export const TOKEN_VARIANTS = ['smartcar', 'oauth2', 'chain'] as const;
export type TokenVariant = (typeof TOKEN_VARIANTS)[number];

export const TOKEN_VARIANT_LABELS: Record<TokenVariant, string> = {
	smartcar: '(a) Smartcar node, Smartcar API credential',
	oauth2: '(b) HTTP Request, generic OAuth2 (client credentials)',
	chain: '(c) token request + HTTP Request (hand-wired)',
};

export type { BatchResult } from '../lib/batch';

export interface TokenRun {
	variant: TokenVariant;
	rep: number;
	fresh: BatchResult;
	afterExpiry: BatchResult;
}

export interface TokenResults {
	executions: number;
	items: number;
	concurrency: number;
	runs: TokenRun[];
}

interface Plan {
	variant: TokenVariant;
	rep: number;
	sim: Simulator;
	workflow: WorkflowJson;
}

export interface TokenSection {
	workflows: WorkflowJson[];
	credentials: CredentialJson[];
	run(n8n: N8nInstance): Promise<TokenResults>;
}

export async function prepareTokenSection(options: { reps: number; executions: number; items: number; concurrency: number }, cleanup: Cleanup): Promise<TokenSection> {
	const plans: Plan[] = [];
	const credentials: CredentialJson[] = [];
	for (let rep = 1; rep <= options.reps; rep++) {
		for (const variant of TOKEN_VARIANTS) {
			const sim = await startSimulator({ fleet: createFleet({ seed: `bench-token-${rep}`, users: [{ vehicles: 3, powertrain: 'BEV' }] }), requestLogLimit: 100_000 });
			cleanup.add(`simulator ${sim.url}`, async () => await sim.close());
			const path = `bench-token-${variant}-r${rep}`;
			const rows = rowNodes(rowsFor(sim, options.items));
			let workflow: WorkflowJson;
			if (variant === 'smartcar') {
				const credential = smartcarCredential(sim, `Bench token smartcar r${rep}`);
				credentials.push(credential);
				workflow = linearWorkflow(`bench token ${variant} r${rep}`, [webhookTrigger(path, { responseMode: 'lastNode' }), ...rows, smartcarSignalGet(refOf(credential))]);
			} else if (variant === 'oauth2') {
				const credential = oauth2Credential(sim, `Bench token oauth2 r${rep}`);
				credentials.push(credential);
				workflow = linearWorkflow(`bench token ${variant} r${rep}`, [
					webhookTrigger(path, { responseMode: 'lastNode' }),
					...rows,
					httpSignalGet(sim, { kind: 'oauth2', credential: refOf(credential) }),
				]);
			} else {
				workflow = linearWorkflow(`bench token ${variant} r${rep}`, [
					webhookTrigger(path, { responseMode: 'lastNode' }),
					tokenRequest(sim),
					...rows,
					httpSignalGet(sim, { kind: 'tokenNode' }),
				]);
			}
			plans.push({ variant, rep, sim, workflow });
		}
	}

	const batch = async (n8n: N8nInstance, plan: Plan): Promise<BatchResult> =>
		await runBatch(n8n, plan, { section: 'token', executions: options.executions, concurrency: options.concurrency, capMs: 120_000 });

	return {
		workflows: plans.map((plan) => plan.workflow),
		credentials,
		async run(n8n: N8nInstance): Promise<TokenResults> {
			const runs: TokenRun[] = [];
			for (let rep = 1; rep <= options.reps; rep++) {
				// Rotate the order per repetition so no variant always runs first.
				const order = TOKEN_VARIANTS.map((_, i) => TOKEN_VARIANTS[(i + rep - 1) % TOKEN_VARIANTS.length]);
				for (const variant of order) {
					const plan = plans.find((candidate) => candidate.rep === rep && candidate.variant === variant);
					if (!plan) continue;
					const fresh = await batch(n8n, plan);
					plan.sim.expireTokens();
					const afterExpiry = await batch(n8n, plan);
					runs.push({ variant, rep, fresh, afterExpiry });
					progress(
						'token',
						`r${rep} ${variant}: fresh ${fresh.exchanges} exchange(s), ${fresh.apiRequests} API calls, ${fresh.failedRequests} non-2xx, ${fresh.executionsFailed} failed run(s); ` +
							`after expiry ${afterExpiry.exchanges} exchange(s), ${afterExpiry.apiRequests} API calls, ${afterExpiry.failedRequests} non-2xx, ${afterExpiry.executionsFailed} failed run(s)`,
					);
				}
			}
			return { executions: options.executions, items: options.items, concurrency: options.concurrency, runs };
		},
	};
}
