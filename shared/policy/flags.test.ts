import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MYSQL_FLAGS } from '../connections/mysql/flags.js';
import { SQL_FLAGS } from '../connections/postgres/flags.js';
import { connectionSchema } from '../connections/schemas.js';
import { SHELL_FLAGS } from '../connections/shell-flags.js';
import { KIND_FLAGS, unknownFlag } from './flags.js';

describe('risk flags the policy knows', () => {
  it('are the SQL kinds\' catalogues and the shell flags, exactly', () => {
    assert.deepEqual([...KIND_FLAGS.postgres].sort(), Object.keys(SQL_FLAGS).sort());
    assert.deepEqual([...KIND_FLAGS.mysql].sort(), Object.keys(MYSQL_FLAGS).sort());
    for (const kind of ['ssh', 'kubernetes'] as const) for (const flag of SHELL_FLAGS) assert.ok(KIND_FLAGS[kind].includes(flag), `${kind} ${flag}`);
  });

  it('cover every connection kind', () => {
    assert.deepEqual(Object.keys(KIND_FLAGS).sort(), connectionSchema.options.map((o) => o.shape.kind.value).sort());
  });

  it('are checked against the kinds given, or every kind', () => {
    assert.equal(unknownFlag('ddl', new Set(['postgres', 'http'])), undefined);
    assert.match(unknownFlag('ddl', new Set(['http']))!, /only on postgres, mysql connections/);
    assert.match(unknownFlag('dll', new Set())!, /not a flag any connection kind sets/);
    assert.equal(unknownFlag('cluster-wide', new Set()), undefined);
  });
});
