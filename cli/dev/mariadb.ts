// A throwaway MariaDB for the e2e tests and `portcullis dev`: the server from cli/dev/binaries.ts
// (Debian's mariadb-server), a fresh data folder in a temporary directory, listening on a free
// loopback port (MariaDB takes no port 0) and a socket in that folder. The admin account is root
// over the socket; the logins the gateway uses are made with their own passwords by the caller.
// stop() ends the server and removes the folder; a failed start cleans up the same way.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { ensureBinary, onPath } from './binaries.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface LocalMariadb {
  port: number;
  /** Runs SQL as root (over the socket), to set up logins and check what the gateway did. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A mysql:// connection string for a login made with query(), over TCP. */
  url(user: string, password: string, database: string): string;
  stop(): Promise<void>;
}

export async function startMariadb(options: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<LocalMariadb> {
  const server = (await ensureBinary('mariadb', { log: options.log })).path;
  const installDb = onPath('mariadb-install-db') ?? onPath('mysql_install_db') ?? join(dirname(server), '..', 'bin', 'mariadb-install-db');
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  // Its own temporary folder, not the shared /tmp: a temporary table of mariadb-install-db's once
  // vanished there during a CI run (beside other tests' servers and clean-ups), and it failed.
  const temp = join(dir, 'tmp');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  let child: ChildProcess | undefined;
  let admin: mysql.Pool | undefined;
  const stop = async () => {
    await admin?.end().catch(() => undefined);
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000).then(() => child!.kill('SIGKILL'))]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(temp);
    await run(installDb, ['--no-defaults', `--datadir=${data}`, `--tmpdir=${temp}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db'], { cwd: dir });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      let output = '';
      child = spawn(server, [
        '--no-defaults', `--datadir=${data}`, `--tmpdir=${temp}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1',
        `--pid-file=${join(dir, 'mariadbd.pid')}`, '--skip-name-resolve', '--innodb-flush-log-at-trx-commit=0', ...user,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      admin = mysql.createPool({ socketPath: socket, user: 'root', connectionLimit: 2 });
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      while (child.exitCode === null && Date.now() < deadline) {
        if (await admin.query('SELECT 1').then(() => true, () => false)) break;
        await sleep(200);
      }
      if (child.exitCode === null && (await admin.query('SELECT 1').then(() => true, () => false))) {
        const pool = admin;
        return {
          port,
          query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params))[0] as T[],
          url: (login, password, database) => `mysql://${encodeURIComponent(login)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
          stop,
        };
      }
      await admin.end().catch(() => undefined);
      admin = undefined;
      // The free port may be taken between finding and binding it; another try settles that race.
      if (attempt >= 3 || child.exitCode === null) throw new Error(`MariaDB did not start:\n${output}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The demo shop in MariaDB (customers, orders) with two logins, for credential tiers: `reader`
 * (SELECT only) and `writer` (row reads and writes, nothing else). Returns their connection strings.
 */
export async function seedMariadbDemo(db: LocalMariadb): Promise<{ reader: string; writer: string }> {
  for (const statement of [
    'CREATE DATABASE shop',
    'CREATE TABLE shop.customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, email VARCHAR(100), card_number VARCHAR(30), api_token VARCHAR(60))',
    "CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, status VARCHAR(20) NOT NULL DEFAULT 'open')",
    `INSERT INTO shop.customers (name, email, card_number, api_token) VALUES
      ('Ada Lovelace', 'ada@example.com', '4111 1111 1111 1111', 'tok_live_ada_7f3a9c21'),
      ('Alan Turing', 'alan@example.org', '5555 5555 5555 4444', 'tok_live_alan_0b8e44d2'),
      ('Grace Hopper', 'grace@example.net', '3782 822463 10005', 'tok_live_grace_5d1e7f90')`,
    'INSERT INTO shop.orders (customer_id, total) VALUES (1, 10.50), (2, 99.99), (3, 5.00)',
  ]) {
    await db.query(statement);
  }
  const reader = randomBytes(18).toString('base64url');
  const writer = randomBytes(18).toString('base64url');
  await db.query("CREATE USER 'reader'@'%' IDENTIFIED BY ?", [reader]);
  await db.query("GRANT SELECT ON shop.* TO 'reader'@'%'");
  await db.query("CREATE USER 'writer'@'%' IDENTIFIED BY ?", [writer]);
  await db.query("GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO 'writer'@'%'");
  return { reader: db.url('reader', reader, 'shop'), writer: db.url('writer', writer, 'shop') };
}
