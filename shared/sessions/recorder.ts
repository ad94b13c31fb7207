// The recorder: stamps the gateway's events, bounds their payloads, chains them onto their
// session-day blob and indexes them. Within an instance each session has one writer at a time (so
// its events keep their order and queued events share one Append Block); across instances the
// append-position condition in chain-writer keeps the chain whole.
import type { TableClient } from '@azure/data-tables';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { z } from 'zod';
import type { Logger } from '../platform/log.js';
import { Refusal } from '../platform/problem.js';
import { within } from '../platform/within.js';
import type { AppendBlock } from './append-block.js';
import { BoundedMap } from './bounded-map.js';
import { draft, type Draft } from './chain.js';
import { appendToChain, MAX_BLOCK_BYTES, sessionBlobs, type ChainState } from './chain-writer.js';
import { createIndexWriter } from './indexes.js';
import { SESSION_CONTAINER } from './names.js';
import { createSessionOwners, type SessionOwner } from './owners.js';
import { limitFindings, limitPayload } from './payload.js';
import { describeError, RecordingError, storageSilent } from './recording-error.js';
import { sessionEventSchema, sessionIdSchema, type EventInput, type PendingEvent } from './schema.js';
import { serialBatches } from './serial-batches.js';

export interface Recorder {
  /**
   * Records events, which may belong to several sessions; each session's events keep the given
   * order. Resolves once every event is in its blob and indexed; rejects with a RecordingError
   * otherwise. The first line of each session-day blob is a `session.start` written here.
   */
  append(events: EventInput[], options?: AppendOptions): Promise<void>;
  /**
   * Makes sure the session is `owner`'s: the first principal to use a session owns it. Throws a
   * Refusal (409) when it is another principal's, a RecordingError when that cannot be known.
   */
  claim(sessionId: string, owner: SessionOwner): Promise<void>;
  /** Whether `owner` owns the session, as far as this instance knows; undefined: not known yet. Never waits. */
  owns(sessionId: string, owner: SessionOwner): boolean | undefined;
  /**
   * Resolves once every event appended so far in this instance is written (or has failed), without
   * waiting out lingering: what an auditor reads then has the answers agents already have.
   */
  settle(): Promise<void>;
  /** How many append calls have failed since the recorder was created. */
  readonly failures: number;
}

export interface AppendOptions {
  /**
   * The events may wait up to the recorder's `lingerMs` for their session's next events, to share
   * their Append Block: for an answer the agent already has, whose invocation ends once it is
   * durable, while the agent's next request is on its way.
   */
  linger?: boolean;
  /**
   * The principal whose request the events record, when its session's claim was not waited for
   * (best-effort recording): they are written only once each of their sessions is known to be
   * theirs, claimed first if this instance does not know its owner yet, and refused (409) when it
   * is another's.
   */
  owner?: SessionOwner;
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
  /**
   * Longest wait, in ms, of lingering events for their session's next events (default 0: none).
   * They wait twice the session's last pace (serial-batches.ts), and not at all for a session
   * slower than this. An agent that calls again at once (a loop of tool calls) then costs one
   * Append Block per request instead of two; its invocations end that much later, long after it
   * had its answer.
   */
  lingerMs?: number;
  /**
   * Longest wait, in ms, for an append (or a session's claim) to be durable before it is a
   * recording failure (default 10 s); only tests change it.
   */
  timeoutMs?: number;
  /**
   * Bytes of events this instance may hold for the log, not yet written, before it refuses more
   * (default 32 MiB; an event held takes about three times its size in memory): storage that hangs under load must not take the instance's memory with it.
   */
  maxQueuedBytes?: number;
}

/** What an event that says a session's events were lost calls it (recorder.ts writes it). */
export const EVENTS_NOT_RECORDED = 'events-not-recorded';

/** How long an append may take before it is a recording failure. */
const RECORD_TIMEOUT_MS = 10_000;
/** Bytes of events held for the log at most (RecorderOptions.maxQueuedBytes). */
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** Room kept in a block for the line's chain members and a `session.start`. */
const LINE_OVERHEAD_BYTES = 256;
const BLOCK_BUDGET_BYTES = MAX_BLOCK_BYTES - 64 * 1024;
/** Members the recorder and the chain set, never the caller. */
const STAMPED = new Set(['v', 'seq', 'prev', 'hash', 'time', 'type']);

