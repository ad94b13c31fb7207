// Runs a command in a container the way kubectl does: a websocket to the API server's exec
// endpoint (subprotocol v5.channel.k8s.io, or v4 from servers before 1.30), where every message's
// first byte is its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 255 (v5) closing a
// channel. The exit code comes from the Status: Success is 0, NonZeroExitCode carries it.
import WebSocket from 'ws';
import type { ExecOutcome, ExecRun } from '../exec-output.js';
import { execRefused, execUnreachable } from './refusals.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;
/** The most of a refusal's body read to quote its message. */
const REFUSAL_BYTES = 64 * 1024;

export interface PodExecTarget {
  /** ws:// or wss:// URL of the exec endpoint with its query. */
  url: URL;
  headers: Headers;
  connection: string;
  stdin?: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** PEM certificates the API server's certificate is checked against instead of the system's. */
  ca?: string;
  /** Masks what the API server says when it refuses (it may quote the request). */
  mask(text: string): string;
}

interface Status {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

export function runPodExec(target: PodExecTarget, run: ExecRun): Promise<ExecOutcome> {
  return new Promise<ExecOutcome>((resolve, reject) => {
    const socket = new WebSocket(target.url, EXEC_PROTOCOLS, {
      headers: Object.fromEntries(target.headers),
      handshakeTimeout: target.connectTimeoutMs,
      followRedirects: false,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
      ...(target.ca !== undefined && { ca: target.ca }),
    });
    let opened = false;
    let settled = false;
    let timedOut = false;
    let status = '';
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < REFUSAL_BYTES) body += chunk;
      });
      response.on('end', () => fail(execRefused(response.statusCode ?? 0, target.mask(refusalMessage(body, response.statusMessage)))));
      response.on('error', () => fail(execRefused(response.statusCode ?? 0, response.statusMessage ?? 'no message')));
    });
    socket.on('error', (error) => fail(execUnreachable(target.connection, target.mask(error.message))));
    socket.on('open', () => {
      opened = true;
      run.onStart?.();
      timer = setTimeout(() => {
        timedOut = true;
        socket.close();
      }, target.timeoutMs);
      run.signal?.addEventListener('abort', () => socket.close(), { once: true });
      if (target.stdin !== undefined) {
        socket.send(Buffer.concat([Buffer.from([STDIN]), Buffer.from(target.stdin)]));
        // v4 has no way to close stdin: a command that reads to its end waits for the time limit.
        if (socket.protocol === EXEC_PROTOCOLS[0]) socket.send(Buffer.from([CLOSE, STDIN]));
      }
    });
    socket.on('message', (data: Buffer) => {
      const channel = data[0];
      const payload = data.subarray(1);
      // Servers open each channel with an empty message: nothing to pass on.
      if (payload.length === 0) return;
      if (channel === STDOUT) run.onData('stdout', payload);
      else if (channel === STDERR) run.onData('stderr', payload);
      else if (channel === ERROR && status.length < REFUSAL_BYTES) status += payload.toString('utf8');
    });
    socket.on('close', () => {
      if (settled) return;
      if (!opened) return fail(execUnreachable(target.connection, 'the connection closed before the exec started'));
      settled = true;
      clearTimeout(timer);
      resolve(outcome(status, timedOut, run));
    });
  });
}

/** The exit code from the final Status; a failure that is not an exit code is told on stderr. */
function outcome(text: string, timedOut: boolean, run: ExecRun): ExecOutcome {
  if (timedOut) return { exitCode: null, signal: null, timedOut };
  let status: Status = {};
  try {
    status = text ? (JSON.parse(text) as Status) : {};
  } catch {
    // Not a Status: the exit code is unknown.
  }
  if (status.status === 'Success') return { exitCode: 0, signal: null, timedOut };
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (status.reason === 'NonZeroExitCode' && code !== undefined && /^\d+$/.test(code)) return { exitCode: Number(code), signal: null, timedOut };
  if (status.message) run.onData('stderr', Buffer.from(`${status.message}\n`));
  return { exitCode: null, signal: null, timedOut };
}

function refusalMessage(body: string, fallback: string | undefined): string {
  try {
    const status = JSON.parse(body) as Status;
    if (typeof status.message === 'string') return status.reason ? `${status.reason}: ${status.message}` : status.message;
  } catch {
    // Not a Status: its text is quoted.
  }
  return body.trim().slice(0, 500) || fallback || 'no message';
}
