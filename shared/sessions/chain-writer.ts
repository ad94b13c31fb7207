// Appends lines to a session-day's append blob without ever forking its chain, whoever else is
// writing: each block is sent on the condition that the blob still has the length we chained from
// (appendPosition). When another writer got there first, we re-read the blob's tail, re-seal our
// lines on top of it and try again. The blob is created only if absent and never replaced.
import type { AppendBlobClient, ContainerClient } from '@azure/storage-blob';
import { sdkAppendBlock, type AppendBlock } from './append-block.js';
import { BoundedMap } from './bounded-map.js';
import { draft, genesis, lineHash, sealDrafts, type Draft } from './chain.js';
import { blobPath } from './names.js';
import { listParts } from './parts.js';
import { describeError, RecordingError, storageError } from './recording-error.js';
import { sessionEventSchema, type EventType, type PendingEvent, type SessionEvent } from './schema.js';

export interface SessionDay {
  sessionId: string;
  day: string;
}

/** What a writer must know to chain the next line. */
export interface ChainState {
  /** Which blob of the session-day the next block goes to (0: the first; names.ts). */
  part: number;
  /** Blocks that blob holds (an append blob takes at most 50,000). */
  blocks: number;
  /** Blob length in bytes: where the next block must land. */
  position: number;
  /** seq of the next line (it runs on across parts). */
  seq: number;
  /** hash of the last line; the genesis while the session-day is empty. */
  head: string;
  lastType?: EventType;
  /** time of the session-day's first line. */
  started?: string;
}

/** The session log's append blobs, each client built once (building one costs more than an append's CPU). */
export interface SessionBlobs {
  container: ContainerClient;
  blob(path: string): AppendBlobClient;
  /** Append Block on the request path (append-block.ts). */
  append: AppendBlock;
}

export function sessionBlobs(container: ContainerClient, append: AppendBlock = sdkAppendBlock, cached = 1_000): SessionBlobs {
  const clients = new BoundedMap<string, AppendBlobClient>(cached);
  return {
    container,
    append,
    blob(path) {
      let client = clients.get(path);
      if (!client) clients.set(path, (client = container.getAppendBlobClient(path)));
      return client;
    },
  };
}

/** Append Block accepts at most 4 MiB per call. */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Blocks a blob takes before the session-day rolls over to its next part: below the service's
 * 50,000, leaving room for writers that appended on a stale count. The same on every instance (a
 * writer that rolled over earlier than another would fork the chain), so not a setting.
 */
export const MAX_BLOCKS_PER_BLOB = 49_000;

export interface ChainOptions {
  /** Conflicting appends tried before giving up. */
  maxAttempts: number;
  /** Tests use a small one; production always MAX_BLOCKS_PER_BLOB. */
  maxBlocks?: number;
}

const FIRST_READ_BYTES = 64 * 1024;

/**
 * Appends one block: the events `plan` returns, serialised (chain.ts), for the session-day's
 * current state (asked again after every conflict, so a writer can decide from the state it is
 * really chaining onto). A `session.start` is put before them when the session-day is empty, its
 * last line is `session.end`, or the block opens a new part (then with `details.continues`: the
 * part before, whose last hash is its `prev`).
 */
