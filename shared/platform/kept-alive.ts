// One HTTP/1.1 request at a time per kept-alive socket, the request and the answer whole: for a
// call the gateway makes for every request it serves (an Append Block) and whose answer is a few
// headers. node:http's client spends more CPU on its machinery (ClientRequest, agents, events,
// IncomingMessage streams) than the exchange itself costs: 155-170 µs of CPU per exchange on
// this machine against 66 µs here (scratch measurement, one kept-alive connection, loopback).
// Anything out of the ordinary (a socket error, an answer it cannot read, a timeout) rejects,
// and the socket is dropped; the caller decides what a retry is.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface KeptAliveAnswer {
  status: number;
  /** Header names in lower case; a repeated header's values joined with ', '. */
  headers: Map<string, string>;
  body: Buffer;
}

export interface KeptAliveOptions {
  /** Certificate authorities trusted for https (instead of Node's). */
  ca?: string | Buffer;
  /** Milliseconds an exchange may take, from its write to the end of its answer. */
  timeoutMs?: number;
  /** Milliseconds an idle socket is kept. */
  idleMs?: number;
}

/** Longest answer head read (status line and headers). */
const MAX_HEAD = 64 * 1024;
/** Longest answer body read: error bodies are a few hundred bytes. */
const MAX_BODY = 1024 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

class BadAnswer extends Error {
  override name = 'BadAnswer';
}

/** The answer being read on a socket. */
class Reading {
  private chunks: Buffer[] = [];
  private length = 0;
  private head: { status: number; headers: Map<string, string>; bodyAt: number } | undefined;

  /** Adds `chunk`; returns the answer once whole, and whether the socket may be kept. */
  add(chunk: Buffer): { answer: KeptAliveAnswer; keep: boolean | number } | undefined {
    this.chunks.push(chunk);
    this.length += chunk.length;
    let data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    this.chunks = [data];
    for (;;) {
      if (!this.head) {
        const end = data.indexOf(CRLF2);
        if (end === -1) {
          if (data.length > MAX_HEAD) throw new BadAnswer('answer head too long');
          return undefined;
        }
        this.head = parseHead(data.toString('latin1', 0, end), end + 4);
        // An interim answer (100 Continue) is skipped: the final one follows.
        if (this.head.status >= 100 && this.head.status < 200) {
          data = data.subarray(this.head.bodyAt);
          this.chunks = [data];
          this.length = data.length;
          this.head = undefined;
          continue;
        }
      }
      const { status, headers, bodyAt } = this.head;
      const keep = (headers.get('connection') ?? '').toLowerCase() !== 'close' && keptFor(headers.get('keep-alive'));
      if (status === 204 || status === 304) return this.whole(data, bodyAt, bodyAt, keep);
      const chunked = (headers.get('transfer-encoding') ?? '').toLowerCase();
      if (chunked !== '') {
        if (chunked !== 'chunked') throw new BadAnswer(`transfer-encoding ${chunked}`);
        const body = dechunk(data, bodyAt);
        if (!body) return undefined;
        return this.whole(data, body.end, body.end, keep, body.bytes);
      }
      const length = headers.get('content-length');
      // An answer ended by closing the connection is not read: the server would close this one.
      if (length === undefined || !/^\d+$/.test(length)) throw new BadAnswer('answer without a length');
      const size = Number(length);
      if (size > MAX_BODY) throw new BadAnswer('answer body too long');
      if (data.length < bodyAt + size) return undefined;
      return this.whole(data, bodyAt, bodyAt + size, keep);
    }
  }

  private whole(data: Buffer, from: number, to: number, keep: boolean | number, body?: Buffer): { answer: KeptAliveAnswer; keep: boolean | number } {
    // Bytes after the answer were not asked for: the connection is out of step.
    if (data.length > to) throw new BadAnswer('bytes after the answer');
    const { status, headers } = this.head!;
    return { answer: { status, headers, body: body ?? Buffer.from(data.subarray(from, to)) }, keep };
  }
}

/**
 * Whether to keep the connection, or for how many milliseconds at most: a server's
 * `Keep-Alive: timeout=N` less a second, so that the socket is not used as the server closes it.
 */
function keptFor(hint: string | undefined): boolean | number {
  const seconds = hint && /(?:^|,)\s*timeout=(\d+)/i.exec(hint)?.[1];
  if (!seconds) return true;
  const ms = Number(seconds) * 1000 - 1000;
  return ms > 0 ? ms : false;
}

function parseHead(text: string, bodyAt: number): { status: number; headers: Map<string, string>; bodyAt: number } {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]!);
  if (!status) throw new BadAnswer('not an HTTP/1.1 answer');
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BadAnswer('malformed header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  if (/^HTTP\/1\.0/.test(lines[0]!) && (headers.get('connection') ?? '').toLowerCase() !== 'keep-alive') headers.set('connection', 'close');
  return { status: Number(status[1]), headers, bodyAt };
}

