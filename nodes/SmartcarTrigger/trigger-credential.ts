import type { IWebhookFunctions } from 'n8n-workflow';

import { CREDENTIAL_NAME, credentialText } from '../../credentials/smartcar-credential';

/**
 * A text field of the trigger's Smartcar credential (trimmed), or undefined when it is empty or the trigger has no
 * credential (Check State "Expected Value Only" and "None" hide it). A webhook answers a missing value with its own
 * message, so a missing credential is not an error here.
 */
export async function triggerCredentialText(context: IWebhookFunctions, field: string): Promise<string | undefined> {
	try {
		const value = credentialText(await context.getCredentials(CREDENTIAL_NAME), field);
		return value === '' ? undefined : value;
	} catch {
		return undefined;
	}
}
