import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitPayload, REDACTED } from './payload.js';

describe('limitPayload', () => {
  it('keeps a payload within the limit as it is', () => {
    assert.deepEqual(limitPayload({ body: 'hello', bytes: 5 }, 5), { body: 'hello', bytes: 5 });
  });

  it('truncates at the byte limit without splitting a character, keeping the original size', () => {
    const limited = limitPayload({ body: 'aé€z', bytes: 1234 }, 4); // a(1) é(2) €(3): 4 bytes end inside €
    assert.deepEqual(limited, { body: 'aé', bytes: 1234, truncated: true });
  });

  it('never records a credential header, whatever the caller passed', () => {
    const limited = limitPayload({ body: '', bytes: 0, headers: { Authorization: 'Bearer abc', 'content-type': 'text/plain', Cookie: 'sid=1' } }, 10);
    assert.deepEqual(limited.headers, { Authorization: REDACTED, 'content-type': 'text/plain', Cookie: REDACTED });
  });
});
