/**
 * The Smartcar error object (nodes/shared/error-object.ts), read once for all three places it appears: an API error
 * answer (v3 or flat), a failed signal's `status.error`, and a VEHICLE_ERROR webhook's `data.errors`.
 */
import { parseSmartcarError } from '../../nodes/shared/api-error';
import { readErrorObject } from '../../nodes/shared/error-object';
import { normalizeSignal } from '../../nodes/shared/signals';
import { parseWebhookEvent } from '../../nodes/shared/webhook-events';

const DOCS = 'https://smartcar.com/docs/errors/api-errors/authentication-errors';

describe('readErrorObject', () => {
	test.each([
		[
			'v3',
			{ status: '401', type: 'AUTHENTICATION', code: 'UNAUTHORIZED', title: 'Unauthorized', detail: 'Token expired', links: { about: DOCS } },
			{ type: 'AUTHENTICATION', code: 'UNAUTHORIZED', title: 'Unauthorized', detail: 'Token expired', docsUrl: DOCS },
		],
		[
			'flat (v2 style)',
			{
				type: 'RATE_LIMIT',
				code: 'VEHICLE',
				description: 'Too many requests',
				docURL: DOCS,
				statusCode: 429,
				requestId: 'req-1',
				resolution: { type: 'RETRY_LATER' },
				suggestedUserMessage: 'Try again later.',
			},
			{ type: 'RATE_LIMIT', code: 'VEHICLE', description: 'Too many requests', docsUrl: DOCS, resolution: 'RETRY_LATER', suggestedUserMessage: 'Try again later.' },
		],
		['docUrl spelling, resolution as text', { docUrl: DOCS, resolution: 'CONTACT_SUPPORT' }, { docsUrl: DOCS, resolution: 'CONTACT_SUPPORT' }],
		['links.about wins over docURL', { links: { about: DOCS }, docURL: 'https://other' }, { docsUrl: DOCS }],
		[
			'a webhook error: state, and a null code left out',
			{ type: 'VEHICLE', code: null, state: 'RESOLVED', description: 'Back online', signals: ['Odometer.TraveledDistance'] },
			{ type: 'VEHICLE', state: 'RESOLVED', description: 'Back online' },
		],
		['fields that are not text are left out', { type: { nested: true }, title: ['x'], detail: 42 }, { detail: '42' }],
		['not an object', 'Bad Gateway', {}],
		['absent', undefined, {}],
	])('%s', (_case, raw, expected) => {
		expect(readErrorObject(raw)).toEqual(expected);
	});
});

describe('an API error answer (parseSmartcarError)', () => {
	test.each([
		[
			'v3 JSON:API, with the request ID and retry-after from the headers',
			429,
			{ errors: [{ status: '429', type: 'RATE_LIMIT', code: 'VEHICLE', title: 'Rate limit', detail: 'Slow down', links: { about: DOCS } }] },
			{ 'sc-request-id': 'req-9', 'retry-after': '30' },
			{ status: 429, type: 'RATE_LIMIT', code: 'VEHICLE', title: 'Rate limit', detail: 'Slow down', docsUrl: DOCS, requestId: 'req-9', retryAfterSeconds: 30 },
		],
		[
			'flat, as JSON text: description as detail, requestId from the body',
			409,
			JSON.stringify({ type: 'vehicle_state', code: 'ASLEEP', description: 'The vehicle is asleep', requestId: 'req-2', resolution: { type: 'RETRY_LATER' } }),
			undefined,
			{ status: 409, type: 'VEHICLE_STATE', code: 'ASLEEP', detail: 'The vehicle is asleep', requestId: 'req-2', resolution: 'RETRY_LATER' },
		],
		[
			'OAuth2 shape (a proxy, a token endpoint): error and error_description',
			400,
			{ error: 'invalid_request', error_description: 'Missing parameter' },
			undefined,
			{ status: 400, type: 'VALIDATION', title: 'invalid_request', detail: 'Missing parameter' },
		],
		['no type: the one documented for the status', 404, {}, undefined, { status: 404, type: 'RESOURCE_NOT_FOUND' }],
		['plain text: its first 500 characters as detail', 502, 'Bad Gateway', undefined, { status: 502, type: 'UPSTREAM', detail: 'Bad Gateway' }],
		['an empty text body, an undocumented status', 418, '  ', undefined, { status: 418 }],
	])('%s', (_case, status, body, headers, expected) => {
		expect(parseSmartcarError(status, body, headers)).toEqual(expected);
	});
});

describe('the same error object in both nodes\' items', () => {
	const raw = {
		type: 'COMPATIBILITY',
		code: 'SIGNAL_UNSUPPORTED',
		title: 'Not supported',
		detail: 'This vehicle does not report it',
		description: 'Deprecated text',
		docURL: DOCS,
		resolution: { type: 'CONTACT_SUPPORT' },
		suggestedUserMessage: 'Nothing to do',
	};

	test('a failed signal (Smartcar node and trigger): detail before the deprecated description', () => {
		const signal = normalizeSignal({ code: 'odometer-traveleddistance', status: { value: 'ERROR', error: raw } }, 'v1');
		expect(signal.error).toEqual({
			type: 'COMPATIBILITY',
			code: 'SIGNAL_UNSUPPORTED',
			title: 'Not supported',
			detail: 'This vehicle does not report it',
			resolution: 'CONTACT_SUPPORT',
		});
	});

	test('a VEHICLE_ERROR entry (trigger): the webhook\'s description first, signals as codes', () => {
		const event = parseWebhookEvent({
			eventType: 'VEHICLE_ERROR',
			data: { errors: [{ ...raw, state: 'ERROR', signals: [{ code: 'odometer-traveleddistance' }, 'Charge.IsCharging'] }] },
		});
		expect(event.errors).toEqual([
			{
				type: 'COMPATIBILITY',
				code: 'SIGNAL_UNSUPPORTED',
				state: 'ERROR',
				description: 'Deprecated text',
				suggestedUserMessage: 'Nothing to do',
				docsUrl: DOCS,
				resolution: 'CONTACT_SUPPORT',
				signals: ['odometer-traveleddistance', 'charge-ischarging'],
			},
		]);
	});

	test('absent fields are null in the items', () => {
		const signal = normalizeSignal({ code: 'odometer-traveleddistance', status: 'ERROR' }, 'v1');
		expect(signal.error).toEqual({ type: null, code: null, title: null, detail: null, resolution: null });
		expect(parseWebhookEvent({ data: { errors: [{}] } }).errors).toEqual([
			{ type: null, code: null, state: null, description: null, suggestedUserMessage: null, docsUrl: null, resolution: null, signals: [] },
		]);
	});
});
