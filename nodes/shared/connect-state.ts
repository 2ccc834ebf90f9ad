import { createHmac } from 'crypto';

/**
 * The key that signs Connect `state` values: derived from the credential's client secret, so only this credential
 * can produce a state its Smartcar Trigger accepts, and the secret itself never signs anything directly.
 */
export function connectStateKey(clientSecret: string): Buffer {
	return createHmac('sha256', clientSecret).update('n8n-nodes-smartcar/connect-state/v1').digest();
}
