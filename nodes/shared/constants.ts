/** Smartcar's production endpoints and the names this package shares between its credential and nodes. */
export const CREDENTIAL_NAME = 'smartcarApi';

export const PRODUCTION = {
	tokenUrl: 'https://iam.smartcar.com/oauth2/token',
	apiBaseUrl: 'https://vehicle.api.smartcar.com/v3',
	connectUrl: 'https://connect.smartcar.com/oauth/authorize',
} as const;

export const DOCS = {
	credential: 'https://smartcar.com/docs/getting-started/tutorials/api-authentication',
	errors: 'https://smartcar.com/docs/errors/overview',
	webhooks: 'https://smartcar.com/docs/integrations/webhooks/overview',
	connect: 'https://smartcar.com/docs/connect/what-is-connect',
} as const;

/** Smartcar's documented page-size ceiling for `GET /connections`. */
export const MAX_PAGE_SIZE = 100;
