// A throwaway PostgreSQL for the e2e tests and `portcullis dev`: server binaries from cli/dev/binaries.ts,
// a fresh cluster in a temporary folder, listening on a free loopback port, password auth with a
// password made up at start. As root (CI containers) the server runs as the `postgres` user, since
// initdb refuses root. A detached guardian process stops the server and removes the folder when
// our end of its stdin closes — on stop(), or when this process dies without cleaning up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureBinary } from './binaries.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface LocalPostgres {
  /** Superuser connection string (TCP, 127.0.0.1) to the `postgres` database. */
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

/** Unprivileged account the server runs as when we are root (created by Debian's package). */
const SERVER_USER = 'postgres';
const SUPERUSER = 'admin';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Starts a server from the binaries cli/dev/binaries.ts finds (installing Debian's package as root when none is there). */
export async function startPostgres(options: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<LocalPostgres> {
  const bin = (await ensureBinary('postgres', { log: options.log })).path;
  const owner = process.getuid?.() === 0 ? await account(SERVER_USER) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-pg-'));
  const data = join(dir, 'data');
  if (owner) await chown(dir, owner.uid, owner.gid);
  await chmod(dir, 0o700);
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find(executable) ?? 'runuser';
  const as = (command: string, args: string[]) => (owner ? [runuser, ['-u', SERVER_USER, '--', command, ...args]] : [command, args]) as [string, string[]];
  const guardian = startGuardian(as(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']), dir);
  const stop = () => stopGuardian(guardian);

  try {
    const password = randomBytes(18).toString('base64url');
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, password + '\n', { mode: 0o600 });
    if (owner) await chown(pwfile, owner.uid, owner.gid);
    await run(...as(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']), { cwd: dir });
    await rm(pwfile);

    const timeout = Math.ceil((options.timeoutMs ?? 30_000) / 1000);
    // The free port may be taken between finding and binding it; a second try settles that race.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = [
        `-p ${port}`, '-c listen_addresses=127.0.0.1', `-k ${dir}`,
        // Throwaway data: durability off for speed.
        '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
      ].join(' ');
      try {
        await run(...as(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', String(timeout), '-o', settings]), { cwd: dir });
      } catch (error) {
        if (attempt < 3) continue;
        const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log.slice(-2000)}`);
      }
      const connectionString = `postgresql://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`;
      return { connectionString, port, stop };
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

async function account(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error(`running as root, but there is no "${name}" user to run PostgreSQL as (the postgresql package creates it)`);
  }
}

// Runs in its own process group, so signals aimed at ours do not take it down before it has cleaned up.
const GUARDIAN = `
const { execFileSync } = require('node:child_process');
const { existsSync, rmSync } = require('node:fs');
const [dir, command, ...args] = process.argv.slice(1);
let done = false;
const cleanUp = () => {
  if (done) return;
  done = true;
  if (existsSync(dir + '/data/postmaster.pid')) {
    try { execFileSync(command, args, { cwd: dir, stdio: 'ignore', timeout: 60000 }); } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, cleanUp);
`;

function startGuardian([command, args]: [string, string[]], dir: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', GUARDIAN, dir, command, ...args], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  // The guardian must not keep this process alive; it acts when we are gone.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return child;
}

function stopGuardian(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // Waiting for it is work in progress: keep this process alive until the guardian is done.
    child.ref();
    child.stdin?.end();
  });
}

/** A small shop: customers with personal data (documented test card numbers only) and their orders. */
export const DEMO_SEED_SQL = `
CREATE TABLE customers (
  id          integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  name        text NOT NULL,
  email       text NOT NULL UNIQUE,
  card_number text,
  api_token   text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  id          integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  customer_id integer NOT NULL REFERENCES customers (id),
  total       numeric(10, 2) NOT NULL,
  status      text NOT NULL DEFAULT 'open'
);
INSERT INTO customers (name, email, card_number, api_token) VALUES
  ('Ada Lovelace',   'ada@example.com',   '4111 1111 1111 1111', 'tok_live_ada_7f3a9c21'),
  ('Alan Turing',    'alan@example.org',  '5555 5555 5555 4444', 'tok_live_alan_0b8e44d2'),
  ('Grace Hopper',   'grace@example.net', '3782 822463 10005',   'tok_live_grace_91cc3e07');
INSERT INTO orders (customer_id, total, status) VALUES
  (1, 120.50, 'open'), (1, 35.00, 'shipped'), (2, 990.00, 'open'), (3, 12.75, 'cancelled');
`;

/**
 * Creates database `shop` from `seedSql` (the demo tables by default) and a login role `agent` that
 * may read and write rows but owns nothing, so cannot drop or alter the tables. Returns the agent's
 * connection string (the gateway's credential) and the owner's (for seeding and checking).
 */
export async function seedDemo(admin: string, seedSql: string = DEMO_SEED_SQL): Promise<{ agent: string; owner: string }> {
  const password = randomBytes(18).toString('base64url');
  await withClient(admin, async (client) => {
    await client.query(`CREATE ROLE agent LOGIN PASSWORD '${password}'`);
    await client.query('CREATE DATABASE shop');
  });
  const owner = databaseUrl(admin, 'shop');
  await withClient(owner, async (client) => {
    await client.query(seedSql);
    // PostgreSQL 15 and later do this by default; older servers let every role create tables.
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await client.query('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO agent');
    await client.query('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO agent');
  });
  const agent = new URL(owner);
  agent.username = 'agent';
  agent.password = password;
  return { agent: agent.toString(), owner };
}

function databaseUrl(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
