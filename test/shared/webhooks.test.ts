/**
 * Webhooks (nodes/shared/webhooks.ts): a Management API webhook resource, wrapped or flat, becomes the flat item;
 * its `triggers` and `data` lists become signal codes.
 */
import { readWebhook, signalCodes, webhookOf } from '../../nodes/shared/webhooks';

const resource = {
	id: '5a8e',
	type: 'webhook',
	attributes: {
		name: 'n8n events',
		callbackUri: 'https://n8n.example.com/webhook/abc/webhook',
		isEnabled: true,
		autoSubscribe: false,
		triggers: [{ group: 'Closure', name: 'Is Locked', code: 'closure-islocked' }],
		data: [
			{ group: 'TractionBattery', name: 'State Of Charge', code: 'tractionbattery-stateofcharge' },
			{ group: 'Location', name: 'Preferred Location', code: 'location-preciselocation' },
		],
		errorCallbackUri: null,
	},
	links: { self: '/webhooks/5a8e' },
	meta: { createdAt: '2026-04-22T10:00:00.000Z' },
};
const item = {
	id: '5a8e',
	name: 'n8n events',
	callbackUri: 'https://n8n.example.com/webhook/abc/webhook',
	isEnabled: true,
	autoSubscribe: false,
	triggers: ['closure-islocked'],
	signals: ['tractionbattery-stateofcharge', 'location-preciselocation'],
	errorCallbackUri: null,
	createdAt: '2026-04-22T10:00:00.000Z',
};
const empty = {
	id: '',
	name: null,
	callbackUri: null,
	isEnabled: null,
	autoSubscribe: null,
	triggers: [],
	signals: [],
	errorCallbackUri: null,
	createdAt: null,
};

describe('readWebhook: one webhook resource as the flat item', () => {
	test.each([
		['JSON:API (Smartcar\'s documented example)', resource, item],
		[
			'an error callback URI and an epoch creation time',
			{ ...resource, attributes: { ...resource.attributes, errorCallbackUri: 'https://n8n.example.com/errors' }, meta: { createdAt: 1776852000000 } },
			{ ...item, errorCallbackUri: 'https://n8n.example.com/errors', createdAt: '2026-04-22T10:00:00.000Z' },
		],
		['flat (no attributes)', { id: '5a8e', ...resource.attributes, createdAt: '2026-04-22T10:00:00Z' }, item],
		[
			'flags sent as text are not flags',
			{ id: '5a8e', attributes: { isEnabled: 'true', autoSubscribe: 1 } },
			{ ...empty, id: '5a8e' },
		],
		['nothing readable', 'not a webhook', empty],
	])('%s', (_case, raw, expected) => {
		expect(readWebhook(raw)).toEqual(expected);
	});

	test('the item has the documented keys, in order', () => {
		expect(Object.keys(readWebhook(resource))).toEqual(Object.keys(item));
	});
});

describe('webhookOf: the answer of GET /webhooks/{id}', () => {
	test.each([
		['wrapped in data', { data: resource }, item],
		['flat', resource, item],
	])('%s', (_case, body, expected) => {
		expect(webhookOf(body)).toEqual(expected);
	});
});

describe('signalCodes: a triggers or data list as codes', () => {
	test.each([
		['entries {group, name, code}', [{ group: 'Closure', name: 'Is Locked', code: 'closure-islocked' }], ['closure-islocked']],
		['plain codes', ['closure-islocked', 'odometer-traveleddistance'], ['closure-islocked', 'odometer-traveleddistance']],
		['entries without a code, empty codes, null and lists are left out; a number is its text', [{ name: 'x' }, { code: '' }, '', null, 7, ['a']], ['7']],
		['not a list', { code: 'closure-islocked' }, []],
		['absent', undefined, []],
	])('%s', (_case, raw, expected) => {
		expect(signalCodes(raw)).toEqual(expected);
	});
});
