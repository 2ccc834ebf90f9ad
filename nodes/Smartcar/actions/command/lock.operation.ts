import { commandWithoutFields } from './run-command';

/** Lock: only the vehicle and user fields every command shares. */
export const operation = commandWithoutFields({
	command: 'lock',
	path: 'security/lock',
	verifyHint: 'Read the signal closure-islocked to see whether the doors are locked.',
});
