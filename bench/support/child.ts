// Starts bench/support/stack.ts in a child process (so the load generator does not share its
// event loop with the gateway) and returns what it printed.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BenchStack {
  gateway: string;
  upstream: string;
  storage: string;
  tokens: string[];
  /** CPU seconds used so far by the stack process and by Azurite (Linux /proc). */
  cpu(): { stack: number; azurite: number };
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    });
}

export async function startBenchStack(agents = 1): Promise<BenchStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stack.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_AGENTS: String(agents) },
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const azurite = childrenOf(child.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('azurite'));
  return {
    ...(JSON.parse(line) as Omit<BenchStack, 'stop' | 'cpu'>),
    cpu: () => ({ stack: cpuSeconds(child.pid!), azurite: azurite ? cpuSeconds(azurite) : NaN }),
    async stop() {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}
