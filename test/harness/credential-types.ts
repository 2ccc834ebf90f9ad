/**
 * The credential-types registry (the CLI's CredentialTypes): credential classes by name, and which node types
 * declare each credential (for `restrictToSupportedNodes`). Credential types that extend others (OAuth1/OAuth2)
 * are refused: the harness does not emulate n8n's OAuth flows.
 */
import { UnexpectedError, type ICredentialType, type INodeType, type IVersionedNodeType } from 'n8n-workflow';

import type { NodeTypeClasses } from './n8n-environment';

export class HarnessCredentialTypes {
	private readonly types = new Map<string, ICredentialType>();

	private readonly supportedNodes = new Map<string, string[]>();

	constructor(credentialTypes: Record<string, ICredentialType>, nodeTypes: NodeTypeClasses = {}) {
		for (const [key, type] of Object.entries(credentialTypes)) {
			if (type.extends?.length) {
				throw new UnexpectedError(`Credential type "${type.name}" extends ${type.extends.join(', ')}: not emulated`);
			}
			this.types.set(type.name ?? key, type);
			if (key !== type.name) this.types.set(key, type);
		}
		for (const [nodeTypeName, nodeType] of Object.entries(nodeTypes)) {
			for (const { name } of declaredCredentials(nodeType)) {
				const list = this.supportedNodes.get(name) ?? [];
				if (!list.includes(nodeTypeName)) list.push(nodeTypeName);
				this.supportedNodes.set(name, list);
			}
		}
	}

	getByName(type: string): ICredentialType {
		const found = this.types.get(type);
		if (found === undefined) throw new UnexpectedError(`Unrecognized credential type: ${type}`);
		return found;
	}

	/** Whether a node of `nodeType` may use the credential (CredentialsHelper.isCredentialUsableByNode). */
	isUsableByNode(credentialType: string, nodeType: string): boolean {
		const typeDef = this.types.get(credentialType);
		if (typeDef?.restrictToSupportedNodes !== true) return true;
		return (this.supportedNodes.get(credentialType) ?? []).includes(nodeType);
	}
}

/** The credentials every version of a node type declares. */
function declaredCredentials(nodeType: INodeType | IVersionedNodeType): Array<{ name: string }> {
	const descriptions =
		'nodeVersions' in nodeType
			? Object.values(nodeType.nodeVersions).map((version) => version.description)
			: [nodeType.description];
	return descriptions.flatMap((description) => description.credentials ?? []);
}
