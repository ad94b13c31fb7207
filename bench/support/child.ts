// The benchmarks' processes: the local stack (bench/support/stack.ts), the upstream, a bare proxy
// and Portkey's gateway each run in a child process, so the load generator does not share an
// event loop with what it measures and each one's CPU time can be read on its own (Linux /proc).
// Our scripts run compiled by tsc (compiled.ts), as Azure runs the app, not through tsx.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compiledScript } from './compiled.js';
import { freePort } from '../../cli/dev/ports.js';

export interface Child {
  pid: number;
  /** CPU seconds this process has used so far. */
  cpu(): number;
  /** Peak resident set size so far, in bytes (VmHWM). */
  peakRss(): number;
  stop(): Promise<void>;
}

export interface BenchStack extends Omit<Child, 'cpu'> {
  gateway: string;
  upstream: string;
  storage: string;
  tokens: string[];
  /** CPU seconds used so far by the stack process (the gateway) and by Azurite. */
  cpu(): { stack: number; azurite: number };
}

/** With BENCH_PROFILE=<dir>, the stack process writes a V8 CPU profile there when it stops. */
export interface StackOptions {
  agents?: number;
  /** The upstream the stack's connections forward to (the stack starts its own when absent). */
  upstream?: string;
  recording?: 'strict' | 'best-effort';
  env?: Record<string, string>;
}

const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function peakRss(pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
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

function handle(child: ChildProcess): Child {
  return {
    pid: child.pid!,
    cpu: () => cpuSeconds(child.pid!),
    peakRss: () => peakRss(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // The scripts stop (and clean up) when their stdin closes; others are sent SIGTERM.
      if (child.stdin) child.stdin.end();
      else child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts one of bench/support's scripts, compiled, and returns what it printed on its first line. */
export async function startScript<T>(script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Child & T> {
  const file = await compiledScript(fileURLToPath(new URL(script, import.meta.url)));
  const child = spawn(process.execPath, [...nodeArgs, file], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  // A script that fails before its first line has exited: say so rather than wait for the line.
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} exited (${code}) before it started`);
  });
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited])) as [string];
  exited.catch(() => {});
  return { ...(JSON.parse(line) as T), ...handle(child) };
}

export async function startBenchStack(options: StackOptions = {}): Promise<BenchStack> {
  const stack = await startScript<Pick<BenchStack, 'gateway' | 'upstream' | 'storage' | 'tokens'>>('./stack.ts', {
    ...options.env,
    BENCH_AGENTS: String(options.agents ?? 1),
    BENCH_RECORDING: options.recording ?? 'strict',
    ...(options.upstream ? { BENCH_UPSTREAM: options.upstream } : {}),
  }, process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
  const azurite = childrenOf(stack.pid).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('azurite'));
  return { ...stack, cpu: () => ({ stack: cpuSeconds(stack.pid), azurite: azurite ? cpuSeconds(azurite) : NaN }) };
}

const PORTKEY = fileURLToPath(new URL('../portkey/', import.meta.url));
const PORTKEY_SERVER = `${PORTKEY}node_modules/@portkey-ai/gateway/build/start-server.js`;

/**
 * Portkey's open-source gateway (bench/portkey, with the @hono/node-server its own lockfile pins),
 * installed there on first use; kept out of the project's dependencies.
 */
export async function startPortkey(): Promise<Child & { url: string }> {
  if (!existsSync(PORTKEY_SERVER)) {
    const install = spawn('npm', ['ci', '--prefix', PORTKEY, '--no-audit', '--no-fund'], { stdio: 'inherit' });
    const [code] = (await once(install, 'exit')) as [number];
    if (code !== 0) throw new Error(`npm ci --prefix bench/portkey failed (${code})`);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [PORTKEY_SERVER, `--port=${port}`, '--headless'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`Portkey's gateway exited (${child.exitCode})`);
    const up = await fetch(url).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (attempt > 300) throw new Error("Portkey's gateway did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, ...handle(child) };
}
