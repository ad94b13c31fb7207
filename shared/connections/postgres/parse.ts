// SQL through the real PostgreSQL parser (libpg-query, WASM). Anything it does not accept is
// refused before any rule sees it; what it accepts comes back as one parse tree per statement,
// with each statement's own text so it can be executed on its own.
import { loadModule, parse, type Node } from 'libpg-query';
import { sqlEmpty, sqlSyntax } from './refusals.js';

export interface ParsedStatement {
  /** The statement's node, e.g. `{ SelectStmt: {…} }`. */
  node: Node;
  /** Its text, without the separating semicolon. */
  text: string;
  /** Where it starts in the request's SQL, in characters. */
  offset: number;
}

export async function parseSql(sql: string): Promise<ParsedStatement[]> {
  await loadModule();
  let tree: Awaited<ReturnType<typeof parse>>;
  try {
    tree = await parse(sql);
  } catch (error) {
    const details = (error as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    const message = details?.message ?? (error instanceof Error ? error.message : 'the SQL could not be parsed');
    throw sqlSyntax(message, details ? details.cursorPosition + 1 : undefined);
  }
  // The parser reports statement boundaries in UTF-8 bytes.
  const bytes = Buffer.from(sql, 'utf8');
  const statements = (tree.stmts ?? []).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.byteLength;
    return {
      node: raw.stmt as Node,
      text: bytes.subarray(start, end).toString('utf8').trimEnd(),
      offset: bytes.subarray(0, start).toString('utf8').length,
    };
  });
  if (statements.length === 0) {
    throw sqlEmpty();
  }
  return statements;
}
