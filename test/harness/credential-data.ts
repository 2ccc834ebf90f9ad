/**
 * What n8n does to a decrypted credential row before a node or the credential test sees it (the CLI's
 * CredentialsHelper.applyDefaultsAndOverwrites, without overwrites, DCR fields and domain-restriction fields):
 * the defaults of the credential's properties are filled in, then expressions in the data are resolved, over the
 * running workflow when n8n-core passes one, else over a one-node mock workflow.
 */
import { getAdditionalKeys } from 'n8n-core';
import {
	NodeHelpers,
	UnexpectedError,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialsExpressionResolveValues,
	type IDataObject,
	type IExecuteData,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IWorkflowDataProxyAdditionalKeys,
	type IWorkflowExecuteAdditionalData,
	type NodeParameterValueType,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

/** The node-types registry the CLI uses for workflows it builds itself (credentials/mock-node-types.js). */
export class MockNodeTypes implements INodeTypes {
	readonly nodesData: Record<string, INodeType> = { mock: { description: { properties: [] } } as unknown as INodeType };

	getByName(nodeType: string): INodeType {
		return this.nodesData[nodeType];
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const type = this.nodesData[nodeType];
		if (type === undefined) throw new UnexpectedError('Unrecognized node type', { tags: { nodeType } });
		return NodeHelpers.getVersionedNodeType(type, version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

const mockNode: INode = { id: 'mock', name: '', typeVersion: 1, type: 'mock', position: [0, 0], parameters: {} };

export interface ResolveCredentialDataOptions {
	additionalData: IWorkflowExecuteAdditionalData;
	properties: INodeProperties[];
	mode: WorkflowExecuteMode;
	executeData?: IExecuteData;
	/** Given by n8n-core when a node reads its credential during an execution. */
	expressionResolveValues?: ICredentialsExpressionResolveValues;
}

/** The stored data with property defaults applied and expressions resolved (a new object). */
export async function resolveCredentialData(
	stored: ICredentialDataDecryptedObject,
	options: ResolveCredentialDataOptions,
): Promise<ICredentialDataDecryptedObject> {
	const withDefaults = NodeHelpers.getNodeParameters(
		options.properties,
		{ ...stored } as INodeParameters,
		true,
		false,
		null,
		null,
	) as ICredentialDataDecryptedObject;
	const additionalKeys = getAdditionalKeys(options.additionalData, options.mode, null, { isCredential: true });
	return options.expressionResolveValues
		? resolveInExecution(withDefaults, options.expressionResolveValues, additionalKeys, options)
		: await resolveOutsideExecution(withDefaults, additionalKeys, options.mode);
}

/** Expressions resolved in the context of the node that reads the credential. */
function resolveInExecution(
	data: ICredentialDataDecryptedObject,
	values: ICredentialsExpressionResolveValues,
	additionalKeys: IWorkflowDataProxyAdditionalKeys,
	options: ResolveCredentialDataOptions,
): ICredentialDataDecryptedObject {
	try {
		return values.workflow.expression.getParameterValue(
			data as NodeParameterValueType,
			values.runExecutionData,
			values.runIndex,
			values.itemIndex,
			values.node.name,
			values.connectionInputData,
			options.mode,
			additionalKeys,
			options.executeData,
			false,
			data,
		) as ICredentialDataDecryptedObject;
	} catch (error) {
		(error as Error).message += ' [Error resolving credentials]';
		throw error;
	}
}

/** Expressions resolved over a one-node mock workflow (the credential test, raw reads by the CLI). */
async function resolveOutsideExecution(
	data: ICredentialDataDecryptedObject,
	additionalKeys: IWorkflowDataProxyAdditionalKeys,
	mode: WorkflowExecuteMode,
): Promise<ICredentialDataDecryptedObject> {
	const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes: new MockNodeTypes() });
	await workflow.expression.acquireIsolate();
	try {
		return workflow.expression.getComplexParameterValue(
			mockNode,
			data as INodeParameters,
			mode,
			additionalKeys,
			undefined,
			undefined,
			data,
		) as ICredentialDataDecryptedObject;
	} finally {
		await workflow.expression.releaseIsolate();
	}
}
