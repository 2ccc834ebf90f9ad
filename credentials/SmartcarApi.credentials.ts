import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { API_BASE_URL_EXPRESSION, PRODUCTION, tokenPartsOf } from './smartcar-credential';
import { mayRenew, obtainToken, tokenCacheKey, tokenFingerprint, tokenToSend, type StoredToken } from './smartcar-token';
import { exchangeClientCredentials } from './token-exchange';

const customOnly = { show: { environment: ['custom'] } };

/** What `authenticate` sends instead of a token it withholds (smartcar-token.ts): Smartcar answers it with 401. */
const WITHHELD = 'withheld-renew-first';

/** The stored token as the token rules read it: its value, whether it was issued for these values, its expiry. */
function storedTokenOf(credentials: ICredentialDataDecryptedObject): StoredToken {
	const parts = tokenPartsOf(credentials);
	const accessToken = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
	const expiresAt = Number(credentials.accessTokenExpiresAt);
	return {
		key: tokenCacheKey(parts),
		accessToken,
		issuedForCurrent: credentials.accessTokenIssuedFor === tokenFingerprint(parts),
		expiresAt: Number.isFinite(expiresAt) && expiresAt > 0 ? expiresAt : undefined,
	};
}

export class SmartcarApi implements ICredentialType {
	name = 'smartcarApi';

	displayName = 'Smartcar API';

	icon = { light: 'file:../icons/smartcar.svg', dark: 'file:../icons/smartcar.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-smartcar/n8n-nodes-smartcar#credential-smartcar-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			hint: 'Smartcar Dashboard → your application → API Credentials',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			hint: 'Created under API Credentials → Create Secret; Smartcar shows it only once',
		},
		{
			displayName: 'Application Management Token',
			name: 'applicationManagementToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only needed by the Smartcar Trigger: it answers Smartcar\'s webhook verification and checks the SC-Signature of every delivery with it',
			hint: 'Smartcar Dashboard → your application → Configuration → Application Management Token (not the client secret)',
		},
		{
			displayName: 'Previous Application Management Token',
			name: 'previousApplicationManagementToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only while you rotate the Application Management Token: webhook deliveries signed with this older token are still accepted, so none is lost while Smartcar switches over. Smartcar\'s verification is answered with the current token. Clear it once the rotation is done.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production', description: 'Smartcar\'s own endpoints' },
				{
					name: 'Custom',
					value: 'custom',
					description: 'Other endpoints: a proxy, a gateway, or a Smartcar simulator for tests',
				},
			],
			default: 'production',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: PRODUCTION.tokenUrl,
			displayOptions: customOnly,
			description: 'Where the client ID and secret are exchanged for an application token',
		},
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: PRODUCTION.apiBaseUrl,
			displayOptions: customOnly,
			description: 'Base URL of the Vehicle API v3, without a trailing slash',
		},
		{
			displayName: 'Management API Base URL',
			name: 'managementApiUrl',
			type: 'string',
			default: PRODUCTION.managementApiUrl,
			displayOptions: customOnly,
			description: 'Base URL of the Management API v3 (webhooks and subscriptions), without a trailing slash',
		},
		{
			displayName: 'Connect URL',
			name: 'connectUrl',
			type: 'string',
			default: PRODUCTION.connectUrl,
			displayOptions: customOnly,
			description: 'Smartcar Connect authorization page that drivers open to grant access',
		},
		{
			displayName: 'Max Requests per Second',
			name: 'maxRequestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 3 },
			default: 0,
			description:
				'Spaces this credential\'s requests to Smartcar so there are never more than this many per second, across every workflow and item in this n8n process; a request whose turn is more than 60 s away fails without being sent. 0 means no limit: requests go out as fast as they come, and a 429 from Smartcar is waited out as it asks.',
			hint: 'Set it to your Smartcar plan\'s rate to stay under a known quota without ever seeing a 429: 0 or at least 0.01 (decimals allowed, e.g. 0.5 for one request every 2 s)',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Access Token Issued For',
			name: 'accessTokenIssuedFor',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Access Token Expires At',
			name: 'accessTokenExpiresAt',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	/**
	 * Client-credentials exchange; n8n stores the result encrypted in the credential and shares it. n8n also calls this
	 * to renew the token it holds after a failed request, and sends the request again when a token comes back: only a
	 * request that carried no token (see the table in smartcar-token.ts) gets one, so nothing is sent twice.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const parts = tokenPartsOf(credentials);
		if (parts.clientId === '' || parts.clientSecret === '') {
			throw new Error('The Smartcar API credential needs a Client ID and a Client Secret (Smartcar Dashboard → API Credentials).');
		}
		const stored = storedTokenOf(credentials);
		if (!mayRenew(stored, credentials)) return {};
		const token = await obtainToken(stored.key, stored.accessToken, async () => await exchangeClientCredentials(this.helpers.httpRequest, parts));
		return { accessToken: token.accessToken, accessTokenIssuedFor: tokenFingerprint(parts), accessTokenExpiresAt: token.expiresAt };
	}

	/**
	 * Bearer token, unless the token rules withhold it (issued for other credential values, age unknown, in its last
	 * minute, refused before): then a placeholder, whose 401 makes n8n renew the token and send the request once.
	 */
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const token = tokenToSend(storedTokenOf(credentials), credentials, requestOptions);
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: `Bearer ${token ?? WITHHELD}` } };
	};

	test: ICredentialTestRequest = {
		request: {
			// The API Base URL as resolveEndpoints has it, written as the expression n8n evaluates here.
			baseURL: API_BASE_URL_EXPRESSION,
			url: '/connections',
			qs: { 'page[size]': 1 },
			// The token goes to the API Base URL only: a redirect elsewhere fails the test instead of carrying it.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		},
	};
}
