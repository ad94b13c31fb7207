// The ssh connection kind: agents POST { command, stdin?, timeoutSeconds? } to
// /api/exec/{connection}; the command is parsed by a shell parser, judged, run over SSH on a host
// whose key is pinned, and its output answered masked: as one JSON object, or as NDJSON events
// while it runs (Accept: application/x-ndjson), each stream masked as the whole it forms.
import { TextStreams, type Finding } from '../../masking/index.js';
import type { ConnectionKind, ForwardContext, GatewayResponse } from '../kind.js';
import { CREDENTIAL_RULE } from '../upstream.js';
import { classifyExec } from './classify.js';
import { runCommand, type ExecOutcome } from './execute.js';
import { commandChanged, noPrivateKey } from './refusals.js';
import { readExecRequest } from './request.js';
import type { SshConnection } from './schema.js';

export const sshKind: ConnectionKind = {
  route: 'exec',
  readsBody: true,
  classify: (request, connection) => classifyExec(request, connection.config as SshConnection),
  async forward(request, operation, context) {
    const config = context.connection.config as SshConnection;
    const exec = readExecRequest(request);
    // What runs must be what was judged (a held request runs after its review).
    if (exec.command !== operation.text) {
      throw commandChanged();
    }
    const privateKey = await context.credential();
    if (!privateKey) {
      throw noPrivateKey(context.connection.name);
    }
    const target = { host: config.host, port: config.port, user: config.user, hostKey: config.hostKey, privateKey, connectTimeoutMs: context.timeoutMs };
    const timeoutMs = Number(operation.details.timeoutSeconds ?? config.timeoutSeconds) * 1000;
    const io = { command: exec.command, stdin: exec.stdin, timeoutMs };
    const masker = context.masker.withSecrets([{ rule: CREDENTIAL_RULE, value: privateKey }]);
    const streaming = (request.headers.get('accept') ?? '').toLowerCase().includes('application/x-ndjson');
    return streaming ? streamed(target, io, masker, context) : buffered(target, io, masker, config.maxOutputBytes);
  },
};

type Target = Parameters<typeof runCommand>[0];
type Io = Omit<Parameters<typeof runCommand>[1], 'onData'>;
type Masker = ForwardContext['masker'];

const outcomeFields = (o: ExecOutcome) => ({ exitCode: o.exitCode, signal: o.signal, ...(o.timedOut ? { timedOut: true } : {}) });

async function buffered(target: Target, io: Io, masker: Masker, maxBytes: number): Promise<GatewayResponse> {
  const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const sizes = { stdout: 0, stderr: 0 };
  let truncated = false;
  const outcome = await runCommand(target, {
    ...io,
    onData(stream, chunk) {
      const room = maxBytes - sizes[stream];
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
  const body = JSON.stringify({ stdout: text('stdout'), stderr: text('stderr'), ...outcomeFields(outcome), ...(truncated ? { truncated: true } : {}) });
  const bytes = new TextEncoder().encode(body);
  const contentType = 'application/json';
  return {
    status: 200,
    headers: new Headers({ 'content-type': contentType, 'content-length': String(bytes.byteLength), 'cache-control': 'no-store' }),
    body: bytes,
    completion: Promise.resolve({
      findings,
      payload: { body, bytes: bytes.byteLength, contentType, status: 200 },
      details: { exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut, truncated },
    }),
  };
}

/** NDJSON: `{"stream":"stdout","text":"…"}` lines as output arrives, then `{"exitCode":…,"signal":…}`. */
async function streamed(target: Target, io: Io, masker: Masker, context: ForwardContext): Promise<GatewayResponse> {
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
    if (captured.length < context.captureBytes) captured += line.slice(0, context.captureBytes - captured.length);
    const chunk = encoder.encode(line);
    bytes += chunk.byteLength;
    controller.enqueue(chunk);
  };
  const text = (stream: 'stdout' | 'stderr', value: string) => {
    if (value.length > 0) emit({ stream, text: value });
  };
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
  const stop = new AbortController();
  const command = runCommand(target, {
    ...io,
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
