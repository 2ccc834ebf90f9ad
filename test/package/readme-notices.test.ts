/**
 * The README's quick start and the Smartcar Trigger's notices tell a builder the same order, the one that works:
 * publish the workflow first (its Production URL answers only then), then add the webhook in the Smartcar Dashboard
 * (Smartcar sends VERIFY the moment it is saved), then subscribe vehicles; for Connect, publish, register the URL as a
 * Redirect URI, then make the link with Get Authorization URL. Both name Publish for n8n 1.x (Active) and the
 * public-URL variable for both majors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
const notices = new SmartcarTrigger().description.properties.filter((property) => property.type === 'notice');
const notice = (name: string) => notices.find((property) => property.name === name)?.displayName ?? '';

/** Where each text first appears in `text` (after the previous one), failing when one is missing or out of order. */
function inOrder(text: string, parts: string[]): void {
	let from = 0;
	for (const part of parts) {
		const at = text.indexOf(part, from);
		expect({ part, found: at >= 0 }).toEqual({ part, found: true });
		from = at + part.length;
	}
}

test('Vehicle Events: the quick start and the notices both say publish → add the webhook in the Dashboard → subscribe', () => {
	const step7 = quickStart.slice(quickStart.indexOf('7. **Receive vehicle events**'));
	inOrder(step7, ['**Publish**', 'Dashboard → **Webhooks**', 'VERIFY', 'Subscription → **Subscribe**']);
	inOrder(`${notice('vehicleEventsNotice')} ${notice('subscriptionNotice')}`, ['<b>Publish</b>', 'Smartcar Dashboard → Webhooks', 'VERIFY', '<b>Subscribe</b>']);
});

test('Connect: the quick start and the notice both say publish → Redirect URI in the Dashboard → Get Authorization URL', () => {
	const step5 = quickStart.slice(quickStart.indexOf('5. **Connect a simulated car'), quickStart.indexOf('6. **Read a signal'));
	inOrder(step5, ['**Publish**', '**Redirect URIs**', '**Get authorization URL**']);
	inOrder(notice('connectRedirectNotice'), ['<b>Publish</b>', 'Redirect URI in the Smartcar Dashboard', 'Get Authorization URL']);
});

test('both name Publish for n8n 1.x and the public-URL variable for each major', () => {
	expect(quickStart).toContain('on n8n 1.x the same switch is called **Active**');
	expect(quickStart).toMatch(/`N8N_WEBHOOK_URL` on n8n 2\.x \(`WEBHOOK_URL` is deprecated there\)\s+or `WEBHOOK_URL` on n8n 1\.x/);
	expect(notice('vehicleEventsNotice')).toContain('<b>Publish</b> (<b>Active</b> on n8n 1.x)');
	expect(notice('vehicleEventsNotice')).toContain('N8N_WEBHOOK_URL (WEBHOOK_URL on n8n 1.x)');
});
