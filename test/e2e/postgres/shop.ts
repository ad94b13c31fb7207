// The database behind the postgres e2e suite: a real PostgreSQL (the distribution's server, started
// by cli/dev/postgres.ts) with the demo shop, plus a function that writes although it is called
// from a SELECT, to show the READ ONLY transaction stopping what classification cannot see.
import pg from 'pg';
import { DEMO_SEED_SQL, seedDemo, startPostgres, type LocalPostgres } from '../../../cli/dev/postgres.js';

const TEST_SEED_SQL = `${DEMO_SEED_SQL}
CREATE FUNCTION touch_customer(customer integer) RETURNS integer LANGUAGE sql AS $$
  UPDATE customers SET name = name || '!' WHERE id = customer RETURNING id
$$;
`;

export interface Shop {
  server: LocalPostgres;
  /** The agent role's connection string: the gateway's credential. */
  agent: string;
  /** Runs a query as the tables' owner, to check what the gateway did (or did not) do. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startShop(): Promise<Shop> {
  const server = await startPostgres();
  try {
    const { agent, owner } = await seedDemo(server.connectionString, TEST_SEED_SQL);
    const pool = new pg.Pool({ connectionString: owner, max: 2 });
    return {
      server,
      agent,
      query: async (sql, params) => (await pool.query(sql, params)).rows,
      async stop() {
        await pool.end();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
