// The recorder: stamps the gateway's events, bounds their payloads, chains them onto their
// session-day blob and indexes them. Within an instance each session has one writer at a time (so
// its events keep their order and queued events share one Append Block); across instances the
// append-position condition in chain-writer keeps the chain whole.
import type { TableClient } from '@azure/data-tables';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Logger } from '../platform/log.js';
import type { AppendBlock } from './append-block.js';
import { BoundedMap } from './bounded-map.js';
import { appendToChain, MAX_BLOCK_BYTES, sessionBlobs, type ChainState } from './chain-writer.js';
import { createIndexWriter } from './indexes.js';
import { dayOf, SESSION_CONTAINER } from './names.js';
import { createSessionOwners, type SessionOwner } from './owners.js';
import { limitFindings, limitPayload } from './payload.js';
import { describeError, RecordingError } from './recording-error.js';
import { sessionEventSchema, type EventInput, type PendingEvent } from './schema.js';
import { serialBatches } from './serial-batches.js';

export interface Recorder {
  /**
   * Records events, which may belong to several sessions; each session's events keep the given
   * order. Resolves once every event is in its blob and indexed; rejects with a RecordingError
   * otherwise. The first line of each session-day blob is a `session.start` written here.
   */
  append(events: EventInput[]): Promise<void>;
  /**
   * Makes sure the session is `owner`'s: the first principal to use a session owns it. Throws a
   * Refusal (409) when it is another principal's, a RecordingError when that cannot be known.
   */
  claim(sessionId: string, owner: SessionOwner): Promise<void>;
  /** How many append calls have failed since the recorder was created. */
  readonly failures: number;
}

export interface RecorderOptions {
  blobs: BlobServiceClient;
  table: (name: string) => TableClient;
  /** Masked bodies longer than this (UTF-8 bytes) are truncated in the log. */
  maxPayloadBytes: number;
  log: Logger;
  now?: () => Date;
  /** Conflicting appends tried before giving up (default 20). */
  maxAttempts?: number;
  /** Blocks per blob before a session-day rolls over to its next blob; only tests change it. */
  maxBlocksPerBlob?: number;
  /** How blocks are appended: the SDK's call by default, the app's lean one (append-block.ts) in service. */
  appendBlock?: AppendBlock;
}

/** Room kept in a block for the line's chain members and a `session.start`. */
const LINE_OVERHEAD_BYTES = 256;
const BLOCK_BUDGET_BYTES = MAX_BLOCK_BYTES - 64 * 1024;
const ZERO_HASH = '0'.repeat(64);

export function createRecorder(options: RecorderOptions): Recorder {
  const blobs = sessionBlobs(options.blobs.getContainerClient(SESSION_CONTAINER), options.appendBlock);
  const chain = { maxAttempts: options.maxAttempts ?? 20, maxBlocks: options.maxBlocksPerBlob };
  const now = options.now ?? (() => new Date());
  const states = new BoundedMap<string, ChainState>(10_000);
  const indexes = createIndexWriter(options.table);
  const owners = createSessionOwners(options.table, now);
  let failures = 0;

  const submit = serialBatches<Sized>(async (sessionId, events) => {
    for (const run of runsByDay(events)) {
      const key = { sessionId, day: run.day };
      const id = `${run.day}/${sessionId}`;
      for (const block of blocksOf(run.events)) {
        let appended: Awaited<ReturnType<typeof appendToChain>>;
        try {
          appended = await appendToChain(blobs, key, states.get(id), () => block, chain);
        } catch (error) {
          states.delete(id);
          throw error;
        }
        states.set(id, appended.state);
        try {
          await indexes.record(key, appended.state.started!, appended.written);
        } catch (error) {
          throw new RecordingError(`cannot index session ${sessionId} of ${run.day}: ${describeError(error)}`);
        }
      }
    }
  });

  return {
    get failures() {
      return failures;
    },
    claim: (sessionId, owner) => owners.claim(sessionId, owner),
    async append(inputs) {
      if (inputs.length === 0) return;
      try {
        const pending = inputs.map((input) => pendingEvent(input, now(), options.maxPayloadBytes));
        const bySession = new Map<string, Sized[]>();
        for (const sized of pending) {
          const events = bySession.get(sized.event.sessionId);
          if (events) events.push(sized);
          else bySession.set(sized.event.sessionId, [sized]);
        }
        await Promise.all([...bySession].map(([sessionId, events]) => submit(sessionId, events)));
      } catch (error) {
        failures += 1;
        const failure = error instanceof RecordingError ? error : new RecordingError(`cannot record: ${describeError(error)}`);
        options.log.error('session events not recorded', {
          error: failure.message,
          events: inputs.length,
          sessions: [...new Set(inputs.map((input) => input.sessionId))].join(','),
        });
        throw failure;
      }
    },
  };
}

/** An event and the size of its line without the chain's members (measured once). */
interface Sized {
  event: PendingEvent;
  bytes: number;
}

/** Stamps and bounds one event, and refuses it (alone, before it can share a block) if invalid. */
function pendingEvent(input: EventInput, time: Date, maxPayloadBytes: number): Sized {
  const event = Object.fromEntries(
    Object.entries({
      ...input,
      time: time.toISOString(),
      payload: input.payload && limitPayload(input.payload, maxPayloadBytes),
      ...(input.findings && limitFindings(input.findings)),
    }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as PendingEvent;
  const what = `${String(input.type)} event of request ${String(input.requestId)}`;
  if (event.type === 'session.start') throw new RecordingError(`${what}: session.start is written by the recorder`);
  const check = sessionEventSchema.safeParse({ ...event, v: 1, seq: 0, prev: ZERO_HASH, hash: ZERO_HASH });
  if (!check.success) {
    const issue = check.error.issues[0]!;
    throw new RecordingError(`${what} is invalid: ${issue.path.map(String).join('.') || 'event'}: ${issue.message}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(event)) + LINE_OVERHEAD_BYTES;
  if (bytes > BLOCK_BUDGET_BYTES) throw new RecordingError(`${what} is larger than a log line may be (${BLOCK_BUDGET_BYTES} bytes)`);
  return { event, bytes };
}

/** Consecutive events of one UTC day (a batch can straddle midnight). */
function runsByDay(events: Sized[]): Array<{ day: string; events: Sized[] }> {
  const runs: Array<{ day: string; events: Sized[] }> = [];
  for (const sized of events) {
    const day = dayOf(sized.event.time);
    if (runs.at(-1)?.day === day) runs.at(-1)!.events.push(sized);
    else runs.push({ day, events: [sized] });
  }
  return runs;
}

/** Splits events into groups that fit one Append Block. */
function blocksOf(events: Sized[]): PendingEvent[][] {
  const blocks: PendingEvent[][] = [[]];
  let bytes = 0;
  for (const { event, bytes: size } of events) {
    if (bytes + size > BLOCK_BUDGET_BYTES && blocks.at(-1)!.length > 0) {
      blocks.push([]);
      bytes = 0;
    }
    blocks.at(-1)!.push(event);
    bytes += size;
  }
  return blocks;
}
