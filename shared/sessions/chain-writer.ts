// Appends lines to a session-day's append blob without ever forking its chain, whoever else is
// writing: each block is sent on the condition that the blob still has the length we chained from
// (appendPosition). When another writer got there first, we re-read the blob's tail, re-seal our
// lines on top of it and try again. The blob is created only if absent and never replaced.
import type { AppendBlobClient } from '@azure/storage-blob';
import { genesis, lineHash, sealEvents } from './chain.js';
import { describeError, RecordingError, storageError } from './recording-error.js';
import { sessionEventSchema, type EventType, type PendingEvent, type SessionEvent } from './schema.js';

export interface SessionDay {
  sessionId: string;
  day: string;
}

/** What a writer must know to chain the next line. */
export interface ChainState {
  /** Blob length in bytes: where the next block must land. */
  position: number;
  /** seq of the next line. */
  seq: number;
  /** hash of the last line; the genesis while the blob is empty. */
  head: string;
  lastType?: EventType;
  /** time of the blob's first line. */
  started?: string;
}

/** Append Block accepts at most 4 MiB per call. */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

const FIRST_READ_BYTES = 64 * 1024;

/**
 * Appends one block: the events `plan` returns for the blob's current state (asked again after
 * every conflict, so a writer can decide from the state it is really chaining onto). A
 * `session.start` is put before them when the blob is empty or its last line is `session.end`.
 */
