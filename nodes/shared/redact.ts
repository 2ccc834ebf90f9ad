import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Credential fields whose values must never reach a message, an output item or a log line. */
export const SECRET_FIELDS = ['clientSecret', 'accessToken', 'applicationManagementToken'] as const;

const MIN_SECRET_LENGTH = 4;

/** The secret values of the given credential snapshots, plus any other known secrets (e.g. tokens in memory). */
export function secretsOf(credentials: Array<ICredentialDataDecryptedObject | undefined>, extra: string[] = []): string[] {
	const secrets = new Set<string>();
	for (const snapshot of credentials) {
		for (const field of SECRET_FIELDS) {
			const secret = snapshot?.[field];
			if (typeof secret === 'string') secrets.add(secret);
		}
	}
	for (const secret of extra) secrets.add(secret);
	return [...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/** Replaces every occurrence of the given secrets in `text` with `[redacted]`. */
export function redact(text: string, secrets: string[]): string {
	let result = text;
	for (const secret of secrets) result = result.split(secret).join('[redacted]');
	return result;
}
