/** The transport: every Smartcar request (client.ts) and every list (pager.ts). */
export { SmartcarClient } from './client';
export { REQUEST_LIMITS, type SmartcarApiName, type SmartcarRequest, type SmartcarResponse } from './request';
export { listPages, type NextPage, type Page, type PagedList } from './pager';