/** The chunked body at `at` of `data` when whole: its bytes and where it ends (after any trailers). */
function dechunk(data: Buffer, at: number): { bytes: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let size = 0;
  for (;;) {
    const line = data.indexOf('\r\n', at);
    if (line === -1) return undefined;
    const hex = /^([0-9a-fA-F]{1,8})(?:;.*)?$/.exec(data.toString('latin1', at, line));
    if (!hex) throw new BadAnswer('malformed chunk');
    const length = parseInt(hex[1]!, 16);
    if (length === 0) {
      // Trailers, if any, then an empty line.
      for (let p = line + 2; ; ) {
        const eol = data.indexOf('\r\n', p);
        if (eol === -1) return undefined;
        if (eol === p) return { bytes: Buffer.concat(parts, size), end: p + 2 };
        p = eol + 2;
      }
    }
    size += length;
    if (size > MAX_BODY) throw new BadAnswer('answer body too long');
    if (data.length < line + 2 + length + 2) return undefined;
    if (data[line + 2 + length] !== 13 || data[line + 3 + length] !== 10) throw new BadAnswer('malformed chunk');
    parts.push(data.subarray(line + 2, line + 2 + length));
    at = line + 4 + length;
  }
}

/** Sockets to one origin: idle ones are kept for the next exchange. */
export class KeptAlive {
  private readonly idle = new Map<string, Socket[]>();
  private readonly timeoutMs: number;
  private readonly idleMs: number;

  constructor(private readonly options: KeptAliveOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.idleMs = options.idleMs ?? 4_000;
  }

  /**
   * Sends `method url` with `headers` (names in lower case; host and content-length are added)
   * and `body`; resolves with the whole answer. Not for HEAD, whose answer has a length but no body.
   */
  async request(url: URL, method: string, headers: Record<string, string>, body: Buffer): Promise<KeptAliveAnswer> {
    const origin = `${url.protocol}//${url.host}`;
    let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
    for (const name in headers) {
      const value = headers[name]!;
      if (/[\r\n]/.test(name + value)) throw new Error(`header ${JSON.stringify(name)} holds a line break`);
      head += `${name}: ${value}\r\n`;
    }
    head += `content-length: ${body.length}\r\n\r\n`;
    const socket = this.take(origin) ?? (await this.open(url));
    return this.exchange(origin, socket, Buffer.concat([Buffer.from(head, 'latin1'), body]));
  }

  /** Closes every idle socket. */
  close(): void {
    for (const sockets of this.idle.values()) for (const socket of sockets) socket.destroy();
    this.idle.clear();
  }

  private take(origin: string): Socket | undefined {
    const sockets = this.idle.get(origin);
    for (let socket = sockets?.pop(); socket; socket = sockets!.pop()) {
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      socket.removeAllListeners('data');
      socket.removeAllListeners('timeout');
      socket.setTimeout(0);
      if (!socket.destroyed && socket.readable && socket.writable) return socket.ref();
      socket.destroy();
    }
    return undefined;
  }

  private open(url: URL): Promise<Socket> {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const socket = secure
        ? tlsConnect({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, ...(this.options.ca ? { ca: this.options.ca } : {}) })
        : netConnect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`connecting to ${url.host} timed out`)), this.timeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 1_000);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private exchange(origin: string, socket: Socket, bytes: Buffer): Promise<KeptAliveAnswer> {
    return new Promise((resolve, reject) => {
      const reading = new Reading();
      const fail = (error: Error) => {
        socket.removeAllListeners('data');
        socket.destroy();
        reject(error);
      };
      socket.on('data', (chunk: Buffer) => {
        let done: ReturnType<Reading['add']>;
        try {
          done = reading.add(chunk);
        } catch (error) {
          return fail(error as Error);
        }
        if (!done) return;
        socket.removeAllListeners('data');
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        if (done.keep !== false) this.keep(origin, socket, done.keep === true ? this.idleMs : Math.min(done.keep, this.idleMs));
        else socket.destroy();
        resolve(done.answer);
      });
      socket.once('error', fail);
      socket.once('close', () => fail(new Error('the connection closed before the answer')));
      socket.setTimeout(this.timeoutMs, () => fail(new Error('no answer in time')));
      socket.write(bytes);
    });
  }

  /** Keeps `socket` idle for the next exchange, dropping it when the server closes it or it idles too long. */
  private keep(origin: string, socket: Socket, idleMs: number) {
    const sockets = this.idle.get(origin) ?? [];
    this.idle.set(origin, sockets);
    const drop = () => {
      const at = sockets.indexOf(socket);
      if (at !== -1) sockets.splice(at, 1);
      socket.destroy();
    };
    socket.once('close', drop);
    socket.once('error', drop);
    // Anything the server sends to an idle socket (its closing, or noise) ends it.
    socket.once('data', drop);
    socket.setTimeout(idleMs, drop);
    sockets.push(socket.unref());
  }
}
