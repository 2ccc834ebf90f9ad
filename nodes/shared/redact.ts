import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Credential fields whose values must never reach a message, an output item or a log line. */
export const SECRET_FIELDS = ['clientSecret', 'accessToken', 'applicationManagementToken'] as const;

const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of the credential's secrets in `text` with `[redacted]`. */
export function redactSecrets(text: string, credentials: ICredentialDataDecryptedObject | undefined): string {
	if (!credentials) return text;
	let result = text;
	for (const field of SECRET_FIELDS) {
		const secret = credentials[field];
		if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH) {
			result = result.split(secret).join('[redacted]');
		}
	}
	return result;
}
