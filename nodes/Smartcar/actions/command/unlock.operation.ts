import { commandWithoutFields } from './run-command';

/** Unlock: only the vehicle and user fields every command shares. */
export const operation = commandWithoutFields({
	command: 'unlock',
	path: 'security/unlock',
	verifyHint: 'Read the signal closure-islocked to see whether the doors are locked.',
});
