// Dependency checks for GET /api/health: each check runs with a time limit; the answer names
// every dependency with its status, so a 503 says which one is down.
export type Check = () => Promise<void>;

export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  dependencies: Record<string, { status: 'up' | 'down'; ms: number; error?: string }>;
}

export async function checkHealth(checks: Record<string, Check>, timeoutMs = 3_000): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
        ]);
        return [name, { status: 'up' as const, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        return [name, { status: 'down' as const, ms: Math.round(performance.now() - started), error: message.slice(0, 200) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { status: entries.every(([, d]) => d.status === 'up') ? 'healthy' : 'unhealthy', dependencies };
}
