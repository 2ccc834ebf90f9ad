import { commandWithoutFields } from './run-command';

/** Stop Charge: only the vehicle and user fields every command shares. */
export const { description, validate, execute } = commandWithoutFields({
	command: 'stopCharge',
	path: 'charge/stop',
	verifyHint: 'Read the signal charge-ischarging to see whether the vehicle is charging.',
});
