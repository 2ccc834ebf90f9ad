/**
 * The credential "table": one stored credential per credential type, kept as JSON text the way n8n keeps the
 * decrypted row.
 */
import { UnexpectedError, UserError, jsonParse, type ICredentialDataDecryptedObject, type INodeCredentialsDetails } from 'n8n-workflow';

/** One persisted update of a stored credential (what preAuthentication saved). */
export interface CredentialWrite {
	type: string;
	id: string;
	source: 'updateCredentials';
	/** The whole stored data after the write (a copy). */
	data: ICredentialDataDecryptedObject;
	at: Date;
}

interface StoredCredential {
	id: string;
	name: string;
	/** JSON text, like the decrypted credential row (n8n-core Credentials.setData stores JSON). */
	json: string;
}

/** JSON round trip: what n8n's encrypt → DB → decrypt cycle does to credential data. */
export function roundTrip<T>(value: T): T {
	return jsonParse<T>(JSON.stringify(value));
}

/**
 * In-memory credential table: credential type → one stored credential. `writes` logs every update n8n persists
 * (a token preAuthentication returned); editing through `set` is not logged.
 */
export class CredentialStore {
	private readonly rows = new Map<string, StoredCredential>();

	readonly writes: CredentialWrite[] = [];

	constructor(initial: Record<string, ICredentialDataDecryptedObject> = {}) {
		for (const [type, data] of Object.entries(initial)) this.set(type, data);
	}

	/** Creates or replaces a credential (like saving it in the editor); not logged in `writes`. */
	set(type: string, data: ICredentialDataDecryptedObject, meta: { id?: string; name?: string } = {}): void {
		const previous = this.rows.get(type);
		this.rows.set(type, {
			id: meta.id ?? previous?.id ?? `cred-${type}`,
			name: meta.name ?? previous?.name ?? `${type} account`,
			json: JSON.stringify(data),
		});
	}

	/** A copy of the stored data, or undefined. */
	get(type: string): ICredentialDataDecryptedObject | undefined {
		const row = this.rows.get(type);
		return row === undefined ? undefined : jsonParse<ICredentialDataDecryptedObject>(row.json);
	}

	/** The reference a workflow node carries: `node.credentials[type] = store.details(type)`. */
	details(type: string): { id: string; name: string } | undefined {
		const row = this.rows.get(type);
		return row === undefined ? undefined : { id: row.id, name: row.name };
	}

	/** The row a node's credential reference points at, as n8n looks it up by id and type; throws like n8n. */
	readRow(nodeCredentials: INodeCredentialsDetails, type: string): ICredentialDataDecryptedObject {
		return jsonParse<ICredentialDataDecryptedObject>(this.findRow(nodeCredentials, type).json);
	}

	/** Replaces the row's data (the repository update after an encrypt) and logs the write. */
	writeRow(nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): void {
		const row = this.findRow(nodeCredentials, type);
		row.json = JSON.stringify(data);
		this.writes.push({ type, id: row.id, source: 'updateCredentials', data: roundTrip(data), at: new Date() });
	}

	private findRow(nodeCredentials: INodeCredentialsDetails, type: string): StoredCredential {
		if (!nodeCredentials.id) {
			throw new UnexpectedError('Found credential with no ID.', {
				extra: { credentialName: nodeCredentials.name },
				tags: { credentialType: type },
			});
		}
		const row = this.rows.get(type);
		if (row === undefined || row.id !== nodeCredentials.id) {
			throw new UserError(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
		}
		return row;
	}
}
