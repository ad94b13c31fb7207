// The mysql connection kind (MySQL, MariaDB, Azure Database for MySQL): agents POST { sql, params }
// to /api/sql/{connection}; the statement is classified with the dialect's grammar, judged, run
// under guard rails with mysql2 and answered masked.
import { databaseUnavailable, noConnectionString, requestChanged } from './refusals.js';
import { affectedRowsLimit, heldForRowCount, TooManyRowsAffected } from '../affected-rows.js';
import type { ConnectionKind } from '../kind.js';
import { maskedSqlResponse } from '../sql-result.js';
import { prepareSql, toOperation } from './classify.js';
import { refusalFor } from './errors.js';
import { execute, MysqlFailure } from './execute.js';
import { derivedMasks, readsMasked } from './outputs.js';
import type { MysqlConnection } from './schema.js';
import { jsonAnswer } from '../json-answer.js';

export const mysqlKind: ConnectionKind = {
  route: 'sql',
  readsBody: true,
  classify(request, connection) {
    const config = connection.config as MysqlConnection;
    return toOperation(prepareSql(request, config), request, config);
  },
  async forward(request, operation, context) {
    const config = context.connection.config as MysqlConnection;
    const prepared = prepareSql(request, config);
    // What runs must be what was judged (a held request is forwarded after its review).
    if (prepared.sql !== operation.text) {
      throw requestChanged();
    }
    const uri = await context.credential();
    if (!uri) {
      throw noConnectionString(context.connection.name);
    }
    // Unqualified tables were judged as the configured database's: the login must default to it.
    if (config.database !== undefined && uriDatabase(uri) !== config.database) {
      throw databaseUnavailable(context.connection.name, 'its connection string names another database than the connection\'s `database`');
    }
    const sensitiveName = (name: string) => context.masker.json({ [name]: 'x' }, '$').findings.length > 0;
    let result;
    try {
      result = await execute(uri, {
        sql: prepared.sql,
        params: prepared.params,
        readOnly: prepared.analysis.readOnly,
        command: prepared.analysis.action,
        rowLimit: config.rowLimit,
        maxBytes: context.maxBodyBytes,
        statementTimeoutMs: config.statementTimeoutMs,
        maxAffectedRows: affectedRowsLimit(config.maxAffectedRows, context),
        connectTimeoutMs: context.timeoutMs,
      });
    } catch (error) {
      if (error instanceof TooManyRowsAffected) throw heldForRowCount(error, context.connection.name);
      if (!(error instanceof MysqlFailure)) throw error;
      throw refusalFor(error, {
        connection: context.connection.name,
        masker: context.masker,
        statementTimeoutMs: config.statementTimeoutMs,
        readsMasked: readsMasked(prepared.analysis.outputs, config.maskColumns, sensitiveName),
      });
    }
    const masks = derivedMasks(prepared.analysis.outputs, config.maskColumns, sensitiveName);
    const { body, findings, details } = maskedSqlResponse([result], context.masker, config.maskColumns, masks);
    return jsonAnswer(body, findings, { ...details, readOnly: prepared.analysis.readOnly });
  },
};

/** The database a mysql:// connection string names (its path), if it parses. */
function uriDatabase(uri: string): string | undefined {
  try {
    return decodeURIComponent(new URL(uri).pathname.slice(1)) || undefined;
  } catch {
    return undefined;
  }
}
