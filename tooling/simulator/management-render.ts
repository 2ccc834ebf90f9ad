/**
 * Management API v3 JSON:API shapes (Smartcar's "Get webhook" and "Get subscription" references) and the paged
 * collection envelope `{ data, meta: { pageNumber, pageSize, totalCount }, links }` with `page[number]`/`page[size]`.
 */
import { errorSpecs, type ErrorSpec } from './errors';
import type { Fleet } from './fleet';
import { findVehicle } from './fleet-state';
import type { JsonObject, JsonValue } from './json';
import type { SimSubscription, SimWebhook } from './management-store';
import { signalDefinition } from './signals';

export const MAX_PAGE_SIZE = 100;

export interface Page {
	number: number;
	size: number;
}

const PAGE_PARAMS = new Set(['page[number]', 'page[size]']);

function signalReferences(codes: string[]): JsonValue[] {
	return codes.map((code) => {
		const { group, name } = signalDefinition(code);
		return { group, name, code };
	});
}

export function webhookResource(webhook: SimWebhook, baseUrl: string): JsonObject {
	return {
		id: webhook.id,
		type: 'webhook',
		attributes: {
			name: webhook.name,
			callbackUri: webhook.callbackUri,
			isEnabled: webhook.isEnabled,
			autoSubscribe: webhook.autoSubscribe,
			triggers: signalReferences(webhook.triggers),
			data: signalReferences(webhook.signals),
			errorCallbackUri: webhook.errorCallbackUri,
		},
		links: { self: `${baseUrl}/webhooks/${webhook.id}` },
		meta: { createdAt: webhook.createdAt },
	};
}

/** The ids live in `relationships` only; the attributes summarise the vehicle. */
export function subscriptionResource(fleet: Fleet, subscription: SimSubscription, baseUrl: string): JsonObject {
	const vehicle = findVehicle(fleet, subscription.vehicleId);
	return {
		type: 'subscription',
		id: subscription.id,
		attributes: {
			vehicle: {
				make: vehicle?.make ?? null,
				model: vehicle?.model ?? null,
				year: vehicle?.year ?? null,
				mode: vehicle?.mode ?? null,
				powertrainType: vehicle?.powertrainType ?? null,
			},
		},
		meta: { createdAt: subscription.createdAt, updatedAt: subscription.updatedAt },
		relationships: {
			webhook: { data: { type: 'webhook', id: subscription.webhookId } },
			user: { data: { type: 'user', id: subscription.userId } },
			vehicle: { data: { type: 'vehicle', id: subscription.vehicleId } },
		},
		links: { self: `${baseUrl}/subscriptions/${subscription.id}` },
	};
}

function integerParam(params: URLSearchParams, name: string, max: number, fallback: number): number | ErrorSpec {
	const value = params.get(name);
	if (value === null) return fallback;
	const parsed = Number(value);
	if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) {
		return errorSpecs.validation(`${name} must be an integer between 1 and ${max}.`);
	}
	return parsed;
}

/** `page[number]` (≥ 1, default 1) and `page[size]` (1–100, default `defaultSize`); anything else is a 400. */
export function readPage(params: URLSearchParams, defaultSize: number): Page | ErrorSpec {
	const number = integerParam(params, 'page[number]', Number.MAX_SAFE_INTEGER, 1);
	if (typeof number !== 'number') return number;
	const size = integerParam(params, 'page[size]', MAX_PAGE_SIZE, defaultSize);
	if (typeof size !== 'number') return size;
	return { number, size };
}

/** A path-relative link (brackets kept readable) carrying the request's filters. */
function pageLink(path: string, page: Page, params: URLSearchParams): string {
	const entries: Array<[string, string]> = [
		['page[number]', String(page.number)],
		['page[size]', String(page.size)],
		...[...params.entries()].filter(([key]) => !PAGE_PARAMS.has(key)),
	];
	return `${path}?${entries.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}`;
}

/** One page of `items`, rendered, with `meta` and `links` (`next`/`prev` null at the ends). */
export function pagedBody<T>(items: T[], page: Page, params: URLSearchParams, path: string, render: (item: T) => JsonObject): JsonObject {
	const start = (page.number - 1) * page.size;
	const lastPage = Math.max(1, Math.ceil(items.length / page.size));
	const link = (number: number) => pageLink(path, { number, size: page.size }, params);
	return {
		data: items.slice(start, start + page.size).map(render),
		meta: { pageNumber: page.number, pageSize: page.size, totalCount: items.length },
		links: {
			self: link(page.number),
			first: link(1),
			last: link(lastPage),
			next: page.number < lastPage ? link(page.number + 1) : null,
			prev: page.number > 1 ? link(Math.min(page.number - 1, lastPage)) : null,
		},
	};
}
