import { commandWithoutFields } from './run-command';

/** Start Charge: only the vehicle and user fields every command shares. */
export const operation = commandWithoutFields({
	command: 'startCharge',
	path: 'charge/start',
	verifyHint: 'Read the signal charge-ischarging to see whether the vehicle is charging.',
});
