// The record step's two modes, with a recorder whose appends settle only when the test says so:
// strict waits for the log (and refuses when it fails); best-effort never waits on it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryLogger } from '../platform/log.js';
import { Refusal } from '../platform/problem.js';
import type { AppendOptions, EventInput, Recorder } from '../sessions/index.js';
import { record } from './pipeline.js';

function stalledRecorder() {
  const appends: Array<{ events: EventInput[]; options?: AppendOptions; resolve: () => void; reject: (error: Error) => void }> = [];
  const recorder: Recorder = {
    failures: 0,
    claim: async () => undefined, owns: () => true,
    settle: async () => undefined,
    append: (events, options) => new Promise<void>((resolve, reject) => void appends.push({ events, options, resolve, reject })),
  };
  return { recorder, appends };
}

const events: EventInput[] = [{ type: 'request', sessionId: 's-1', requestId: 'r-1' }];
const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('record', () => {
  it('under strict recording, waits until the events are appended', async () => {
    const { recorder, appends } = stalledRecorder();
    const recording = record({ recorder, log: memoryLogger() }, 'strict', events);
    assert.equal(await settled(recording), false, 'the answer waits on the log');
    appends[0]!.resolve();
    assert.equal(await settled(recording), true);
  });

  it('under strict recording, refuses (503) when the append fails', async () => {
    const { recorder, appends } = stalledRecorder();
    const recording = record({ recorder, log: memoryLogger() }, 'strict', events);
    appends[0]!.reject(new Error('storage is down'));
    await assert.rejects(recording, (error) => error instanceof Refusal && error.status === 503);
  });

  it('under best-effort recording, returns before the append settles, in order, and logs a failure', async () => {
    const { recorder, appends } = stalledRecorder();
    const log = memoryLogger();
    await record({ recorder, log }, 'best-effort', events);
    await record({ recorder, log }, 'best-effort', [{ ...events[0]!, type: 'response' }], { linger: true });
    assert.deepEqual(appends.map((a) => a.events[0]!.type), ['request', 'response'], 'queued in the order recorded');
    assert.deepEqual(appends.map((a) => a.options?.linger), [undefined, true], 'an answer\'s response event may wait for company');
    appends[0]!.reject(new Error('storage is down'));
    appends[1]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    const failures = log.lines.filter((line) => line.message === 'session events could not be recorded');
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.mode, 'best-effort');
    assert.equal(failures[0]!.requestId, 'r-1');
  });
});
