/**
 * The credential's data (credentials/smartcar-credential.ts): which endpoints a credential points at, the same rule
 * written as the n8n expression of the credential test (evaluated here by n8n's own expression engine), and one
 * credential type name for the class, both nodes' descriptions and the code that asks n8n for the credential.
 */
import { Expression, type ICredentialDataDecryptedObject } from 'n8n-workflow';

import { SmartcarApi } from '../../credentials/SmartcarApi.credentials';
import {
	API_BASE_URL_EXPRESSION,
	CREDENTIAL_NAME,
	PRODUCTION,
	credentialText,
	resolveEndpoints,
} from '../../credentials/smartcar-credential';
import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';

const SIM = 'http://127.0.0.1:4010';

const cases: Array<[string, ICredentialDataDecryptedObject, string]> = [
	['production', { environment: 'production', apiBaseUrl: `${SIM}/v3` }, PRODUCTION.apiBaseUrl],
	['no environment (older credential)', {}, PRODUCTION.apiBaseUrl],
	['custom', { environment: 'custom', apiBaseUrl: `${SIM}/v3` }, `${SIM}/v3`],
	['custom, trailing slashes', { environment: 'custom', apiBaseUrl: `${SIM}/v3///` }, `${SIM}/v3`],
	['custom, pasted with whitespace', { environment: 'custom', apiBaseUrl: `  ${SIM}/v3/ \n` }, `${SIM}/v3`],
	['custom, left empty', { environment: 'custom', apiBaseUrl: '' }, PRODUCTION.apiBaseUrl],
	['custom, only whitespace', { environment: 'custom', apiBaseUrl: '   ' }, PRODUCTION.apiBaseUrl],
	['custom, field absent', { environment: 'custom' }, PRODUCTION.apiBaseUrl],
];

describe('the API base URL of a credential', () => {
	test.each(cases)('%s: resolveEndpoints', (_case, credentials, expected) => {
		expect(resolveEndpoints(credentials).apiBaseUrl).toBe(expected);
	});

	test.each(cases)('%s: the credential test\'s expression, as n8n evaluates it', (_case, credentials, expected) => {
		expect(API_BASE_URL_EXPRESSION.startsWith('={{')).toBe(true);
		expect(Expression.resolveWithoutWorkflow(API_BASE_URL_EXPRESSION.slice(1), { $credentials: credentials })).toBe(expected);
	});

	test('the credential test sends its request there', () => {
		expect(new SmartcarApi().test.request.baseURL).toBe(API_BASE_URL_EXPRESSION);
	});
});

describe('resolveEndpoints: every endpoint', () => {
	test.each([
		['production ignores custom fields', { environment: 'production', tokenUrl: `${SIM}/oauth2/token` }, { ...PRODUCTION }],
		[
			'custom, each field on its own',
			{ environment: 'custom', tokenUrl: ` ${SIM}/oauth2/token/`, apiBaseUrl: '', connectUrl: `${SIM}/oauth/authorize` },
			{
				tokenUrl: `${SIM}/oauth2/token`,
				apiBaseUrl: PRODUCTION.apiBaseUrl,
				connectUrl: `${SIM}/oauth/authorize`,
				managementApiUrl: PRODUCTION.managementApiUrl,
			},
		],
		[
			'custom Management API base URL, trailing slashes dropped',
			{ environment: 'custom', managementApiUrl: `${SIM}/management/v3//` },
			{ ...PRODUCTION, managementApiUrl: `${SIM}/management/v3` },
		],
	])('%s', (_case, credentials, expected) => {
		expect(resolveEndpoints(credentials)).toEqual(expected);
	});
});

describe('credentialText: a text field without the whitespace of a paste', () => {
	test.each([
		['  demo-client-id\n', 'demo-client-id'],
		['', ''],
		[undefined, ''],
		[42, ''],
	])('%p → %p', (value, expected) => {
		expect(credentialText({ clientId: value } as ICredentialDataDecryptedObject, 'clientId')).toBe(expected);
	});
});

test('one credential type name: the class, both nodes, and the code', () => {
	const asked = [new SmartcarApi().name, ...[new Smartcar(), new SmartcarTrigger()].flatMap((node) => (node.description.credentials ?? []).map((c) => c.name))];
	expect(asked).toEqual([CREDENTIAL_NAME, CREDENTIAL_NAME, CREDENTIAL_NAME]);
});