export function createRecorder(options: RecorderOptions): Recorder {
  const blobs = sessionBlobs(options.blobs.getContainerClient(SESSION_CONTAINER), options.appendBlock);
  const chain = { maxAttempts: options.maxAttempts ?? 20, maxBlocks: options.maxBlocksPerBlob };
  const now = options.now ?? (() => new Date());
  const states = new BoundedMap<string, ChainState>(10_000);
  const indexes = createIndexWriter(options.table);
  const timeoutMs = options.timeoutMs ?? RECORD_TIMEOUT_MS;
  const owners = createSessionOwners(options.table, now, timeoutMs);
  const maxQueuedBytes = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  let queuedBytes = 0;
  // Per session, events that were lost (their write failed, or the log was too far behind): the
  // session's next events that are written say so first, so that the log shows where it has a gap.
  const lost = new BoundedMap<string, number>(10_000);
  let failures = 0;

  const batches = serialBatches<Sized>(async (sessionId, events) => {
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
  }, options.lingerMs);

  return {
    get failures() {
      return failures;
    },
    claim: (sessionId, owner) => owners.claim(sessionId, owner),
    owns: (sessionId, owner) => owners.owns(sessionId, owner),
    settle: () => batches.settle(),
    async append(inputs, appendOptions) {
      if (inputs.length === 0) return;
      try {
        const pending = inputs.map((input) => pendingEvent(input, now(), options.maxPayloadBytes));
        const bySession = new Map<string, Sized[]>();
        for (const sized of pending) {
          const sessionId = sized.draft.event.sessionId;
          const events = bySession.get(sessionId);
          if (events) events.push(sized);
          else bySession.set(sessionId, [sized]);
        }
        const bytes = pending.reduce((sum, sized) => sum + sized.bytes, 0);
        if (queuedBytes + bytes > maxQueuedBytes) {
          for (const [sessionId, events] of bySession) lost.set(sessionId, (lost.get(sessionId) ?? 0) + events.length);
          throw new RecordingError(`cannot record: the session log is behind (${queuedBytes} bytes of events wait to be written, at most ${maxQueuedBytes})`);
        }
        queuedBytes += bytes;
        const appended = Promise.all(
          [...bySession].map(async ([sessionId, events]) => {
            const gap = lost.get(sessionId) ?? 0;
            lost.delete(sessionId);
            const written = gap > 0 ? [gapEvent(sessionId, events[0]!.draft.event.requestId, gap, now(), options.maxPayloadBytes), ...events] : events;
            try {
              // Synchronous once the owner is known, so that each session's events reach the queue in
              // the order they were appended; before, they wait for the one claim of the session.
              const owner = appendOptions?.owner;
              if (owner && owners.owns(sessionId, owner) !== true) await owners.claim(sessionId, owner);
              await batches.submit(sessionId, written, appendOptions?.linger);
            } catch (error) {
              // Events kept out of another principal's session are not that session's gap.
              const count = gap + (error instanceof Refusal ? 0 : events.length);
              if (count > 0) lost.set(sessionId, (lost.get(sessionId) ?? 0) + count);
              throw error;
            }
          }),
        );
        // Held until written or failed, however long the caller waits.
        const release = () => (queuedBytes -= bytes);
        appended.then(release, release);
        // Lingering events wait for their session's next ones first: that wait is not storage's.
        await within(appended, timeoutMs + (appendOptions?.linger ? (options.lingerMs ?? 0) : 0), () => storageSilent(timeoutMs, 'cannot record: '));
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

/** An event serialised for its block (chain.ts), with its UTC day and the size of its line. */
interface Sized {
  draft: Draft;
  day: string;
  bytes: number;
}

/**
 * The members each type of event a caller may record must carry (a decision its `decision`, an
 * error its `error`…), read from the schema once; `session.start` is the recorder's own.
 */
const REQUIRED = new Map(
  sessionEventSchema.options
    .filter((option) => option.shape.type.value !== 'session.start')
    .map((option) => {
      const shape = option.shape as Record<string, z.ZodType>;
      return [option.shape.type.value as string, Object.keys(shape).filter((key) => !STAMPED.has(key) && !shape[key]!.safeParse(undefined).success)];
    }),
);

/**
 * Stamps, bounds and serialises one event, refusing it (alone, before it can share a block) when
 * it would not make a sound line. Events are built by the gateway's typed code, so their shape is
 * trusted rather than parsed again (values from outside are checked where they come in); checked
 * here is what types cannot say: the type and the members it requires, the session id that names
 * the blob, values JSON cannot hold, the line's size.
 */
function pendingEvent(input: EventInput, time: Date, maxPayloadBytes: number): Sized {
  const what = `${String(input.type)} event of request ${String(input.requestId)}`;
  if (input.type === ('session.start' as string)) throw new RecordingError(`${what}: session.start is written by the recorder`);
  const required = REQUIRED.get(input.type);
  if (!required) throw new RecordingError(`${what} is invalid: type: not an event type`);
  for (const key of required) {
    if ((input as unknown as Record<string, unknown>)[key] === undefined) throw new RecordingError(`${what} is invalid: ${key}: required`);
  }
  const sessionId = sessionIdSchema.safeParse(input.sessionId);
  if (!sessionId.success) throw new RecordingError(`${what} is invalid: sessionId: ${sessionId.error.issues[0]!.message}`);
  const stamp = time.toISOString();
  const limited = input.findings && limitFindings(input.findings);
  // Member by member: a member the log does not define is not written, whatever an object carried.
  const event = {
    type: input.type,
    time: stamp,
    sessionId: input.sessionId,
    requestId: input.requestId,
    principal: input.principal,
    connection: input.connection,
    operation: input.operation,
    decision: input.decision,
    payload: input.payload && limitPayload(input.payload, maxPayloadBytes),
    findings: limited?.findings,
    findingsOmitted: limited?.findingsOmitted ?? input.findingsOmitted,
    timings: input.timings,
    approval: input.approval,
    error: input.error,
    details: input.details,
    // Every member an input can carry is listed: a member added to EventInput and not here fails to compile.
  } satisfies { [K in keyof EventInput]-?: unknown } & { time: string } as PendingEvent;
  let serialised: Draft;
  try {
    serialised = draft(event);
  } catch (error) {
    throw new RecordingError(`${what} is invalid: ${describeError(error)}`);
  }
  const bytes = serialised.bytes + LINE_OVERHEAD_BYTES;
  if (bytes > BLOCK_BUDGET_BYTES) throw new RecordingError(`${what} is larger than a log line may be (${BLOCK_BUDGET_BYTES} bytes)`);
  // An ISO time starts with its UTC day.
  return { draft: serialised, day: stamp.slice(0, 10), bytes };
}

/** The event that says `count` events of the session were lost before the request `requestId`'s. */
function gapEvent(sessionId: string, requestId: string, count: number, time: Date, maxPayloadBytes: number): Sized {
  const detail = `${count} event${count === 1 ? ' of this session was' : 's of this session were'} not recorded: the session log could not be written or was too far behind`;
  return pendingEvent({ type: 'error', sessionId, requestId, error: { type: EVENTS_NOT_RECORDED, detail } }, time, maxPayloadBytes);
}

/** Consecutive events of one UTC day (a batch can straddle midnight). */
function runsByDay(events: Sized[]): Array<{ day: string; events: Sized[] }> {
  const runs: Array<{ day: string; events: Sized[] }> = [];
  for (const sized of events) {
    if (runs.at(-1)?.day === sized.day) runs.at(-1)!.events.push(sized);
    else runs.push({ day: sized.day, events: [sized] });
  }
  return runs;
}

/** Splits events into groups that fit one Append Block. */
function blocksOf(events: Sized[]): Draft[][] {
  const blocks: Draft[][] = [[]];
  let bytes = 0;
  for (const { draft: event, bytes: size } of events) {
    if (bytes + size > BLOCK_BUDGET_BYTES && blocks.at(-1)!.length > 0) {
      blocks.push([]);
      bytes = 0;
    }
    blocks.at(-1)!.push(event);
    bytes += size;
  }
  return blocks;
}
