import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { PRODUCTION } from './constants';

export interface SmartcarEndpoints {
	tokenUrl: string;
	apiBaseUrl: string;
	connectUrl: string;
}

function trimTrailingSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

function customUrl(credentials: ICredentialDataDecryptedObject, field: keyof SmartcarEndpoints): string {
	const value = credentials[field];
	return typeof value === 'string' && value.trim() !== '' ? trimTrailingSlash(value.trim()) : PRODUCTION[field];
}

/** The three Smartcar endpoints a credential points at: production, or the custom ones (proxy, simulator). */
export function resolveEndpoints(credentials: ICredentialDataDecryptedObject): SmartcarEndpoints {
	if (credentials.environment !== 'custom') return { ...PRODUCTION };
	return {
		tokenUrl: customUrl(credentials, 'tokenUrl'),
		apiBaseUrl: customUrl(credentials, 'apiBaseUrl'),
		connectUrl: customUrl(credentials, 'connectUrl'),
	};
}
