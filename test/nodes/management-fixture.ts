/**
 * Helpers the Management API specs (webhook, subscription, webhook picker) share: what reached the simulator's
 * Management API, the flat items the README documents built from the simulator's own records, and one page of a
 * list exactly as the simulator answers it (to serve again with a part removed).
 */
import * as http from 'node:http';

import type { IDataObject } from 'n8n-workflow';

import type { RequestRecord, SimSubscription, SimWebhook, Simulator } from '../../tooling/simulator';
import { vehicleById } from './smartcar-fixture';

export const MANAGEMENT_PATH = '/management/v3';

/** Requests the simulator received for the Management API, oldest first. */
export function managementRequests(sim: Simulator, method?: string, path?: string): RequestRecord[] {
	return sim.stats.requests.filter(
		(request) =>
			request.path.startsWith(MANAGEMENT_PATH) &&
			(method === undefined || request.method === method) &&
			(path === undefined || request.path === `${MANAGEMENT_PATH}${path}`),
	);
}

/** The flat webhook item, from the simulator's record. */
export function expectedWebhook(webhook: SimWebhook): IDataObject {
	return {
		id: webhook.id,
		name: webhook.name,
		callbackUri: webhook.callbackUri,
		isEnabled: webhook.isEnabled,
		autoSubscribe: webhook.autoSubscribe,
		triggers: [...webhook.triggers],
		signals: [...webhook.signals],
		errorCallbackUri: webhook.errorCallbackUri,
		createdAt: new Date(webhook.createdAt).toISOString(),
	};
}

/** The flat subscription item, from the simulator's record and its fleet. */
export function expectedSubscription(sim: Simulator, subscription: SimSubscription): IDataObject {
	const vehicle = vehicleById(sim, subscription.vehicleId);
	return {
		id: subscription.id,
		webhookId: subscription.webhookId,
		userId: subscription.userId,
		vehicleId: subscription.vehicleId,
		vehicle: { make: vehicle.make, model: vehicle.model, year: vehicle.year, mode: vehicle.mode, powertrainType: vehicle.powertrainType },
		createdAt: subscription.createdAt,
		updatedAt: subscription.updatedAt,
	};
}

/**
 * The simulator's own answer to `GET <managementApiUrl><pathAndQuery>`, sent with a token it issued. The request is
 * recorded in `sim.stats` like any other: reset the stats before the run under test.
 */
export async function simulatorPage(sim: Simulator, pathAndQuery: string): Promise<Record<string, unknown>> {
	const token = sim.issueToken();
	return await new Promise((resolve, reject) => {
		const request = http.get(`${sim.managementApiUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				try {
					resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
				} catch (error) {
					reject(error instanceof Error ? error : new Error(String(error)));
				}
			});
		});
		request.on('error', reject);
	});
}
