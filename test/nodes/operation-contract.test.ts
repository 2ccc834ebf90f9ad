/**
 * The operation contract is checked by the compiler (`npm run typecheck` covers test/): what `validate` returns is
 * what `execute` takes. The `@ts-expect-error` lines fail the typecheck if a mismatched pair ever compiles again.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { defineOperation } from '../../nodes/Smartcar/actions/operation';
import { findOperation, resources } from '../../nodes/Smartcar/actions/resources';

const validate = (): { vehicleId: string } => ({ vehicleId: 'v1' });

test('a validate that returns A cannot pair with an execute that takes B', () => {
	const ok = defineOperation({ description: [], validate, execute: async (_client, params) => ({ id: params.vehicleId }) });
	expect(ok.concurrent).toBe(false);

	defineOperation({
		description: [],
		// @ts-expect-error: validate returns { vehicleId }, execute takes { connectionId }
		validate,
		execute: async function (this: IExecuteFunctions, _client, params: { connectionId: string }) {
			return await Promise.resolve({ id: params.connectionId });
		},
	});
});

test('the resource map only names option values, and the lookup only finds own entries', () => {
	// @ts-expect-error: not an operation of Command
	expect(resources.command.operations.fly).toBeUndefined();
	expect(findOperation('command', 'lock')).toBe(resources.command.operations.lock);
	expect(findOperation('signal', 'getAll')?.concurrent).toBe(true);
	expect(findOperation('command', 'toString')).toBeUndefined();
	expect(findOperation('constructor', 'name')).toBeUndefined();
});
