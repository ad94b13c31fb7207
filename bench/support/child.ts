// Starts bench/support/stack.ts in a child process (so the load generator does not share its
// event loop with the gateway) and returns what it printed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BenchStack {
  gateway: string;
  upstream: string;
  storage: string;
  tokens: string[];
  stop(): Promise<void>;
}

export async function startBenchStack(agents = 1): Promise<BenchStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stack.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_AGENTS: String(agents) },
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return {
    ...(JSON.parse(line) as Omit<BenchStack, 'stop'>),
    async stop() {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}