export async function appendToChain(
  blobs: SessionBlobs,
  key: SessionDay,
  cached: ChainState | undefined,
  plan: (state: ChainState) => Draft[],
  options: ChainOptions,
): Promise<{ state: ChainState; written: SessionEvent[] }> {
  const maxBlocks = options.maxBlocks ?? MAX_BLOCKS_PER_BLOB;
  let state = cached;
  let started = cached?.started;
  for (let attempt = 1; ; attempt += 1) {
    state ??= await readLatest(blobs, key, started);
    while (state.blocks >= maxBlocks) state = await rollOver(blobs, key, state);
    started = state.started;
    const pending = plan(state);
    if (pending.length === 0) return { state, written: [] };
    const blob = blobs.blob(blobPath(key.day, key.sessionId, state.part));
    const { body, written, next } = sealBlock(key, state, pending);
    try {
      const response = await blobs.append(blob, body, state.position);
      return { state: { ...next, blocks: response.blocks ?? next.blocks }, written };
    } catch (error) {
      const failure = storageError(error);
      // Full: a writer with a stale count got here; re-reading finds the blob full and rolls over.
      const full = failure.code === 'BlockCountExceedsLimit';
      if (failure.status !== 412 && !full) throw new RecordingError(`cannot append to ${blob.name}: ${describeError(error)}`);
      // The SDK retries a request whose answer was lost; if that first try landed, the bytes are ours.
      if (!full && (await landed(blob, state.position, body))) return { state: next, written };
      if (attempt >= options.maxAttempts) throw new RecordingError(`cannot append to ${blob.name}: still conflicting after ${attempt} attempts`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      state = undefined;
    }
  }
}

/** The state of the session-day's last part, creating the first blob when there is none. */
async function readLatest(blobs: SessionBlobs, key: SessionDay, started: string | undefined): Promise<ChainState> {
  const part = (await listParts(blobs.container, key)).at(-1) ?? 0;
  const state = await readChainState(blobs, key, part, started);
  if (state && (state.position > 0 || part === 0)) return state;
  if (state) return continuing(await readPart(blobs, key, part - 1, started), part); // a part created, not yet written
  await create(blobs.blob(blobPath(key.day, key.sessionId, 0)));
  // Created by us or by a concurrent writer: either way we chain from empty, and a writer that
  // appended meanwhile makes our append fail on its position and re-read.
  return { part: 0, blocks: 0, position: 0, seq: 0, head: genesis(key.sessionId, key.day) };
}

/** Moves on from a full part to the next, created if absent; another writer may have filled it already. */
async function rollOver(blobs: SessionBlobs, key: SessionDay, full: ChainState): Promise<ChainState> {
  const part = full.part + 1;
  const state = await readChainState(blobs, key, part, full.started);
  if (state && state.position > 0) return state;
  if (!state) await create(blobs.blob(blobPath(key.day, key.sessionId, part)));
  return continuing(full, part);
}

/** An empty part chained onto the last line of the part before. */
const continuing = (before: ChainState, part: number): ChainState => ({ ...before, part, blocks: 0, position: 0 });

async function readPart(blobs: SessionBlobs, key: SessionDay, part: number, started: string | undefined): Promise<ChainState> {
  const state = await readChainState(blobs, key, part, started);
  if (!state) throw new RecordingError(`cannot continue ${blobPath(key.day, key.sessionId, part + 1)}: ${blobPath(key.day, key.sessionId, part)} is missing`);
  return state;
}

async function sizeOf(blob: AppendBlobClient): Promise<number> {
  try {
    return (await blob.getProperties()).contentLength ?? 0;
  } catch (error) {
    throw new RecordingError(`cannot read ${blob.name}: ${describeError(error)}`);
  }
}

async function create(blob: AppendBlobClient): Promise<void> {
  try {
    await createSessionBlob(blob);
  } catch (error) {
    throw new RecordingError(`cannot create ${blob.name}: ${describeError(error)}`);
  }
}

/**
 * The chain state of one part, or undefined when it does not exist. `started` spares the read of
 * the session-day's first line when the caller already knows it (it never changes).
 */
async function readChainState(blobs: SessionBlobs, key: SessionDay, part: number, started?: string): Promise<ChainState | undefined> {
  const blob = blobs.blob(blobPath(key.day, key.sessionId, part));
  let size: number;
  let blocks: number;
  try {
    const properties = await blob.getProperties();
    size = properties.contentLength ?? 0;
    blocks = properties.blobCommittedBlockCount ?? 0;
  } catch (error) {
    if (storageError(error).status === 404) return undefined;
    throw new RecordingError(`cannot read ${blob.name}: ${describeError(error)}`);
  }
  if (size === 0) return part === 0 ? { part, blocks, position: 0, seq: 0, head: genesis(key.sessionId, key.day) } : { part, blocks, position: 0, seq: 0, head: '' };
  const last = readEvent(blob.name, key, await lastLine(blob, size));
  if (started === undefined) {
    const first = part === 0 ? blob : blobs.blob(blobPath(key.day, key.sessionId, 0));
    started = readEvent(first.name, key, await firstLine(first, part === 0 ? size : await sizeOf(first))).time;
  }
  return { part, blocks, position: size, seq: last.seq + 1, head: last.hash, lastType: last.type, started };
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

function sealBlock(key: SessionDay, state: ChainState, pending: Draft[]): { body: Buffer; written: SessionEvent[]; next: ChainState } {
  const reopened = state.lastType === 'session.end';
  const first = pending[0]!.event;
  const opening =
    state.part > 0 && state.position === 0
      ? [startOf(first, { continues: blobPath(key.day, key.sessionId, state.part - 1), ...(reopened ? { reopened } : {}) })]
      : state.seq === 0 || reopened
        ? [startOf(first, state.seq > 0 ? { reopened } : undefined)]
        : [];
  const sealed = sealDrafts(state, [...opening.map(draft), ...pending]);
  const body = Buffer.from(sealed.map((line) => line.text + '\n').join(''), 'utf8');
  const last = sealed.at(-1)!.event;
  return {
    body,
    written: sealed.map((line) => line.event),
    next: {
      part: state.part,
      blocks: state.blocks + 1,
      position: state.position + body.length,
      seq: last.seq + 1,
      head: last.hash,
      lastType: last.type,
      started: state.started ?? sealed[0]!.event.time,
    },
  };
}

/** The line that opens a session-day, reopens it after a `session.end`, or opens its next part. */
function startOf(first: PendingEvent, details: Record<string, string | boolean> | undefined): PendingEvent {
  return {
    type: 'session.start',
    time: first.time,
    sessionId: first.sessionId,
    requestId: first.requestId,
    ...(first.principal ? { principal: first.principal } : {}),
    ...(first.connection ? { connection: first.connection } : {}),
    ...(details ? { details } : {}),
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
