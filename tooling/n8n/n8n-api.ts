/**
 * Talking to a running n8n: the owner account and an API key set up headless through n8n's REST API, then its
 * public API (`/api/v1/...`) for workflows and executions, and the webhook readiness probe.
 *
 * n8n 2.41.1: `POST /rest/owner/setup` {email, firstName, lastName, password} sets a cookie bound to the
 * `browser-id` header; `GET /rest/api-keys/scopes` lists the scopes the owner may grant; `POST /rest/api-keys`
 * takes {label (1-50 chars), scopes (non-empty), expiresAt (unix seconds or null)} (CreateApiKeyRequestDto) and
 * answers `data.rawApiKey`, sent as `X-N8N-API-KEY`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AxiosResponse, Method } from 'axios';

import { createLogger, seconds } from './logger';
import { http } from './n8n-process';
import { FINISHED_STATUSES, type ExecutionDetail, type ExecutionList, type ExecutionStatus, type ExecutionSummary } from './n8n-types';
import { pollUntil } from './process-utils';

const log = createLogger('n8n-api');

export const E2E_OWNER = {
	email: 'owner@e2e.n8n-nodes-smartcar.test',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Owner-Passw0rd!',
} as const;

export class N8nApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly body: unknown,
	) {
		super(message);
		this.name = 'N8nApiError';
	}
}

function bodySnippet(body: unknown): string {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

function unwrapData<T>(body: unknown): T {
	if (typeof body === 'object' && body !== null && 'data' in body) return (body as { data: T }).data;
	throw new Error(`expected a { data } body, got ${bodySnippet(body)}`);
}

/**
 * POST /rest/owner/setup, repeated while it answers 404: n8n 1.x reports ready (`/healthz/readiness`) a moment before
 * its REST routes are mounted.
 */
async function ownerSetupOnceMounted(baseUrl: string, browserId: string, timeoutMs = 60_000): Promise<AxiosResponse> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const response = await http.post(`${baseUrl}/rest/owner/setup`, E2E_OWNER, { headers: { 'browser-id': browserId } });
		if (response.status !== 404 || Date.now() > deadline) return response;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/**
 * Logs in as the owner, as the editor does: the headers (session cookie, browser id) for n8n's internal `/rest` API,
 * which the editor itself uses (e.g. to fill a resource locator's list).
 */
export async function editorSession(baseUrl: string): Promise<Record<string, string>> {
	const browserId = randomUUID();
	const response = await http.post(`${baseUrl}/rest/login`, { emailOrLdapLoginId: E2E_OWNER.email, password: E2E_OWNER.password }, { headers: { 'browser-id': browserId } });
	if (response.status !== 200) throw new N8nApiError(`login failed (${response.status}): ${bodySnippet(response.data)}`, response.status, response.data);
	const cookie = (response.headers['set-cookie'] ?? []).map((entry) => entry.split(';')[0]).join('; ');
	return { cookie, 'browser-id': browserId };
}

