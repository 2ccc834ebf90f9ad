import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { redact, redactDeep, secretsOf } from '../../credentials/redact';
import { CREDENTIAL_NAME } from '../../credentials/smartcar-credential';
import { cachedTokens } from '../../credentials/smartcar-token';

/**
 * A NodeApiError about a Smartcar answer that an operation or the trigger judged itself (a subscription that does not
 * exist, no webhook with the trigger's URL), built like the transport's errors: every field (message, description,
 * the error response, the context) has the credential's secrets and the tokens this process holds redacted.
 */
export async function redactedApiError(
	context: IExecuteFunctions | IHookFunctions,
	errorResponse: JsonObject,
	fields: { message: string; description: string; httpCode?: string },
	itemIndex?: number,
): Promise<NodeApiError> {
	let credentials: ICredentialDataDecryptedObject | undefined;
	try {
		credentials = await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_NAME);
	} catch {
		credentials = undefined;
	}
	const secrets = secretsOf([credentials], cachedTokens());
	const error = new NodeApiError(context.getNode(), redactDeep(errorResponse, secrets), {
		message: redact(fields.message, secrets),
		description: redact(fields.description, secrets),
		httpCode: fields.httpCode,
		itemIndex,
	});
	error.context = redactDeep(error.context, secrets);
	return error;
}
