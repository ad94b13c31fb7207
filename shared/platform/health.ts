// Dependency checks for GET /api/health: each check runs with a time limit; the answer names
// every dependency with its status, so a 503 says which one is down.
import { within } from './within.js';

export type Check = () => Promise<void>;

export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  dependencies: Record<string, { status: 'up' | 'down'; ms: number; error?: string }>;
}

/** Anonymous callers read this: a code or status, never a message that may name hosts or accounts. */
function describe(error: unknown): string {
  const e = error as { code?: unknown; statusCode?: unknown; name?: unknown };
  if (typeof e?.statusCode === 'number') return `HTTP ${e.statusCode}${typeof e.code === 'string' ? ` ${e.code}` : ''}`;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'error';
}

export async function checkHealth(checks: Record<string, Check>, timeoutMs = 3_000): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await within(check(), timeoutMs, () => Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
        return [name, { status: 'up' as const, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [name, { status: 'down' as const, ms: Math.round(performance.now() - started), error: describe(error) }] as const;
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { status: entries.every(([, d]) => d.status === 'up') ? 'healthy' : 'unhealthy', dependencies };
}
