import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvedTier } from './credential-use.js';

const remove = { method: 'DELETE', flags: [] };

describe('the tier an approved request runs with', () => {
  it('is today\'s decision\'s when it is no more than the reviewer was shown', () => {
    assert.equal(approvedTier({ tier: 'admin', elevated: true, from: 'write' }, remove, 'admin'), 'admin');
    assert.equal(approvedTier({ tier: 'admin', elevated: true, from: 'write' }, remove, 'write'), 'write', 'a rule that stopped elevating');
    assert.equal(approvedTier({ tier: 'write', elevated: false }, remove, 'read'), 'read');
  });

  it('is never more than the reviewer was shown, whatever the rule says now', () => {
    assert.equal(approvedTier({ tier: 'write', elevated: false }, remove, 'admin'), 'write');
    assert.equal(approvedTier({ tier: 'read', elevated: false }, { method: 'GET', flags: [] }, 'admin'), 'read');
  });

  it('is at most the operation\'s own tier when no tier was shown', () => {
    assert.equal(approvedTier(undefined, remove, 'admin'), 'write');
    assert.equal(approvedTier(undefined, { method: 'GET', flags: [] }, 'write'), 'read');
  });
});
