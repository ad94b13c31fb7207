// The postgres connection kind: agents POST { sql, params } to /api/sql/{connection}; the SQL is
// classified with PostgreSQL's own parser, judged, run under guard rails and answered masked.
import { affectedRowsLimit, heldForRowCount, TooManyRowsAffected } from '../affected-rows.js';
import type { ConnectionKind } from '../kind.js';
import { prepareSql, toOperation } from './classify.js';
import { refusalFor } from './errors.js';
import { execute, ReadingChanged, SqlFailure } from './execute.js';
import { closePools, databaseFor } from './pools.js';
import { derivedMasks, readsMasked, type LineageInput } from './lineage.js';
import { noConnectionString, requestChanged, sqlReadingChanged } from './refusals.js';
import { maskedResponse } from './result.js';
import type { PostgresConnection } from './schema.js';
import { jsonAnswer } from '../json-answer.js';

export const postgresKind: ConnectionKind = {
  route: 'sql',
  readsBody: true,
  close: closePools,
  async classify(request, connection) {
    return toOperation(await prepareSql(request), request, connection.config as PostgresConnection);
  },
  async forward(request, operation, context) {
    const config = context.connection.config as PostgresConnection;
    const prepared = await prepareSql(request);
    // What runs must be what was judged (a held request is forwarded after its review).
    if (prepared.sql !== operation.text) throw requestChanged();
    const connectionString = await context.credential();
    if (!connectionString) throw noConnectionString(context.connection.name);
    // A pool per tier where each tier is its own login.
    const pool = context.connection.config.credentials ? `${context.connection.name}/${context.tier}` : context.connection.name;
    const db = databaseFor(pool, connectionString, { poolSize: config.poolSize, connectTimeoutMs: context.timeoutMs });
    const lineage: LineageInput = {
      statements: prepared.statements.map((s) => s.node),
      tables: prepared.analysis.resources,
      maskColumns: config.maskColumns,
      sensitiveName: (name) => context.masker.json({ [name]: 'x' }, '$').findings.length > 0,
    };
    let results;
    try {
      results = await execute(db, {
        statements: prepared.statements,
        params: prepared.params,
        readOnly: prepared.analysis.readOnly,
        rowLimit: config.rowLimit,
        // The answer is held whole before it is masked: no more of it than a request may carry.
        maxBytes: context.maxBodyBytes,
        statementTimeoutMs: config.statementTimeoutMs,
        maxAffectedRows: affectedRowsLimit(config.maxAffectedRows, context),
      });
    } catch (error) {
      if (error instanceof TooManyRowsAffected) throw heldForRowCount(error, context.connection.name);
      if (error instanceof ReadingChanged) throw sqlReadingChanged(error.statement + 1);
      if (!(error instanceof SqlFailure)) throw error;
      throw refusalFor(error, {
        connection: context.connection.name,
        masker: context.masker,
        statementTimeoutMs: config.statementTimeoutMs,
        offsets: prepared.statements.map((s) => s.offset),
        readsMasked: readsMasked(lineage),
      });
    }

    const { body, findings, details } = maskedResponse(results, context.masker, config.maskColumns, derivedMasks(lineage));
    return jsonAnswer(body, findings, { ...details, readOnly: prepared.analysis.readOnly });
  },
};
