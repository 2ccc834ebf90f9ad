/**
 * What the editor tells a builder, checked against the order that works: publish the workflow first (the Production
 * URL answers only once it is published), then add the webhook in the Smartcar Dashboard (Smartcar sends VERIFY the
 * moment it is saved), then subscribe vehicles. Publish is named for n8n 1.x too (Active), and the public-URL variable
 * for both majors (N8N_WEBHOOK_URL on 2.x, WEBHOOK_URL on 1.x).
 */
import type { INodeProperties } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';

const trigger = new SmartcarTrigger().description;

/** Every text a description holds (display names, descriptions, hints, option names), with where it is. */
function texts(value: unknown, path = ''): Array<[string, string]> {
	if (typeof value === 'string') return [[path, value]];
	if (Array.isArray(value)) return value.flatMap((entry, index) => texts(entry, `${path}[${index}]`));
	if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, entry]) => texts(entry, `${path}.${key}`));
	return [];
}

const allTexts = [...texts(trigger.properties, 'trigger'), ...texts(new Smartcar().description.properties, 'smartcar')];

function notice(name: string): INodeProperties {
	const found = trigger.properties.find((property) => property.name === name);
	if (!found || found.type !== 'notice') throw new Error(`no notice ${name}`);
	return found;
}

test('Vehicle Events: the notices read publish → add the webhook in the Dashboard (VERIFY) → subscribe, in that order', () => {
	const names = trigger.properties.filter((property) => property.displayOptions?.show?.trigger?.includes('vehicleEvents')).map((property) => property.name);
	expect(names.slice(0, 2)).toEqual(['vehicleEventsNotice', 'subscriptionNotice']);

	const steps = `${notice('vehicleEventsNotice').displayName} ${notice('subscriptionNotice').displayName}`;
	const at = (text: string) => {
		expect(steps).toContain(text);
		return steps.indexOf(text);
	};
	const order = [
		at('1. <b>Publish</b> (<b>Active</b> on n8n 1.x) this workflow'),
		at('answers only once it is published'),
		at('2. Then add a webhook with that URL'),
		at('Smartcar Dashboard → Webhooks'),
		at('VERIFY request the moment you save it'),
		at('3. Smartcar sends events only for vehicles <b>subscribed</b>'),
	];
	expect(order).toEqual([...order].sort((a, b) => a - b));
});

test('no text says to add the webhook (or paste the URL) first and publish afterwards', () => {
	const wrongOrder = allTexts.filter(([, text]) => /(Dashboard|callback URL)[^.]*\bthen publish/i.test(text));
	expect(wrongOrder).toEqual([]);
});

test('every Publish the editor shows also names Active, as n8n 1.x calls it', () => {
	const publish = allTexts.filter(([, text]) => text.includes('<b>Publish</b>'));
	expect(publish.length).toBeGreaterThan(0);
	expect(publish.filter(([, text]) => !text.includes('<b>Publish</b> (<b>Active</b> on n8n 1.x)'))).toEqual([]);
});

test('the public-URL variable is named for both majors wherever it is named', () => {
	const named = allTexts.filter(([, text]) => text.includes('WEBHOOK_URL'));
	expect(named.length).toBeGreaterThan(0);
	expect(named.filter(([, text]) => !text.includes('N8N_WEBHOOK_URL (WEBHOOK_URL on n8n 1.x)'))).toEqual([]);
});

test('Connect Redirect: the notice says to publish, and Expected Value Only shows the Expected State notice right below Check State (versions 1 and 2; version 3 shows the field there: expected-state-version.test.ts)', () => {
	expect(notice('connectRedirectNotice').displayName).toMatch(/^<b>Publish<\/b> \(<b>Active<\/b> on n8n 1\.x\) this workflow so its <b>Production URL<\/b> above answers/);
	const names = trigger.properties.map((property) => property.name);
	expect(names.indexOf('expectedStateNotice')).toBe(names.indexOf('stateCheck') + 1);
	expect(notice('expectedStateNotice').displayOptions).toEqual({ show: { '@version': [1, 2], trigger: ['connectRedirect'], stateCheck: ['expectedValue'] } });
	expect(notice('expectedStateNotice').displayName).toContain('<b>Options</b> → <b>Expected State</b>');
});

test('Check Smartcar Webhook on Publish says the first publish is never blocked', () => {
	const options = trigger.properties.find((property) => property.name === 'options')?.options as INodeProperties[];
	const check = options.find((option) => option.name === 'checkWebhookOnPublish');
	expect(check?.description).toContain('The first publish is never blocked');
	expect(check?.description).not.toContain('publish once without this check');
});