/** Sets up the owner (or logs in when a previous start of the same user folder already did) and creates an API key. */
export async function createOwnerAndApiKey(baseUrl: string): Promise<string> {
	const started = Date.now();
	const browserId = randomUUID();
	let response = await ownerSetupOnceMounted(baseUrl, browserId);
	if (response.status !== 200) {
		const setupStatus = response.status;
		response = await http.post(`${baseUrl}/rest/login`, { emailOrLdapLoginId: E2E_OWNER.email, password: E2E_OWNER.password }, { headers: { 'browser-id': browserId } });
		if (response.status !== 200) {
			throw new N8nApiError(`owner setup failed (${setupStatus}) and login failed (${response.status}): ${bodySnippet(response.data)}`, response.status, response.data);
		}
	}
	const setCookie = response.headers['set-cookie'] ?? [];
	const cookie = setCookie.map((entry) => entry.split(';')[0]).join('; ');
	if (!cookie) throw new Error('n8n set no auth cookie after owner setup/login');
	const headers = { cookie, 'browser-id': browserId };
	const scopesResponse = await http.get(`${baseUrl}/rest/api-keys/scopes`, { headers });
	if (scopesResponse.status !== 200) throw new N8nApiError(`GET /rest/api-keys/scopes: ${scopesResponse.status} ${bodySnippet(scopesResponse.data)}`, scopesResponse.status, scopesResponse.data);
	const scopes = unwrapData<string[]>(scopesResponse.data);
	const keyResponse = await http.post(`${baseUrl}/rest/api-keys`, { label: `e2e harness ${Date.now()}`, scopes, expiresAt: null }, { headers });
	if (keyResponse.status !== 200) throw new N8nApiError(`POST /rest/api-keys: ${keyResponse.status} ${bodySnippet(keyResponse.data)}`, keyResponse.status, keyResponse.data);
	const { rawApiKey } = unwrapData<{ rawApiKey?: unknown }>(keyResponse.data);
	if (typeof rawApiKey !== 'string') throw new Error(`POST /rest/api-keys answered no rawApiKey: ${bodySnippet(keyResponse.data)}`);
	log.info(`owner and API key (${scopes.length} scopes) set up in ${seconds(Date.now() - started)}`);
	return rawApiKey;
}

/** The API key is kept in the user folder so a restart of the same folder reuses it. */
export async function apiKeyFor(baseUrl: string, userFolder: string): Promise<string> {
	const file = join(userFolder, 'e2e-api-key.json');
	if (existsSync(file)) {
		const stored = (JSON.parse(readFileSync(file, 'utf8')) as { apiKey: string }).apiKey;
		const probe = await http.get(`${baseUrl}/api/v1/workflows?limit=1`, { headers: { 'X-N8N-API-KEY': stored } });
		if (probe.status === 200) return stored;
	}
	const apiKey = await createOwnerAndApiKey(baseUrl);
	writeFileSync(file, JSON.stringify({ apiKey }));
	return apiKey;
}

export interface ListExecutionsOptions {
	includeData?: boolean;
	status?: ExecutionStatus;
	/** 1-250; defaults to 250. */
	limit?: number;
}

/**
 * n8n's public API and webhook URLs. `apiBaseUrl` is the main instance; `webhookBaseUrl` is where production
 * webhooks are called (the main itself in regular mode, the webhook processor in queue mode).
 */
export class N8nApiClient {
	constructor(
		protected apiBaseUrl: string,
		protected webhookBaseUrl: string,
		protected apiKey = '',
	) {}

	/** `${webhookBaseUrl}/webhook/<path>`: the production URL of a published workflow's webhook. */
	webhookUrl(path: string): string {
		return `${this.webhookBaseUrl}/webhook/${path.replace(/^\/+/, '')}`;
	}

	/** A public-API call; `path` is relative to `/api/v1` (a leading `/api/v1` is accepted too). Returns the status and body. */
	async apiRaw(method: Method, path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
		if (!this.apiKey) throw new Error('no API key yet: the instance is not started');
		const relative = path.startsWith('/api/v1') ? path : `/api/v1${path.startsWith('/') ? '' : '/'}${path}`;
		const response = await http.request({
			method,
			url: `${this.apiBaseUrl}${relative}`,
			data: body,
			headers: { 'X-N8N-API-KEY': this.apiKey, accept: 'application/json' },
		});
		return { status: response.status, data: response.data as unknown };
	}

