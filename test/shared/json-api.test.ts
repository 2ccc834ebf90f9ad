/**
 * The JSON:API envelope (nodes/shared/json-api.ts): every reader accepts Smartcar's v3 envelope and the flat form of
 * its documented examples and older answers, and gives nothing for anything else.
 */
import { attributesOf, errorObjectOf, nextLink, nextPageOf, relationshipId, resourceList, resourceOf } from '../../nodes/shared/json-api';

describe('resourceOf: the resource of a single-resource answer', () => {
	test.each([
		['wrapped in data (real traffic)', { data: { id: 'v1', type: 'vehicle' }, included: { vehicle: {} } }, { id: 'v1', type: 'vehicle' }],
		['flat (documented examples)', { id: 'v1', type: 'vehicle' }, { id: 'v1', type: 'vehicle' }],
		['data is a list, not a resource: the body', { data: [{ id: 'v1' }] }, { data: [{ id: 'v1' }] }],
		['data is null: the body', { data: null, id: 'v1' }, { data: null, id: 'v1' }],
		['a text body', 'Bad Gateway', {}],
		['no body', undefined, {}],
		['a list body', [{ id: 'v1' }], {}],
	])('%s', (_case, body, expected) => {
		expect(resourceOf(body)).toEqual(expected);
	});
});

describe('attributesOf: the fields of a resource', () => {
	test.each([
		['v3: under attributes', { id: 'v1', attributes: { make: 'TESLA' } }, { make: 'TESLA' }],
		['flat: the resource itself', { id: 'v1', make: 'TESLA' }, { id: 'v1', make: 'TESLA' }],
		['attributes that are not an object: the resource itself', { attributes: 'x', make: 'TESLA' }, { attributes: 'x', make: 'TESLA' }],
	])('%s', (_case, resource, expected) => {
		expect(attributesOf(resource)).toEqual(expected);
	});
});

describe('resourceList: the resources of a list answer', () => {
	test.each([
		['data as a list', { data: [{ id: 'a' }, { id: 'b' }], links: {} }, [{ id: 'a' }, { id: 'b' }]],
		['an empty page', { data: [] }, []],
		['data as a single resource', { data: { id: 'a' } }, undefined],
		['another list name (shape A connections)', { connections: [{ id: 'a' }] }, undefined],
		['a bare list', [{ id: 'a' }], undefined],
	])('%s', (_case, body, expected) => {
		expect(resourceList(body)).toEqual(expected);
	});
});

describe('nextLink: where the next page is', () => {
	test.each([
		['an absolute link', { links: { next: 'https://vehicle.api.smartcar.com/v3/connections?page[number]=2' } }, 'https://vehicle.api.smartcar.com/v3/connections?page[number]=2'],
		['a relative link', { links: { self: '/v3/x', next: '/v3/x?page[number]=2' } }, '/v3/x?page[number]=2'],
		['the last page: next is null', { links: { next: null } }, undefined],
		['the last page: next is empty', { links: { next: '' } }, undefined],
		['no links', { data: [] }, undefined],
		['no body', undefined, undefined],
	])('%s', (_case, body, expected) => {
		expect(nextLink(body)).toBe(expected);
	});
});

describe('relationshipId: the ID a relationship points at', () => {
	const connection = {
		relationships: { vehicle: { data: { id: '36ab', type: 'vehicle' } }, user: { data: { id: '218e', type: 'user' } } },
	};
	test.each([
		['vehicle', connection, '36ab'],
		['user', connection, '218e'],
		['owner (not there)', connection, undefined],
		['user (no relationships)', { id: 'c1' }, undefined],
		['user (relationship without data)', { relationships: { user: { links: {} } } }, undefined],
	])('%s', (name, resource, expected) => {
		expect(relationshipId(resource, name)).toBe(expected);
	});
});

describe('errorObjectOf: the error object of an error answer', () => {
	test.each([
		['v3: the first of errors', { errors: [{ code: 'FIRST' }, { code: 'SECOND' }] }, { code: 'FIRST' }],
		['flat: the body itself', { type: 'RATE_LIMIT', code: 'VEHICLE' }, { type: 'RATE_LIMIT', code: 'VEHICLE' }],
		['an empty first error: the body', { errors: [{}], type: 'SERVER' }, { errors: [{}], type: 'SERVER' }],
		['errors that is not a list: the body', { errors: 'x', type: 'SERVER' }, { errors: 'x', type: 'SERVER' }],
		['no body', undefined, {}],
	])('%s', (_case, body, expected) => {
		expect(errorObjectOf(body)).toEqual(expected);
	});
});

describe('nextPageOf: the next page of a list paged by page[number] and page[size]', () => {
	const page2of = { pageNumber: 2, pageSize: 10, received: 10 };
	test.each([
		['links.next given: follow it', { data: [], links: { next: '/v3/webhooks?page[number]=3' } }, page2of, { link: '/v3/webhooks?page[number]=3' }],
		['links.next null: the last page, whatever meta says', { links: { next: null }, meta: { totalCount: 500 } }, page2of, null],
		['links.next empty: the last page', { links: { self: '/x', next: '' } }, page2of, null],
		['links without next, meta.totalCount beyond this page: the next number', { links: { self: '/x' }, meta: { pageNumber: 2, pageSize: 10, totalCount: 21 } }, page2of, { pageNumber: 3 }],
		['no links, meta.totalCount reached: the last page', { meta: { pageNumber: 2, pageSize: 10, totalCount: 20 } }, page2of, null],
		['meta.totalCount only: the asked number and size count', { meta: { totalCount: 25 } }, page2of, { pageNumber: 3 }],
		['meta with the server\'s smaller page size', { meta: { pageNumber: 2, pageSize: 5, totalCount: 12 } }, { pageNumber: 2, pageSize: 10, received: 5 }, { pageNumber: 3 }],
		['meta with a page size of 0: the asked size counts', { meta: { pageNumber: 1, pageSize: 0, totalCount: 15 } }, { pageNumber: 1, pageSize: 10, received: 10 }, { pageNumber: 2 }],
		['meta.totalCount not a number: a full page means another', { meta: { totalCount: '30' } }, page2of, { pageNumber: 3 }],
		['neither links nor meta, a full page: ask for the next', { data: [] }, page2of, { pageNumber: 3 }],
		['neither links nor meta, a short page: the last', { data: [] }, { pageNumber: 2, pageSize: 10, received: 9 }, null],
		['an empty page is always the last', { links: { next: '/x?page[number]=2' } }, { pageNumber: 1, pageSize: 10, received: 0 }, null],
	])('%s', (_case, body, page, expected) => {
		expect(nextPageOf(body, page)).toEqual(expected);
	});
});
