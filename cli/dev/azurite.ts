// Starts Azurite (the npm package) as a child process: in memory, telemetry and access log off, on free loopback
// ports. The child exits when our stdin pipe closes, so no Azurite outlives the stack. Every
// container and table of shared/app/storage-layout.ts is created before it is handed out, as
// infra/app/storage.bicep creates them in Azure: the app itself never creates a container.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CONTAINERS, TABLE_NAMES } from '../../shared/app/storage-layout.js';
import { blobServiceClient, tableClient } from '../../shared/platform/azure.js';

// Well-known development account (public, documented by Microsoft for Azurite).
export const devAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
};

export interface Azurite {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  connectionString: string;
  /**
   * Stops answering without closing its ports, and resumes (SIGSTOP, SIGCONT): storage that hangs,
   * as a partitioned network makes it, which tests need besides storage that is down.
   */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const exitWithParent = fileURLToPath(new URL('./exit-with-parent.cjs', import.meta.url));

export async function startAzurite(options: { host?: string; timeoutMs?: number; /** Keep the data in this folder instead of in memory. */ location?: string } = {}): Promise<Azurite> {
  const host = options.host ?? '127.0.0.1';
  const entry = createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
  if (options.location) await mkdir(options.location, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      '--require', exitWithParent, entry,
      ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
      // --silent: no access log line per request, which nobody reads and which cost Azurite CPU.
      '--disableTelemetry', '--silent', '--skipApiVersionCheck', '--loose',
      '--blobHost', host, '--blobPort', '0',
      '--queueHost', host, '--queuePort', '0',
      '--tableHost', host, '--tablePort', '0',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // Generous: on a loaded machine (CI running several test files at once) Azurite can take a while to load.
  const ports = await readPorts(child, options.timeoutMs ?? 60_000);
  const blobEndpoint = `http://${host}:${ports.Blob}/${devAccount.name}`;
  const queueEndpoint = `http://${host}:${ports.Queue}/${devAccount.name}`;
  const tableEndpoint = `http://${host}:${ports.Table}/${devAccount.name}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${devAccount.name};AccountKey=${devAccount.key};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`;
  try {
    await provision(connectionString);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    // A paused process would keep its SIGTERM pending until the grace period's SIGKILL.
    stop: () => (child.kill('SIGCONT'), stopChild(child)),
  };
}

async function provision(connectionString: string): Promise<void> {
  const storage = { kind: 'connectionString', connectionString } as const;
  const unused = { getToken: async () => null };
  const blobs = blobServiceClient(storage, unused);
  await Promise.all([
    ...CONTAINERS.map((name) => blobs.getContainerClient(name).createIfNotExists()),
    ...TABLE_NAMES.map((name) => tableClient(storage, unused, name).createTable()),
  ]);
}

function readPorts(child: ChildProcess, timeoutMs: number): Promise<Record<'Blob' | 'Queue' | 'Table', number>> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<'Blob' | 'Queue' | 'Table', number>> = {};
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (data: Buffer) => {
      output += data.toString();
      for (const match of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at \S+:(\d+)/g)) {
        found[match[1] as 'Blob' | 'Queue' | 'Table'] = Number(match[2]);
      }
      if (found.Blob && found.Queue && found.Table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(found as Record<'Blob' | 'Queue' | 'Table', number>);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`Azurite exited with code ${code}:\n${output}`)));
  });
}

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.removeAllListeners('error');
    // SIGTERM alone: Azurite saves its data (with --persist) on a graceful close, which closing
    // stdin (exit-with-parent's cue) would cut short.
    child.kill('SIGTERM');
  });
}
