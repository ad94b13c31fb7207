// PostgreSQL's password file (~/.pgpass) printed through any connection: each entry's password is
// masked, whole, streamed or in a JSON string; the lines that only look like it stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { randomFrom } from '../../test/support/masking.js';

const masker = createMasker();
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** A password no other rule would take: words and a digit, or punctuation inside. */
const password = () => `${randomFrom('abcdefghijklmnopqrstuvwxyz', 5)}${randomFrom('0123456789', 1)}${randomFrom(ALNUM, 4)}!`;

function pgpassFile() {
  const passwords = [password(), password(), password(), password(), `${password()} with blanks`];
  const text = [
    '# hostname:port:database:username:password',
    `localhost:5432:orders:app:${passwords[0]}`,
    `db1.internal:6432:*:replicator:${passwords[1]}`,
    `10.0.0.5:*:analytics:svc_analytics:${passwords[2]}`,
    `*:*:*:postgres:${passwords[3]}`,
    `pg-01:5432:app:app:${passwords[4]}`,
    '',
  ].join('\n');
  return { text, passwords };
}

const leaked = (out: string, passwords: string[]) => passwords.filter((p) => out.includes(p));

describe('pgpass-password: PostgreSQL\'s password file through any connection', () => {
  it('masks the password of every entry, whatever the host, port and database', () => {
    const { text, passwords } = pgpassFile();
    const out = masker.text(text);
    assert.deepEqual(leaked(out.text, passwords), [], out.text);
    assert.equal(out.findings.filter((f) => f.rule === 'pgpass-password').length, passwords.length);
    assert.ok(out.text.includes('localhost:5432:orders:app:[MASKED:pgpass-password]'), out.text);
    assert.ok(out.text.startsWith('# hostname:port:database:username:password\n'), 'the comment stays');
  });

  it('masks it with CRLF line ends, with escaped colons in a field, and inside a JSON string (a tool\'s answer)', () => {
    const pw = password();
    const crlf = masker.text(`localhost:5432:db:user:${pw}\r\nother:5432:db:user:${password()}\r\n`);
    assert.ok(crlf.text.startsWith('localhost:5432:db:user:[MASKED:pgpass-password]\r\n'), crlf.text);
    const escaped = masker.text(`db\\:primary:5432:db:user:${pw}`);
    assert.ok(!escaped.text.includes(pw), escaped.text);
    const { text, passwords } = pgpassFile();
    const json = masker.auto(JSON.stringify({ content: [{ type: 'text', text }] }), 'application/json');
    assert.deepEqual(leaked(json.text, passwords), [], json.text);
  });

  it('masks it in a stream split at every point', () => {
    const { text, passwords } = pgpassFile();
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      assert.deepEqual(leaked(out, passwords), [], `split at ${cut}: ${out}`);
    }
  });

  it('leaves lines that only look like an entry: times, compiler errors, passwd and group lines, addresses, placeholders', () => {
    for (const line of [
      '2024-05-01T10:30:45Z INFO db:5432: connected as app',
      '10:30:45:123 worker started',
      'main.go:12:5: undefined: x',
      'src/app.ts:10:5:error:unexpected token',
      'root:x:0:0:root:/root:/bin/bash',
      'docker:x:999:alice,bob',
      'fe80::1:2:3:4',
      'https://db1.internal:5432/orders and db1.internal:5432:orders',
      'localhost:5432:db:user:password',
      'localhost:5432:db:user:$PGPASSWORD',
      'localhost:5432:db:user:',
      'Note: host:5432: a database: the orders: none',
    ]) {
      assert.equal(masker.text(line).text, line, line);
    }
  });

  it('holds a stream\'s entry while its password may still grow, and nothing of prose', () => {
    const stream = masker.stream();
    // A password with a blank: the engine holds a last word anyway, this rule the rest of the line.
    assert.equal(stream.push('localhost:5432:db:user:correct horse'), 'localhost:5432:db:user:');
    const rest = stream.push(' battery9!\n') + stream.end();
    assert.equal(rest, '[MASKED:pgpass-password]\n');
    const prose = masker.stream();
    assert.equal(prose.push('Note: the host is up '), 'Note: the host is up ');
  });

  it('is off with disabled: [pgpass-password]', () => {
    const line = `localhost:5432:db:user:${password()}`;
    assert.equal(createMasker({ disabled: ['pgpass-password'] }).text(line).text, line);
  });
});
