// One small pg.Pool per connection, opened on first use, plus one-off connections for cancelling.
// A pool is known by a hash of its connection string: when the secret rotates, the next request
// gets a fresh pool and the old one is closed. The connection string itself is never kept outside
// pg, logged or recorded.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from './execute.js';

export interface PoolOptions {
  poolSize: number;
  connectTimeoutMs: number;
}

const IDLE_TIMEOUT_MS = 30_000;

const pools = new Map<string, { key: string; db: Database }>();

export function databaseFor(connection: string, connectionString: string, options: PoolOptions): Database {
  const key = createHash('sha256').update(JSON.stringify([connectionString, options.poolSize, options.connectTimeoutMs])).digest('hex');
  const known = pools.get(connection);
  if (known?.key === key) return known.db;
  if (known) void known.db.pool.end().catch(() => undefined);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'portcullis',
    // Idle connections must not keep a process (a test, the dev stack) from exiting.
    allowExitOnIdle: true,
  });
  // An idle connection that dies (server restart, network) is dropped by the pool; the next request opens another.
  pool.on('error', () => undefined);
  const db: Database = {
    pool,
    async connect() {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: options.connectTimeoutMs, application_name: 'portcullis' });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
  };
  pools.set(connection, { key, db });
  return db;
}

/** Closes every pool (process shutdown, tests). */
export async function closePools(): Promise<void> {
  const open = [...pools.values()];
  pools.clear();
  await Promise.all(open.map(({ db }) => db.pool.end().catch(() => undefined)));
}
