import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Operation } from '../../connections/operation.js';
import { answerTo, awaitAnswer, endScope, unawait } from './pending.js';

const operation = { actions: ['tools/list'] } as Operation;

describe('mcp requests awaiting answers', () => {
  it('matches an answer by the id as clients compare it, once, and gives the id as the agent sent it', () => {
    const scope = randomUUID();
    assert.equal(awaitAnswer(scope, 3, operation), true);
    assert.equal(awaitAnswer(scope, '3', operation), false, 'an id a client takes for one awaiting is refused');
    assert.equal(answerTo(scope, '03')?.id, 3);
    assert.equal(answerTo(scope, 3), undefined, 'answered once');
    assert.equal(answerTo(randomUUID(), 3), undefined, 'another session sent nothing');
  });

  it('forgets what will get no answer, what a session ended, and what waited too long', () => {
    const scope = randomUUID();
    awaitAnswer(scope, 1, operation);
    unawait(scope, 1);
    assert.equal(answerTo(scope, 1), undefined);
    awaitAnswer(scope, 2, operation);
    endScope(scope);
    assert.equal(answerTo(scope, 2), undefined);
    const now = Date.now();
    awaitAnswer(scope, 4, operation, now);
    assert.equal(answerTo(scope, 4, now + 2 * 60 * 60_000), undefined);
  });
});
