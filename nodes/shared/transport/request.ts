import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, IHookFunctions, IHttpRequestMethods, ILoadOptionsFunctions } from 'n8n-workflow';

import type { SmartcarEndpoints } from '../../../credentials/smartcar-credential';

/** Where a client runs: a node execution, an editor list search, or a trigger's publish hooks (webhookMethods). */
export type SmartcarContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

/** Which Smartcar API a request goes to: the Vehicle API (default) or the Management API (webhooks, subscriptions). */
export type SmartcarApiName = 'vehicle' | 'management';

export interface SmartcarRequest {
	method: IHttpRequestMethods;
	/** Path below the API's base URL, e.g. `/vehicles/{id}/signals`. */
	path: string;
	/** Default `vehicle`. Both take the same application token; only the base URL differs. */
	api?: SmartcarApiName;
	/** Sent as `sc-user-id`: whose vehicles are meant. */
	userId?: string;
	qs?: IDataObject;
	body?: IDataObject;
	/**
	 * For a request that changes state (anything but GET): what the user can read to learn whether it ran, quoted
	 * when the outcome is unknown (e.g. "Read the signal closure-islocked to see whether the doors locked.").
	 */
	verifyHint?: string;
	/**
	 * Client-error statuses (400–499, never 429) that are an answer here rather than an error, e.g. 409 "already
	 * subscribed" or 404 on a DELETE of something already gone: returned like a success, with Smartcar's body.
	 */
	acceptStatuses?: readonly number[];
}

/** A request once its URL is known (a path below the base URL, or a paging link). */
export type SentRequest = Omit<SmartcarRequest, 'path'>;

export interface SmartcarResponse {
	status: number;
	body: unknown;
	headers: IDataObject;
	requestId?: string;
}

/** What every step of one client's work reads: n8n's context and the credential as read when the client was created. */
export interface Session {
	context: SmartcarContext;
	credentials: ICredentialDataDecryptedObject;
	endpoints: SmartcarEndpoints;
}

/**
 * Time limits of one request. `idleTimeoutMs` ends a request whose connection goes quiet; `deadlineMs` ends it
 * however it is going (a server trickling bytes never goes quiet). Specs shorten them; nothing else changes them.
 */
export const REQUEST_LIMITS = { idleTimeoutMs: 60_000, deadlineMs: 120_000 };

/** The base URL a request goes to, and the credential field that sets it (named in errors). */
export function baseOf(endpoints: SmartcarEndpoints, api: SmartcarApiName | undefined): { url: string; field: string } {
	return api === 'management'
		? { url: endpoints.managementApiUrl, field: 'Management API Base URL' }
		: { url: endpoints.apiBaseUrl, field: 'API Base URL' };
}

/** The execution's cancel signal (a user stopped it), where the context has one. */
export function cancelSignalOf(context: SmartcarContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}
