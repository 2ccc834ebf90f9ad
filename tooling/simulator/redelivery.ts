/**
 * Smartcar's delivery contract, for tests that break the receiver on purpose: every event is POSTed signed, at most
 * `concurrency` at a time, and an event whose delivery got no 2xx (an error status, a reset connection, no answer
 * within 15 s) is delivered again later (Smartcar retries after 25, 50 and 100 s; here on request, with a new
 * deliveryId and deliveredAt each time). It remembers, per event, every answer, and whether Smartcar would
 * consider it delivered.
 */
import type { JsonObject } from './json';
import { sendWebhook } from './webhook-http';

export interface PlannedEvent {
	/** The trigger's production URL. */
	url: string;
	eventId: string;
	payload: JsonObject;
}

export interface EventRecord extends PlannedEvent {
	/** Every answer's status, oldest first; 0: no answer (reset, refused, timed out). */
	statuses: number[];
	acknowledged: boolean;
}

/** A small VEHICLE_STATE for `eventId` (the sender stamps deliveryId and deliveredAt on each delivery). */
export function minimalVehicleState(eventId: string, vehicleId = 'vehicle-redelivery', userId = 'user-redelivery'): JsonObject {
	return {
		eventId,
		eventType: 'VEHICLE_STATE',
		vehicleId,
		data: {
			user: { id: userId },
			vehicle: { id: vehicleId, make: 'TESLA', model: 'Model 3', year: 2022 },
			signals: [{ code: 'tractionbattery-stateofcharge', name: 'StateOfCharge', group: 'TractionBattery', body: { value: 50, unit: 'percent' } }],
		},
		triggers: [{ type: 'SIGNAL_UPDATED', signal: { code: 'tractionbattery-stateofcharge', name: 'StateOfCharge', group: 'TractionBattery' } }],
		meta: { version: '4.0', deliveryId: '', deliveredAt: 0, webhookId: 'wh-redelivery', webhookName: 'Redelivery', mode: 'LIVE' },
	};
}

export class SmartcarRedelivery {
	readonly records: EventRecord[];

	constructor(
		private readonly managementToken: string,
		events: PlannedEvent[],
		private readonly timeoutMs = 15_000,
	) {
		this.records = events.map((event) => ({ ...event, statuses: [], acknowledged: false }));
	}

	/** Delivers every event not yet acknowledged once; `onAnswer` sees each record right after its answer. */
	async deliverPending(concurrency: number, onAnswer?: (record: EventRecord) => void): Promise<void> {
		const queue = this.records.filter((record) => !record.acknowledged);
		const worker = async (): Promise<void> => {
			for (let record = queue.shift(); record !== undefined; record = queue.shift()) {
				await this.deliver(record);
				onAnswer?.(record);
			}
		};
		await Promise.all(Array.from({ length: concurrency }, async () => await worker()));
	}

	/** Smartcar's retries: delivers what is still unacknowledged, up to `rounds` more times. */
	async retry(rounds: number, concurrency: number): Promise<void> {
		for (let round = 0; round < rounds && this.pending().length > 0; round++) await this.deliverPending(concurrency);
	}

	pending(): EventRecord[] {
		return this.records.filter((record) => !record.acknowledged);
	}

	acknowledgedCount(): number {
		return this.records.filter((record) => record.acknowledged).length;
	}

	private async deliver(record: EventRecord): Promise<void> {
		let status = 0;
		try {
			status = (await sendWebhook(record.url, record.payload, { managementToken: this.managementToken, timeoutMs: this.timeoutMs })).status;
		} catch {
			status = 0;
		}
		record.statuses.push(status);
		if (status >= 200 && status < 300) record.acknowledged = true;
	}
}
