import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blobPath, parseBlobPath } from './names.js';

describe('blob paths', () => {
  it('names the first blob of a session-day and the parts it rolls over into, and reads them back', () => {
    assert.equal(blobPath('2025-06-01', 's-1'), '2025/06/01/s-1.jsonl');
    assert.equal(blobPath('2025-06-01', 's-1', 2), '2025/06/01/s-1~2.jsonl');
    assert.deepEqual(parseBlobPath('2025/06/01/s-1~2.jsonl'), { day: '2025-06-01', sessionId: 's-1', part: 2 });
    assert.deepEqual(parseBlobPath('2025/06/01/s-1.jsonl'), { day: '2025-06-01', sessionId: 's-1', part: 0 });
  });

  it('never reads a session whose id ends like a part number as a part of another session', () => {
    assert.deepEqual(parseBlobPath(blobPath('2025-06-01', 'a.1')), { day: '2025-06-01', sessionId: 'a.1', part: 0 });
    assert.deepEqual(parseBlobPath(blobPath('2025-06-01', 'a', 1)), { day: '2025-06-01', sessionId: 'a', part: 1 });
  });

  it('refuses names that are not a session blob', () => {
    for (const path of ['2025/06/01/a~0.jsonl', '2025/06/01/a~01.jsonl', '2025/02/30/a.jsonl', '2025/06/01/a~1~2.jsonl', 'ledger/2025/06/01.jsonl']) {
      assert.equal(parseBlobPath(path), undefined, path);
    }
  });
});
