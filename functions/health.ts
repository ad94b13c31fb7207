// Liveness and dependency checks: 200 when blob, table, Service Bus and the policy are fine,
// 503 naming the one that is not.
import { healthChecks } from '../shared/app/health-checks.js';
import { runtime } from '../shared/app/runtime.js';
import { defineHttp } from '../shared/platform/triggers.js';
import { checkHealth } from '../shared/platform/health.js';

export const health = defineHttp({
  name: 'health',
  route: 'health',
  methods: ['GET'],
  handler: async () => {
    const report = await checkHealth(healthChecks(runtime()));
    return {
      status: report.status === 'healthy' ? 200 : 503,
      headers: { 'cache-control': 'no-store' },
      jsonBody: report,
    };
  },
});
