// The SQL as the MySQL/MariaDB server reads it, for the grammar to parse. node-sql-parser lexes
// comments differently from the server: it ends `--` and `#` comments at `\r` (the server at `\n`
// only) and takes `--` followed by anything for a comment (the server needs whitespace or a
// control character after it: `--1` is minus minus one). Either lets a statement hide what the
// server runs, so the comments are found here, as the server's lexer finds them (strings in both
// quotes with backslash escapes, backtick identifiers), and replaced by a space; what the two
// could still read differently is refused. Assumes the session's sql_mode has neither ANSI_QUOTES
// nor NO_BACKSLASH_ESCAPES: execute.ts pins it so. Pure.

/** The text with its comments blanked, or why the server's reading cannot be known for sure. */
export type ServerReading = { text: string } | { refused: string };

// A comment the server runs (`/*! … */`, MariaDB's `/*M! … */`) or reads (MySQL's optimizer hints
// `/*+ … */`, which can set session variables): the grammar would take each for a comment.
const EXECUTED_COMMENT = /^\/\*(?:[Mm]?!|\+)/;

export function serverReading(sql: string): ServerReading {
  let text = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\0') return { refused: 'a NUL character' };
    if (c === "'" || c === '"') {
      const end = stringEnd(sql, i);
      if (end < 0) return { refused: 'an unterminated string' };
      text += sql.slice(i, end);
      i = end;
    } else if (c === '`') {
      const end = identifierEnd(sql, i);
      if (end < 0) return { refused: 'an unterminated quoted identifier' };
      text += sql.slice(i, end);
      i = end;
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && endsDashes(sql[i + 2]))) {
      const end = sql.indexOf('\n', i);
      text += ' ';
      i = end < 0 ? sql.length : end;
    } else if (c === '-' && sql[i + 1] === '-') {
      return { refused: '"--" without a space after it, which the server reads as two minus signs and the grammar as a comment' };
    } else if (c === '/' && sql[i + 1] === '*') {
      if (EXECUTED_COMMENT.test(sql.slice(i, i + 4))) return { refused: 'an executable comment (/*! … */, /*M! … */ or /*+ … */)' };
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { refused: 'an unterminated comment' };
      text += ' ';
      i = end + 2;
    } else {
      text += c;
      i++;
    }
  }
  return { text };
}

/** The server's `--` comment: the dashes followed by whitespace, a control character or the end. */
function endsDashes(next: string | undefined): boolean {
  if (next === undefined) return true;
  const code = next.charCodeAt(0);
  return code <= 0x20 || code === 0x7f;
}

/** Index after a quoted string: a backslash escapes the next character, a doubled quote is one. */
function stringEnd(sql: string, start: number): number {
  const quote = sql[start]!;
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return -1;
}

/** Index after a backtick identifier (no escapes; a doubled backtick is one). */
function identifierEnd(sql: string, start: number): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '`') {
      if (sql[i + 1] !== '`') return i + 1;
      i++;
    }
  }
  return -1;
}
