// Liveness and dependency checks: 200 when blob, table, Service Bus and the policy are fine,
// 503 naming the one that is not.
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const health = defineHttp({ name: 'health', route: ROUTES.health, methods: ['GET'], handler: entries.health });
