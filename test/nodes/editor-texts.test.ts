/**
 * Small traps in the Smartcar node's texts: action names in short sentence case without articles (n8n's guidelines),
 * and Connect's "user" option shown under a name that does not clash with the Smartcar User ID (its parameter name
 * stays `user`, stored in workflows).
 */
import type { INodeProperties } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';

const properties = new Smartcar().description.properties;

const actions = properties
	.filter((property) => property.name === 'operation')
	.flatMap((property) => (property.options as Array<{ value: string; action?: string }>).map((option) => option.action ?? `(none for ${option.value})`));

test('every operation has an action name in sentence case without "a", "an" or "the"', () => {
	expect(actions).toHaveLength(19);
	expect(actions.filter((action) => /\b(a|an|the)\b/i.test(action))).toEqual([]);
	expect(actions.filter((action) => action.split(' ').slice(1).some((word) => /[A-Z]/.test(word) && word !== word.toUpperCase()))).toEqual([]);
	expect(actions).toEqual(expect.arrayContaining(['Lock vehicle', 'Unlock vehicle', 'Set charge limit', 'Get authorization URL', 'Subscribe vehicle to webhook']));
});

test('Connect\'s "user" option is "Analytics Reference", and says it is not the Smartcar User ID', () => {
	const connectOptions = properties.find(
		(property) => property.name === 'options' && property.displayOptions?.show?.resource?.includes('connect'),
	)?.options as INodeProperties[];
	const user = connectOptions.find((option) => option.name === 'user');
	expect(user?.displayName).toBe('Analytics Reference');
	expect(user?.description).toContain('Not the Smartcar User ID');
});