export async function appendToChain(
  blob: AppendBlobClient,
  key: SessionDay,
  cached: ChainState | undefined,
  plan: (state: ChainState) => PendingEvent[],
  maxAttempts: number,
): Promise<{ state: ChainState; written: SessionEvent[] }> {
  let state = cached;
  let started = cached?.started;
  for (let attempt = 1; ; attempt += 1) {
    state ??= await readOrCreate(blob, key, started);
    started = state.started;
    const pending = plan(state);
    if (pending.length === 0) return { state, written: [] };
    const { body, written, next } = sealBlock(state, pending);
    try {
      await blob.appendBlock(body, body.length, { conditions: { appendPosition: state.position } });
      return { state: next, written };
    } catch (error) {
      if (storageError(error).status !== 412) throw new RecordingError(`cannot append to ${blob.name}: ${describeError(error)}`);
      // The SDK retries a request whose answer was lost; if that first try landed, the bytes are ours.
      if (await landed(blob, state.position, body)) return { state: next, written };
      if (attempt >= maxAttempts) throw new RecordingError(`cannot append to ${blob.name}: still conflicting after ${attempt} attempts`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      state = undefined;
    }
  }
}

/**
 * The chain state of an existing blob, or undefined when there is no blob. `started` spares the
 * read of the first line when the caller already knows it (it never changes).
 */
async function readChainState(blob: AppendBlobClient, key: SessionDay, started?: string): Promise<ChainState | undefined> {
  let size: number;
  try {
    size = (await blob.getProperties()).contentLength ?? 0;
  } catch (error) {
    if (storageError(error).status === 404) return undefined;
    throw new RecordingError(`cannot read ${blob.name}: ${describeError(error)}`);
  }
  if (size === 0) return { position: 0, seq: 0, head: genesis(key.sessionId, key.day) };
  const last = readEvent(blob.name, key, await lastLine(blob, size));
  started ??= readEvent(blob.name, key, await firstLine(blob, size)).time;
  return { position: size, seq: last.seq + 1, head: last.hash, lastType: last.type, started };
}

/** Creates the append blob only if there is none (If-None-Match: *); true when this call created it. */
export async function createSessionBlob(blob: AppendBlobClient): Promise<boolean> {
  try {
    await blob.create({ conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
    return true;
  } catch (error) {
    if (storageError(error).code === 'BlobAlreadyExists') return false;
    throw error;
  }
}

async function readOrCreate(blob: AppendBlobClient, key: SessionDay, started: string | undefined): Promise<ChainState> {
  const state = await readChainState(blob, key, started);
  if (state) return state;
  try {
    await createSessionBlob(blob);
  } catch (error) {
    throw new RecordingError(`cannot create ${blob.name}: ${describeError(error)}`);
  }
  // Created by us or by a concurrent writer: either way we chain from empty, and a writer that
  // appended meanwhile makes our append fail on its position and re-read.
  return { position: 0, seq: 0, head: genesis(key.sessionId, key.day) };
}

function sealBlock(state: ChainState, pending: PendingEvent[]): { body: Buffer; written: SessionEvent[]; next: ChainState } {
  const opening = state.seq === 0 || state.lastType === 'session.end' ? [startOf(pending[0]!, state.seq > 0)] : [];
  const sealed = sealEvents(state, [...opening, ...pending]);
  const body = Buffer.from(sealed.map((line) => line.text + '\n').join(''), 'utf8');
  const last = sealed.at(-1)!.event;
  return {
    body,
    written: sealed.map((line) => line.event),
    next: { position: state.position + body.length, seq: last.seq + 1, head: last.hash, lastType: last.type, started: state.started ?? sealed[0]!.event.time },
  };
}

/** The line that opens a session-day, or reopens it after a `session.end`. */
function startOf(first: PendingEvent, reopened: boolean): PendingEvent {
  return {
    type: 'session.start',
    time: first.time,
    sessionId: first.sessionId,
    requestId: first.requestId,
    ...(first.principal ? { principal: first.principal } : {}),
    ...(first.connection ? { connection: first.connection } : {}),
    ...(reopened ? { details: { reopened: true } } : {}),
  };
}

async function landed(blob: AppendBlobClient, position: number, body: Buffer): Promise<boolean> {
  try {
    // The range may run past the end of the blob: then storage returns what there is.
    const response = await blob.download(position, body.length);
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).equals(body);
  } catch (error) {
    if (storageError(error).status === 416) return false;
    throw new RecordingError(`cannot read ${blob.name} back after a conflict: ${describeError(error)}`);
  }
}

/** Refuses to chain onto a line that is not a sound event of this session. */
function readEvent(name: string, key: SessionDay, line: Buffer): SessionEvent {
  let parsed: ReturnType<typeof sessionEventSchema.safeParse>;
  try {
    parsed = sessionEventSchema.safeParse(JSON.parse(line.toString('utf8')));
  } catch {
    throw new RecordingError(`cannot continue ${name}: a line is not valid JSON`);
  }
  if (!parsed.success || parsed.data.sessionId !== key.sessionId) {
    throw new RecordingError(`cannot continue ${name}: a line is not an event of session ${key.sessionId}`);
  }
  const { hash, ...rest } = parsed.data;
  if (lineHash(rest) !== hash) throw new RecordingError(`cannot continue ${name}: a line's hash does not match its content`);
  return parsed.data;
}

async function download(blob: AppendBlobClient, offset: number, count: number): Promise<Buffer> {
  try {
    return await blob.downloadToBuffer(offset, count);
  } catch (error) {
    throw new RecordingError(`cannot read ${blob.name}: ${describeError(error)}`);
  }
}

async function firstLine(blob: AppendBlobClient, size: number): Promise<Buffer> {
  for (let window = FIRST_READ_BYTES; ; window *= 2) {
    const bytes = await download(blob, 0, Math.min(size, window));
    const end = bytes.indexOf(0x0a);
    if (end >= 0) return bytes.subarray(0, end);
    if (bytes.length >= size) throw new RecordingError(`cannot continue ${blob.name}: it does not end with a newline`);
  }
}

async function lastLine(blob: AppendBlobClient, size: number): Promise<Buffer> {
  for (let window = FIRST_READ_BYTES; ; window *= 2) {
    const offset = Math.max(0, size - window);
    const bytes = await download(blob, offset, size - offset);
    if (bytes.at(-1) !== 0x0a) throw new RecordingError(`cannot continue ${blob.name}: it does not end with a newline`);
    const start = bytes.lastIndexOf(0x0a, bytes.length - 2);
    if (start >= 0 || offset === 0) return bytes.subarray(start + 1, bytes.length - 1);
  }
}
