import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_WAIT_SECONDS, preferredWait } from './prefer.js';

describe('Prefer: wait', () => {
  it('reads wait=N among other preferences, case-insensitively, quoted or not', () => {
    assert.equal(preferredWait('wait=10'), 10);
    assert.equal(preferredWait('respond-async, WAIT=5'), 5);
    assert.equal(preferredWait('return=minimal; foo=bar, wait="7"'), 7);
    assert.equal(preferredWait('wait=0'), 0);
  });

  it('caps the wait', () => {
    assert.equal(preferredWait('wait=3600'), MAX_WAIT_SECONDS);
  });

  it('ignores a missing or malformed wait', () => {
    for (const header of [null, '', 'respond-async', 'wait', 'wait=-1', 'wait=1.5', 'wait=ten', 'waiting=3']) assert.equal(preferredWait(header), undefined, String(header));
  });
});
