/**
 * What `npm run simulator -- --webhook-url …` (and so `npm start`) sends: one VERIFY to the webhook's callback URI,
 * then, like Smartcar, events only for the vehicles subscribed to that webhook while it is enabled. A newly subscribed
 * vehicle gets its FIRST_DELIVERY at the next check (every second); then the subscribed vehicles take turns, one event
 * per interval, cycling through the payload forms and VEHICLE_ERROR kinds. With no vehicle subscribed nothing is sent.
 */
import { randomBytes } from 'crypto';

import { deliverableVehicleIds, deliverVehicleError, deliverVehicleState } from './delivery';
import type { Simulator } from './server';
import { isValidVerifyAnswer, sendWebhook, type WebhookResponse } from './webhook-http';
import { verifyPayload, type VehicleErrorKind, type VehicleStateOptions } from './webhooks';

type Variant = Pick<VehicleStateOptions, 'form' | 'signalTimestamps' | 'triggerStyle'>;

const STATE_VARIANTS: ReadonlyArray<{ label: string; options: Variant }> = [
	{ label: 'docs form', options: { form: 'docs' } },
	{ label: 'real form', options: { form: 'real' } },
	{ label: 'real form, epoch timestamps', options: { form: 'real', signalTimestamps: 'epoch' } },
	{ label: 'real form, string triggers', options: { form: 'real', triggerStyle: 'string' } },
];
const ERROR_KINDS: readonly VehicleErrorKind[] = ['vehicle-state', 'compatibility', 'permission'];

export class WebhookPump {
	private count = 0;
	private inFlight = false;
	/** Subscribed vehicles that had their FIRST_DELIVERY (forgotten when unsubscribed: a new subscription starts over). */
	private readonly delivered = new Set<string>();
	private reported: number | undefined;

	constructor(
		private readonly sim: Simulator,
		private readonly webhookId: string,
		private readonly log: (line: string) => void,
	) {}

	/** Sends VERIFY (unsigned, as Smartcar does) and logs whether the challenge was answered correctly. */
	async verify(): Promise<void> {
		const webhook = this.sim.webhooks.find((candidate) => candidate.id === this.webhookId);
		if (!webhook) return;
		const token = this.sim.settings.managementToken;
		const challenge = randomBytes(24).toString('hex');
		const payload = verifyPayload(challenge, { webhookId: webhook.id, webhookName: webhook.name });
		try {
			const response = await sendWebhook(webhook.callbackUri, payload, { managementToken: token });
			const verdict = isValidVerifyAnswer(response, challenge, token) ? 'correct' : 'WRONG';
			this.log(`[webhook] VERIFY → ${response.status}, challenge answer ${verdict} (body: ${response.body.slice(0, 200)})`);
		} catch (error: unknown) {
			this.log(`[webhook] VERIFY failed: ${String(error)}`);
		}
	}

	/** FIRST_DELIVERY for a vehicle subscribed since the last check, if any (call often). */
	async deliverFirst(): Promise<void> {
		if (this.subscribedVehicles().some((id) => !this.delivered.has(id))) await this.deliverNext();
	}

	/** The next event: a newly subscribed vehicle's FIRST_DELIVERY first, else the next vehicle's turn. */
	async deliverNext(): Promise<void> {
		if (this.inFlight) return;
		const vehicleIds = this.subscribedVehicles();
		if (vehicleIds.length === 0) return;
		this.inFlight = true;
		const fresh = vehicleIds.find((id) => !this.delivered.has(id));
		const step = this.count;
		this.count += 1;
		const vehicleId = fresh ?? vehicleIds[step % vehicleIds.length];
		try {
			const { response, label } = fresh ? await this.sendFirst(fresh) : await this.sendStep(vehicleId, step);
			const vehicle = this.sim.fleet.vehicles.find((candidate) => candidate.id === vehicleId);
			this.log(`[webhook] ${label} for ${vehicle?.make} ${vehicle?.model} (${vehicleId}) → ${response.status}`);
		} catch (error: unknown) {
			this.log(`[webhook] delivery failed: ${String(error)}`);
		} finally {
			this.inFlight = false;
		}
	}

	private async sendFirst(vehicleId: string): Promise<{ response: WebhookResponse; label: string }> {
		this.delivered.add(vehicleId);
		const options = { form: 'real' as const, trigger: 'FIRST_DELIVERY' as const };
		const response = await deliverVehicleState(this.sim, vehicleId, options, { webhookId: this.webhookId });
		return { response, label: 'VEHICLE_STATE FIRST_DELIVERY (real form)' };
	}

	private async sendStep(vehicleId: string, step: number): Promise<{ response: WebhookResponse; label: string }> {
		const delivery = { webhookId: this.webhookId };
		if (step % 4 === 3) {
			const kind = ERROR_KINDS[Math.floor(step / 4) % ERROR_KINDS.length];
			const state = Math.floor(step / 4) % 2 === 0 ? 'ERROR' : 'RESOLVED';
			const response = await deliverVehicleError(this.sim, vehicleId, { kind, state }, delivery);
			return { response, label: `VEHICLE_ERROR ${kind} ${state}` };
		}
		const variant = STATE_VARIANTS[step % STATE_VARIANTS.length];
		const options = { ...variant.options, trigger: 'SIGNAL_UPDATED' as const };
		const response = await deliverVehicleState(this.sim, vehicleId, options, delivery);
		return { response, label: `VEHICLE_STATE SIGNAL_UPDATED (${variant.label})` };
	}

	/** The vehicles this webhook receives events for now; logs when their number changes. */
	private subscribedVehicles(): string[] {
		const ids = deliverableVehicleIds(this.sim, this.webhookId);
		for (const id of [...this.delivered]) if (!ids.includes(id)) this.delivered.delete(id);
		if (ids.length !== this.reported) {
			this.reported = ids.length;
			this.log(
				ids.length === 0
					? `[webhook] no vehicle is subscribed to webhook ${this.webhookId} (or it is disabled): nothing is sent until one is (Smartcar node → Subscription → Subscribe)`
					: `[webhook] ${ids.length} vehicle(s) subscribed to webhook ${this.webhookId}: sending their events`,
			);
		}
		return ids;
	}
}
