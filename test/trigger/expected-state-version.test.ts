/**
 * Smartcar Trigger version 3: Connect Redirect's Expected State is a field of its own, right under Check State
 * (required for Expected Value Only, optional for Signed), instead of an entry of the Options collection that only a
 * notice pointed to. Versions 1 and 2 keep it in Options (`redirectOptions.expectedState`), so saved workflows work
 * exactly as before.
 *
 * The node's parameters are resolved by n8n-workflow's own `getNodeParameters` for the node's version (what n8n does
 * when it loads a workflow), then `webhook()` runs with a mocked context as n8n's trigger tests do. Signed states are
 * built from the documented format (test/support/signed-state.ts), never with the package's signer.
 */
import type { IDataObject, INodeParameters, INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { signedState } from '../support/signed-state';

const trigger = new SmartcarTrigger();
const description = trigger.description;
const USER_ID = '725146a3-4b8e-4c1f-9a2d-0e6f7b8c9d01';
const CLIENT_SECRET = 'sc-secret-expected-state';
const PATH = '/webhook/c0ffee00-expected-state/webhook';

/** The parameters n8n gives a node of this version with these stored values (defaults filled, hidden ones dropped). */
function resolved(typeVersion: number, stored: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, stored, true, false, { typeVersion }, description) ?? {};
}

/** The top-level properties the editor shows for these stored values, in order. */
function shown(typeVersion: number, stored: INodeParameters): INodeProperties[] {
	const values = resolved(typeVersion, stored);
	return description.properties.filter((property) => NodeHelpers.displayParameter(values, property, { typeVersion }, description));
}

interface Answer {
	status: number;
	body: string;
	items?: IDataObject[];
}

/** One Connect redirect to a trigger of this version with these stored parameters. */
async function redirect(typeVersion: number, stored: INodeParameters, query: Record<string, string>): Promise<Answer> {
	const parameters = resolved(typeVersion, { trigger: 'connectRedirect', ...stored });
	const answer: Answer = { status: 200, body: '' };
	const response = {
		status: (code: number) => ((answer.status = code), response),
		set: () => response,
		type: () => response,
		send: (body: string) => ((answer.body = body), response),
		redirect: (code: number, target: string) => ((answer.status = code), (answer.body = target), response),
	};
	const url = `${PATH}?${new URLSearchParams(query).toString()}`;
	const global: IDataObject = {};
	const context = {
		getNode: () => ({ id: 'n1', name: 'Smartcar Trigger', type: 'n8n-nodes-smartcar.smartcarTrigger', typeVersion, position: [0, 0], parameters }),
		getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getCredentials: async () => ({ clientId: 'client-1', clientSecret: CLIENT_SECRET, environment: 'production' }),
		getQueryData: () => query,
		getRequestObject: () => ({ method: 'GET', originalUrl: url, url, headers: {}, query }),
		getResponseObject: () => response,
		getWorkflowStaticData: () => global,
		getWorkflow: () => ({ id: 'wf-expected-state', name: 'spec', active: true }),
		helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
	} as unknown as IWebhookFunctions;
	const result = await trigger.webhook.call(context);
	answer.items = result.workflowData?.[0]?.map((item) => item.json);
	return answer;
}

const signed = (value: string) => signedState(value, { secret: CLIENT_SECRET, path: PATH });

describe('the versions', () => {
	test('new triggers get version 3; versions 1 and 2 stay for saved workflows', () => {
		expect(description.version).toEqual([1, 2, 3]);
		expect(description.defaultVersion).toBe(3);
	});
});

