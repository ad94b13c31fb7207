import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryLine, formatManifest, parseManifest, type Manifest } from './manifest.js';

const digest = (c: string) => c.repeat(64);
const manifest: Manifest = {
  v: 2,
  from: '2025-01-01',
  to: '2025-01-02',
  createdAt: '2025-01-03T00:30:00.000Z',
  files: [
    { path: '2025/01/01/a.jsonl', sessionId: 'a', day: '2025-01-01', bytes: 10, sha256: digest('1'), events: 2, head: digest('2') },
    { path: '2025/01/02/b.jsonl', sessionId: 'b', day: '2025-01-02', bytes: 20, sha256: digest('3'), events: 3, head: digest('4') },
  ],
  ledgers: [{ path: 'ledger/2025/01/01.jsonl', day: '2025-01-01', bytes: 30, sha256: digest('5') }],
  signature: { alg: 'ES256', keyId: 'local:k', thumbprint: 'A'.repeat(43), value: 'c2ln' },
};

describe('manifest', () => {
  it('writes one file per line and reads back what it wrote', () => {
    const text = formatManifest(manifest);
    assert.deepEqual(parseManifest(text), { manifest });
    assert.equal(entryLine(text, '2025/01/01/a.jsonl'), 7);
    assert.equal(entryLine(text, '2025/01/02/b.jsonl'), 8);
    assert.deepEqual(parseManifest(formatManifest({ ...manifest, files: [] })), { manifest: { ...manifest, files: [] } });
    const { signature: _s, ...unsigned } = manifest;
    assert.deepEqual(parseManifest(formatManifest({ ...unsigned, ledgers: [] })), { manifest: { ...unsigned, ledgers: [] } });
  });

  it('says on which line an entry is wrong', () => {
    const text = formatManifest(manifest).replace('"events":3', '"events":-3');
    assert.deepEqual(parseManifest(text), { line: 8, message: 'files.1.events: Too small: expected number to be >=0' });
  });

  it('says where the JSON breaks', () => {
    const result = parseManifest(formatManifest(manifest).replace('"to":', '"to"'));
    assert.equal('line' in result && result.line, 4);
  });
});
