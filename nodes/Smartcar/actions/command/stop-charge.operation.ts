import { commandWithoutFields } from './run-command';

/** Stop Charge: only the vehicle and user fields every command shares. */
export const operation = commandWithoutFields({
	command: 'stopCharge',
	path: 'charge/stop',
	verifyHint: 'Read the signal charge-ischarging to see whether the vehicle is charging.',
});