describe('version 3: Expected State right under Check State', () => {
	test('Expected Value Only shows a required Expected State right after Check State, and Options without it', () => {
		const names = shown(3, { trigger: 'connectRedirect', stateCheck: 'expectedValue' }).map((property) => property.name);
		expect(names.slice(names.indexOf('stateCheck'), names.indexOf('stateCheck') + 2)).toEqual(['stateCheck', 'expectedState']);
		expect(names).not.toContain('expectedStateNotice');
		const field = shown(3, { trigger: 'connectRedirect', stateCheck: 'expectedValue' }).find((property) => property.name === 'expectedState');
		expect(field).toEqual(expect.objectContaining({ type: 'string', required: true }));
		const options = shown(3, { trigger: 'connectRedirect', stateCheck: 'expectedValue' }).find((property) => property.name === 'redirectOptions');
		expect((options?.options as INodeProperties[]).map((option) => option.name).sort()).toEqual(['failureRedirectUrl', 'successRedirectUrl']);
	});

	test('an empty Expected State is an issue the editor marks for Expected Value Only, not for Signed', () => {
		const issues = (stateCheck: string) =>
			NodeHelpers.getNodeParametersIssues(
				description.properties,
				{ id: 'n1', name: 'Smartcar Trigger', type: 'n8n-nodes-smartcar.smartcarTrigger', typeVersion: 3, position: [0, 0], parameters: resolved(3, { trigger: 'connectRedirect', stateCheck }) },
				description,
			)?.parameters ?? {};
		expect(Object.keys(issues('expectedValue'))).toEqual(['expectedState']);
		expect(issues('signed')).toEqual({});
	});

	test('Signed shows Expected State (optional) under Check State; None does not', () => {
		const signedFields = shown(3, { trigger: 'connectRedirect', stateCheck: 'signed' });
		const names = signedFields.map((property) => property.name);
		expect(names[names.indexOf('stateCheck') + 1]).toBe('expectedState');
		expect(signedFields.find((property) => property.name === 'expectedState')?.required).not.toBe(true);
		expect(shown(3, { trigger: 'connectRedirect', stateCheck: 'none' }).map((property) => property.name)).not.toContain('expectedState');
		expect(shown(3, { trigger: 'vehicleEvents' }).map((property) => property.name)).not.toContain('expectedState');
	});

	test('Expected Value Only compares the redirect\'s State with the field', async () => {
		const stored = { stateCheck: 'expectedValue', expectedState: 'campaign-7' };
		expect(await redirect(3, stored, { user_id: USER_ID, state: 'campaign-7' })).toEqual(
			expect.objectContaining({ status: 200, items: [{ userId: USER_ID, state: 'campaign-7' }] }),
		);
		expect(await redirect(3, stored, { user_id: USER_ID, state: 'campaign-8' })).toEqual(expect.objectContaining({ status: 400, items: undefined }));
	});

	test('Expected Value Only without the field refuses with "Not set up", whatever Options held (hidden in version 3)', async () => {
		const answer = await redirect(3, { stateCheck: 'expectedValue', redirectOptions: { expectedState: 'campaign-7' } }, { user_id: USER_ID, state: 'campaign-7' });
		expect({ status: answer.status, notSetUp: answer.body.includes('<h1>Not set up</h1>'), items: answer.items }).toEqual({ status: 500, notSetUp: true, items: undefined });
	});

	test('Signed with Expected State accepts only a signed link carrying that value', async () => {
		const stored = { stateCheck: 'signed', expectedState: 'campaign-7' };
		expect((await redirect(3, stored, { user_id: USER_ID, state: signed('campaign-8') })).status).toBe(400);
		expect(await redirect(3, stored, { user_id: USER_ID, state: signed('campaign-7') })).toEqual(
			expect.objectContaining({ status: 200, items: [{ userId: USER_ID, state: 'campaign-7' }] }),
		);
		expect((await redirect(3, { stateCheck: 'signed' }, { user_id: USER_ID, state: signed('anything') })).status).toBe(200);
	});
});

describe.each([1, 2])('version %i: unchanged, Expected State in Options', (version) => {
	test('no Expected State field; the notice under Check State points to Options, whose Expected State is still there', () => {
		const fields = shown(version, { trigger: 'connectRedirect', stateCheck: 'expectedValue' });
		const names = fields.map((property) => property.name);
		expect(names).not.toContain('expectedState');
		expect(names[names.indexOf('stateCheck') + 1]).toBe('expectedStateNotice');
		const options = fields.find((property) => property.name === 'redirectOptions')?.options as INodeProperties[];
		expect(options.map((option) => option.name)).toContain('expectedState');
	});

	test('Expected Value Only compares with Options → Expected State, as before', async () => {
		const stored = { stateCheck: 'expectedValue', redirectOptions: { expectedState: 'campaign-7' } };
		expect(await redirect(version, stored, { user_id: USER_ID, state: 'campaign-7' })).toEqual(
			expect.objectContaining({ status: 200, items: [{ userId: USER_ID, state: 'campaign-7' }] }),
		);
		expect((await redirect(version, stored, { user_id: USER_ID, state: 'campaign-8' })).status).toBe(400);
	});

	test('a top-level expectedState (version 3\'s field) means nothing here: still "Not set up"', async () => {
		const answer = await redirect(version, { stateCheck: 'expectedValue', expectedState: 'campaign-7' }, { user_id: USER_ID, state: 'campaign-7' });
		expect(answer.status).toBe(500);
	});

	test('Signed with Options → Expected State compares the signed value, as before', async () => {
		const stored = { stateCheck: 'signed', redirectOptions: { expectedState: 'campaign-7' } };
		expect((await redirect(version, stored, { user_id: USER_ID, state: signed('campaign-8') })).status).toBe(400);
		expect((await redirect(version, stored, { user_id: USER_ID, state: signed('campaign-7') })).status).toBe(200);
	});
});
