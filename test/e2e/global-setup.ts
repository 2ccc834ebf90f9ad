/**
 * Before any real-n8n spec: make sure Node 24 and the pinned n8n versions (2.41.1 and the last 1.x) are in the cache. A cold install takes minutes,
 * more than any single spec's set-up timeout allows, so it happens here, once per jest project, without a timeout
 * of its own (each install step is bounded inside ensureN8n).
 */
import { ensureN8n, N8N_1X_VERSION } from '../../tooling/n8n/n8n-install';

export default async function globalSetup(): Promise<void> {
	await ensureN8n();
	await ensureN8n(N8N_1X_VERSION);
}
