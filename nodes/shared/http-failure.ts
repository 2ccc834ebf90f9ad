import type { IDataObject } from 'n8n-workflow';

import { TokenExchangeError } from '../../credentials/token-exchange';
import { asRecord, asString, isRecord } from './values';

/**
 * Reads what n8n's HTTP helper threw, the same on n8n 1.x and 2.x. n8n 2.x keeps the HTTP client's error as `cause`
 * (with the response, its headers and the network code); n8n-workflow 1.x's NodeApiError drops an Error cause and
 * keeps only `httpCode` (a status, or a network code such as ECONNRESET), the original messages in `messages`, and
 * the message and description of an error thrown by the credential (the token exchange).
 */

/** An HTTP answer carried by an error: its status, and its body and headers where n8n kept them. */
export interface ErrorResponse {
	status: number;
	body: unknown;
	headers?: IDataObject;
}

const STATUS = /^\d{3}$/;
const NETWORK_CODE = /^E[A-Z][A-Z0-9_]+$/;

export function errorResponseOf(error: unknown): ErrorResponse | undefined {
	for (const candidate of [asRecord(error).cause, error]) {
		const response = asRecord(candidate).response;
		if (isRecord(response) && typeof response.status === 'number') {
			return { status: response.status, body: response.data ?? response.body, headers: asRecord(response.headers) as IDataObject };
		}
	}
	const httpCode = asString(asRecord(error).httpCode);
	return httpCode !== undefined && STATUS.test(httpCode) ? { status: Number(httpCode), body: undefined } : undefined;
}

/** The network code (ECONNREFUSED, ECONNRESET, …) of a failure without an HTTP answer, where one can be found. */
export function errorCodeOf(error: unknown): string | undefined {
	const record = asRecord(error);
	const direct = asString(asRecord(record.cause).code) ?? asString(record.code);
	if (direct !== undefined) return direct;
	const httpCode = asString(record.httpCode);
	if (httpCode !== undefined && NETWORK_CODE.test(httpCode)) return httpCode;
	const messages = Array.isArray(record.messages) ? record.messages.filter((entry): entry is string => typeof entry === 'string') : [];
	for (const message of messages) {
		const found = /\b(E[A-Z][A-Z0-9_]{3,})\b/.exec(message);
		if (found) return found[1];
	}
	return undefined;
}

export function errorMessageOf(error: unknown): string {
	const cause = asRecord(error).cause;
	return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
}

/**
 * The token exchange's own failure (its message and description already say what to do and hold no secret): the
 * TokenExchangeError itself on 2.x; on 1.x the wrapping error, recognised by having a description but neither an
 * HTTP status nor a network code.
 */
export function tokenFailureOf(error: unknown): { message: string; description: string } | undefined {
	const found = [error, asRecord(error).cause].find((candidate) => candidate instanceof TokenExchangeError);
	if (found instanceof TokenExchangeError) return { message: found.message, description: found.description };
	const record = asRecord(error);
	const description = asString(record.description);
	if (!(error instanceof Error) || !description || errorResponseOf(error) || errorCodeOf(error)) return undefined;
	return { message: error.message, description };
}
