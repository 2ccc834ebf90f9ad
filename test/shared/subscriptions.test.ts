/**
 * Subscriptions (nodes/shared/subscriptions.ts): a Management API subscription resource, wrapped or flat, becomes
 * the flat item, with the webhook, user and vehicle IDs read from `relationships` (Smartcar's documented place).
 */
import { readSubscription, subscriptionOf } from '../../nodes/shared/subscriptions';

const noVehicle = { make: null, model: null, year: null, mode: null, powertrainType: null };

/** Smartcar's documented example (its relationships say type "webhook" for the user and vehicle too). */
const resource = {
	type: 'subscription',
	id: '0c4f',
	attributes: { vehicle: { make: 'TESLA', model: 'Model 3', year: 2023, mode: 'live', powertrainType: 'BEV' } },
	meta: { createdAt: '2026-04-22T10:00:00.000Z', updatedAt: '2026-04-22T10:05:00.000Z' },
	relationships: {
		webhook: { data: { type: 'webhook', id: '5a8e' }, links: { related: '/webhooks/5a8e' } },
		user: { data: { type: 'webhook', id: '218e' }, links: { related: '' } },
		vehicle: { data: { type: 'webhook', id: '36ab' }, links: { related: '' } },
	},
	links: { self: '/subscriptions/0c4f' },
};
const item = {
	id: '0c4f',
	webhookId: '5a8e',
	userId: '218e',
	vehicleId: '36ab',
	vehicle: { make: 'TESLA', model: 'Model 3', year: 2023, mode: 'live', powertrainType: 'BEV' },
	createdAt: '2026-04-22T10:00:00.000Z',
	updatedAt: '2026-04-22T10:05:00.000Z',
};

describe('readSubscription: one subscription resource as the flat item', () => {
	test.each([
		['JSON:API (Smartcar\'s documented example)', resource, item],
		[
			'a year sent as text and epoch times',
			{
				...resource,
				attributes: { vehicle: { ...resource.attributes.vehicle, year: '2023' } },
				meta: { createdAt: 1776852000, updatedAt: 1776852300000 },
			},
			item,
		],
		[
			'relationships win over attributes that name other IDs',
			{ ...resource, attributes: { ...resource.attributes, webhookId: 'other', userId: 'other', vehicleId: 'other' } },
			item,
		],
		[
			'flat IDs when there are no relationships',
			{ id: '0c4f', webhookId: '5a8e', userId: '218e', vehicleId: '36ab', vehicle: resource.attributes.vehicle, createdAt: item.createdAt, updatedAt: item.updatedAt },
			item,
		],
		[
			'no vehicle summary and no meta',
			{ id: '0c4f', relationships: resource.relationships },
			{ ...item, vehicle: noVehicle, createdAt: null, updatedAt: null },
		],
		['nothing readable', null, { id: '', webhookId: null, userId: null, vehicleId: null, vehicle: noVehicle, createdAt: null, updatedAt: null }],
	])('%s', (_case, raw, expected) => {
		expect(readSubscription(raw)).toEqual(expected);
	});

	test('the item has the documented keys, in order', () => {
		expect(Object.keys(readSubscription(resource))).toEqual(Object.keys(item));
	});
});

describe('subscriptionOf: the answer of GET /subscriptions/{id}', () => {
	test.each([
		['wrapped in data', { data: resource }, item],
		['flat', resource, item],
	])('%s', (_case, body, expected) => {
		expect(subscriptionOf(body)).toEqual(expected);
	});
});
