// The answer to a command a kind ran (ssh on a machine, kubernetes in a container): stdout and
// stderr masked, with the exit code or signal. As one JSON object, or as NDJSON events while it runs
// (Accept: application/x-ndjson), each stream masked as the whole it forms across chunks.
import { TextStreams, type Finding, type Masker } from '../masking/index.js';
import type { GatewayResponse } from './kind.js';
import { jsonAnswer } from './json-answer.js';

export interface ExecOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

/** What a runner is handed: where output goes, when it has started, and when to stop. */
export interface ExecRun {
  /** Stops the command (the agent went away). */
  signal?: AbortSignal;
  /** Called once the command has started on the target. */
  onStart?(): void;
  onData(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

/** Runs the command; settles with its outcome, or rejects (with a Refusal) when it could not start. */
export type RunCommand = (run: ExecRun) => Promise<ExecOutcome>;

export interface ExecAnswerOptions {
  streaming: boolean;
  masker: Masker;
  /** stdout and stderr kept per command at most (JSON answers). */
  maxOutputBytes: number;
  /** Bytes of masked NDJSON kept for the session log. */
  captureBytes: number;
}

/** Whether the agent asked for NDJSON events as the command runs. */
export const wantsStream = (headers: Headers) => (headers.get('accept') ?? '').toLowerCase().includes('application/x-ndjson');

export function execAnswer(run: RunCommand, options: ExecAnswerOptions): Promise<GatewayResponse> {
  return options.streaming ? streamed(run, options) : buffered(run, options);
}

const outcomeFields = (o: ExecOutcome) => ({ exitCode: o.exitCode, signal: o.signal, ...(o.timedOut ? { timedOut: true } : {}) });

async function buffered(run: RunCommand, { masker, maxOutputBytes }: ExecAnswerOptions): Promise<GatewayResponse> {
  const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const sizes = { stdout: 0, stderr: 0 };
  let truncated = false;
  const outcome = await run({
    onData(stream, chunk) {
      const room = maxOutputBytes - sizes[stream];
      if (chunk.length > room) truncated = true;
      if (room <= 0) return;
      kept[stream].push(chunk.subarray(0, room));
      sizes[stream] += Math.min(room, chunk.length);
    },
  });
  const findings: Finding[] = [];
  const text = (stream: 'stdout' | 'stderr') => {
    const masked = masker.text(Buffer.concat(kept[stream]).toString('utf8'));
    findings.push(...masked.findings.map((f) => ({ ...f, location: `${stream}:${f.location}` })));
    return masked.text;
  };
  const answer = { stdout: text('stdout'), stderr: text('stderr'), ...outcomeFields(outcome), ...(truncated ? { truncated: true } : {}) };
  return jsonAnswer(answer, findings, { exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut, truncated });
}

/** NDJSON: `{"stream":"stdout","text":"…"}` lines as output arrives, then `{"exitCode":…,"signal":…}`. */
async function streamed(run: RunCommand, { masker, captureBytes }: ExecAnswerOptions): Promise<GatewayResponse> {
  const findings: Finding[] = [];
  const streams = new TextStreams(masker, findings);
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const encoder = new TextEncoder();
  let captured = '';
  let bytes = 0;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let settle!: (details: Record<string, string | number | boolean | null>) => void;
  const done = new Promise<Record<string, string | number | boolean | null>>((resolve) => (settle = resolve));
  let cancelled = false;
  const emit = (value: object) => {
    if (cancelled) return;
    const line = `${JSON.stringify(value)}\n`;
    if (captured.length < captureBytes) captured += line.slice(0, captureBytes - captured.length);
    const chunk = encoder.encode(line);
    bytes += chunk.byteLength;
    controller.enqueue(chunk);
  };
  const text = (stream: 'stdout' | 'stderr', value: string) => {
    if (value.length > 0) emit({ stream, text: value });
  };
  const stop = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    // The agent hung up: the command is stopped, not left running unread.
    cancel: () => {
      cancelled = true;
      stop.abort();
    },
  });
  // The connection is made before answering, so a refused host key or credential is a problem+json.
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const command = run({
    signal: stop.signal,
    onStart: () => started(),
    onData: (stream, chunk) => text(stream, streams.push(stream, decoders[stream].decode(chunk, { stream: true }))),
  });
  command.then(
    (outcome) => {
      for (const stream of ['stdout', 'stderr'] as const) {
        streams.push(stream, decoders[stream].decode());
        text(stream, streams.end(stream));
      }
      emit(outcomeFields(outcome));
      if (!cancelled) controller.close();
      settle({ exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut });
    },
    (error: unknown) => {
      if (!cancelled) controller.error(error);
      settle({ failed: true });
    },
  );
  // Whichever comes first: the command started (answer 200 and stream), or the connection failed
  // (a problem+json: a refused host key, a refused credential).
  await Promise.race([running, command]);
  const contentType = 'application/x-ndjson';
  const record = () => ({ findings, payload: { body: captured, bytes, contentType, status: 200 }, details: {} });
  return {
    status: 200,
    headers: new Headers({ 'content-type': contentType, 'cache-control': 'no-store' }),
    body,
    completion: done.then((details) => ({ ...record(), details })),
    partial: record,
  };
}
