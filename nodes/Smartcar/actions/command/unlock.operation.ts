import { commandWithoutFields } from './run-command';

/** Unlock: only the vehicle and user fields every command shares. */
export const { description, validate, execute } = commandWithoutFields({
	command: 'unlock',
	path: 'security/unlock',
	verifyHint: 'Read the signal closure-islocked to see whether the doors are locked.',
});