	/** A public-API call that must answer 2xx; returns the body. */
	async api<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
		const { status, data } = await this.apiRaw(method, path, body);
		if (status < 200 || status > 299) throw new N8nApiError(`${method.toUpperCase()} ${path} answered ${status}: ${bodySnippet(data)}`, status, data);
		return data as T;
	}

	/**
	 * Publishes (activates) a workflow through the public API, `POST /workflows/{id}/publish` (n8n 1.x:
	 * `/activate`): n8n validates it as
	 * the editor's Publish button does (a workflow n8n would refuse fails here with n8n's message) and registers its
	 * webhooks at once. Much faster than `n8n publish:workflow` (one CLI start per workflow) when several are needed.
	 */
	async publishWorkflow(id: string): Promise<void> {
		const path = `/workflows/${encodeURIComponent(id)}`;
		const { status, data } = await this.apiRaw('POST', `${path}/publish`, {});
		// n8n 1.x has no publish endpoint: its public API activates a workflow with POST /workflows/{id}/activate.
		if (status === 404 || status === 405) {
			await this.api('POST', `${path}/activate`, {});
			return;
		}
		if (status < 200 || status > 299) throw new N8nApiError(`POST ${path}/publish answered ${status}: ${bodySnippet(data)}`, status, data);
	}

	/** Finished executions (n8n's list leaves running ones out unless asked for status=running), newest first. */
	async listExecutions(workflowId?: string, options: ListExecutionsOptions = {}): Promise<ExecutionDetail[]> {
		const query = new URLSearchParams({ limit: String(options.limit ?? 250), includeData: String(options.includeData ?? false) });
		if (workflowId) query.set('workflowId', workflowId);
		if (options.status) query.set('status', options.status);
		const list = await this.api<ExecutionList>('GET', `/executions?${query.toString()}`);
		return list.data;
	}

	async getExecution(id: string, includeData = true): Promise<ExecutionDetail> {
		return await this.api<ExecutionDetail>('GET', `/executions/${encodeURIComponent(id)}?includeData=${String(includeData)}`);
	}

	/**
	 * Waits until the workflow has at least `count` finished executions; returns them oldest first, with their
	 * data. Throws after timeoutMs, saying how many there were.
	 */
	async waitForExecutions(workflowId: string, count: number, timeoutMs = 60_000): Promise<ExecutionDetail[]> {
		let seen: ExecutionSummary[] = [];
		const finished = await pollUntil(
			`${count} finished execution(s) of workflow ${workflowId}`,
			timeoutMs,
			500,
			async () => {
				seen = await this.listExecutions(workflowId);
				const done = seen.filter((execution) => FINISHED_STATUSES.includes(execution.status));
				return done.length >= count ? done : undefined;
			},
			() => `executions seen: ${JSON.stringify(seen.map(({ id, status }) => ({ id, status })))}`,
		);
		const ordered = [...finished].sort((a, b) => Number(a.id) - Number(b.id));
		return await Promise.all(ordered.map(async (execution) => await this.getExecution(execution.id, true)));
	}

	/**
	 * Waits until n8n has registered a production webhook, probing with the CORS preflight n8n answers for it
	 * (with an Origin header): 2.41.1 answers 500 ("not registered") until the workflow's webhooks are
	 * registered, then 204 with `Access-Control-Allow-Methods: OPTIONS, <method>`. (Without an Origin header it
	 * answers 204 for any path, so that alone proves nothing.)
	 */
	async waitForWebhook(path: string, options: { method?: string; timeoutMs?: number; baseUrl?: string } = {}): Promise<void> {
		const started = Date.now();
		const url = options.baseUrl ? `${options.baseUrl}/webhook/${path.replace(/^\/+/, '')}` : this.webhookUrl(path);
		const method = options.method ?? 'POST';
		let lastStatus = 0;
		await pollUntil(
			`the webhook ${method} ${url} to be registered`,
			options.timeoutMs ?? 90_000,
			500,
			async () => {
				const response = await http.request({
					method: 'OPTIONS',
					url,
					timeout: 5_000,
					headers: { Origin: 'http://127.0.0.1', 'Access-Control-Request-Method': method },
				});
				lastStatus = response.status;
				const allowed = String(response.headers['access-control-allow-methods'] ?? '');
				const ok = (response.status === 204 || response.status === 200) && allowed.split(/,\s*/).includes(method);
				return ok ? true : undefined;
			},
			() => `last preflight status: ${lastStatus}`,
		);
		log.info(`webhook ${method} ${url} registered (${seconds(Date.now() - started)})`);
	}
}
