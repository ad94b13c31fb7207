// The composition root, as the function files see it: the entries they call, how to define a
// trigger, the routes and queue they bind to, and what the Azure entry point registers with.
export * as entries from './entries.js';
export { APPROVALS_QUEUE } from '../approvals/names.js';
export { app } from '../platform/azure-functions.js';
export { loadConfig } from '../platform/config.js';
export { ROUTES } from '../platform/routes.js';
export { ALL_METHODS, defineHttp, defineQueue, defineTimer, type FunctionDefinition } from '../platform/triggers.js';
