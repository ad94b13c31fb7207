// `portcullis mask`: masks files (or stdin) to stdout.
//   portcullis mask [--json] [--rules FILE]... [FILE...]          each input whole (JSON-aware when it is JSON)
//   portcullis mask --jsonl [--json] [--rules FILE]... [FILE...]  one {"text": "..."} per line in, one
//                                                                 {"text": "<masked>", "findings": [...]} per line out
//   --stats adds one line on stderr at the end: rules, bytes, findings by rule, and the CPU time of
//   startup and of masking, each measured in this process (bench/mask reads it).
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createMasker, loadGitleaksPack, SLICE, type Finding, type Masker, type RulePack } from '../../shared/masking/index.js';
import { Utf8Pieces } from '../../shared/platform/utf8-pieces.js';
import { asksForHelp, HelpRequested, renderHelp, type Help } from '../args.js';
import { UsageError, type CliIo, type Command } from '../io.js';
import { checkInput, fileInput, streamInput, type MaskInput } from './mask-input.js';

interface Options {
  jsonl: boolean;
  json: boolean;
  rules: string[];
  stats: boolean;
  /** Inputs in order; `-` is stdin; none: stdin. */
  files: string[];
}

const documented = {
  jsonl: { type: 'boolean' },
  json: { type: 'boolean' },
  rules: { type: 'string', multiple: true },
  stats: { type: 'boolean' },
} as const;

export const help: Help<typeof documented> = {
  usage: 'portcullis mask [--jsonl] [--json] [--rules FILE]… [--stats] [FILE…]',
  about: 'Masks secrets and PII in each FILE (or stdin, or `-`) and writes the result to stdout, in the order given.',
  flags: {
    jsonl: 'one {"text": "…"} per line in, one {"text": "<masked>", "findings": […]} per line out',
    json: 'the input must be JSON (masked value by value); an error otherwise',
    rules: ['FILE', 'a gitleaks rules file (TOML) whose rules are added'],
    stats: 'at the end, one line on stderr: rules, bytes read, findings by rule, CPU time of startup and of masking',
  },
};

function parseArgs(args: string[]): Options {
  if (asksForHelp(args)) throw new HelpRequested(renderHelp(help, documented));
  const options: Options = { jsonl: false, json: false, rules: [], stats: false, files: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') options.files.push(...args.slice(i + 1)), (i = args.length);
    else if (arg === '-' || !arg.startsWith('-')) options.files.push(arg);
    else if (arg === '--jsonl') options.jsonl = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--stats') options.stats = true;
    else if (arg === '--rules') {
      const file = args[++i];
      if (file === undefined || file.startsWith('--')) throw new UsageError('--rules needs a file');
      options.rules.push(file);
    } else if (arg.startsWith('--rules=')) options.rules.push(arg.slice('--rules='.length));
    else throw new UsageError(`unknown option "${arg}" (options: --jsonl, --json, --rules FILE, --stats; portcullis mask --help)`);
  }
  return options;
}

async function loadPack(file: string, cwd: string): Promise<RulePack> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read rules file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return loadGitleaksPack(text, file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Writes, waiting for the stream to drain when it asks to. */
async function write(io: CliIo, chunk: string | Buffer): Promise<void> {
  if (!io.stdout.write(chunk)) await new Promise<void>((done) => io.stdout.once('drain', done));
}

/** Characters written at a time. */
const WRITE_SLICE = 1 << 16;

/**
 * Writes `text` a slice at a time (never between the two halves of a surrogate pair), each
 * slice encoded into the next free part of `room`, the input's bytes, which decoding has made
 * free; past its end, into new buffers. Memory touched for the first time is much of what a
 * large input costs (the page faults of a 16 MB buffer cost about as much as masking it), and
 * no part of `room` is written twice, so a reader that keeps a chunk keeps it as written.
 */
export async function writeInto(io: CliIo, text: string, room: Buffer): Promise<void> {
  let free = 0;
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + WRITE_SLICE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const slice = text.slice(at, end);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (room.length - free >= 3 * slice.length) {
      const written = room.write(slice, free, 'utf8');
      await write(io, room.subarray(free, free + written));
      free += written;
    } else {
      await write(io, slice);
    }
    at = end;
  }
}

function maskOne(masker: Masker, text: string, forceJson: boolean, where: string): { text: string; findings: Finding[] } {
  if (forceJson) {
    try {
      JSON.parse(text);
    } catch {
      throw new UsageError(`${where} is not valid JSON (--json)`);
    }
    return masker.auto(text, 'application/json');
  }
  return masker.auto(text);
}

/** UTF-8 to text as TextDecoder does it (a byte order mark dropped, a bad sequence as U+FFFD). */
export function decode(bytes: Buffer): string {
  const text = new Utf8Pieces();
  return text.push(bytes) + text.end();
}

export const run: Command = async (args, io) => {
  const options = parseArgs(args);
  const packs = await Promise.all(options.rules.map((file) => loadPack(file, io.cwd)));
  const masker = createMasker({}, packs);
  for (const pack of packs) {
    if (pack.skipped.length > 0) io.stderr.write(`portcullis mask: ${pack.source}: ${pack.rules.length} rules loaded, ${pack.skipped.length} skipped\n`);
  }
  const tally = new Tally(masker.ruleCount);

  const files = options.files.length > 0 ? options.files : ['-'];
  for (const file of files) if (file !== '-') await checkInput(file, io.cwd);
  for (const file of files) {
    const where = file === '-' ? 'stdin' : file;
    // stdin is read through streamInput even here, for its one-line error (a directory on stdin).
    if (options.jsonl) await maskLines(io, masker, file === '-' ? Readable.from(streamInput(io.stdin).chunks()) : await openInput(file, io.cwd), options.json, where, tally);
    else await maskInput(io, masker, file === '-' ? streamInput(io.stdin) : await fileInput(file, io.cwd), options.json, where, tally);
  }
  if (options.stats) io.stderr.write(`portcullis mask: ${tally.line()}\n`);
  return 0;
};

/**
 * What --stats reports. Startup is this process's CPU time (every thread) until the masker is
 * built, masking what it has used since: a benchmark subtracts the startup of the run it times,
 * not that of another run (on a busy machine two startups differ by more than masking 16 MB).
 */
class Tally {
  bytes = 0;
  inputs = 0;
  private readonly found = new Map<string, number>();
  private readonly ready = process.cpuUsage();
  private readonly readyAt = process.uptime();

  constructor(private readonly rules: number) {}

  add(findings: readonly Finding[]): void {
    for (const { rule } of findings) this.found.set(rule, (this.found.get(rule) ?? 0) + 1);
  }

  line(): string {
    const since = process.cpuUsage(this.ready);
    const startup = (this.ready.user + this.ready.system) / 1e6;
    const masking = (since.user + since.system) / 1e6;
    const findings = [...this.found].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const total = findings.reduce((sum, [, n]) => sum + n, 0);
    return (
      `${this.rules} rules; ${this.bytes} bytes in ${this.inputs} input${this.inputs === 1 ? '' : 's'}; ` +
      `${total} finding${total === 1 ? '' : 's'}${findings.length > 0 ? ` (${findings.map(([rule, n]) => `${rule} ${n}`).join(', ')})` : ''}; ` +
      `startup ${startup.toFixed(3)} s CPU (${this.readyAt.toFixed(3)} s wall), masking ${masking.toFixed(3)} s CPU ` +
      `(${masking > 0 ? (this.bytes / 1048576 / masking).toFixed(1) : '-'} MB/s)`
    );
  }
}

/**
 * One input, with the result auto() gives for it whole. JSON (what starts like JSON, and anything
 * under --json) is read whole, its structure being the whole text. Any other text is masked as it
 * is read, a slice at a time, through a stream masker: the same result (rules see across slice
 * edges), in bounded memory that is used again rather than touched fresh.
 */
async function maskInput(io: CliIo, masker: Masker, input: MaskInput, forceJson: boolean, where: string, tally: Tally): Promise<void> {
  tally.inputs++;
  try {
    const first = forceJson ? undefined : await input.firstNonBlank();
    if (forceJson || first === undefined || first === 0x7b || first === 0x5b || first === 0x22) {
      const bytes = await input.whole();
      tally.bytes += bytes.length;
      const masked = maskOne(masker, decode(bytes), forceJson, where);
      tally.add(masked.findings);
      await writeInto(io, masked.text, bytes);
      return;
    }
    const text = new Utf8Pieces();
    const stream = masker.stream();
    for await (const chunk of input.chunks()) {
      tally.bytes += chunk.length;
      for (let at = 0; at < chunk.length; at += SLICE) {
        const out = stream.push(text.push(chunk.subarray(at, at + SLICE)));
        if (out.length > 0) await write(io, out);
      }
    }
    const out = stream.push(text.end()) + stream.end();
    tally.add(stream.findings);
    if (out.length > 0) await write(io, out);
  } finally {
    await input.close();
  }
}

/** A file to read, opened before anything is written so that a missing one is a clear error. */
async function openInput(file: string, cwd: string): Promise<NodeJS.ReadableStream> {
  const path = resolve(cwd, file);
  const stream = createReadStream(path);
  await new Promise<void>((done, fail) => {
    stream.once('open', () => done());
    stream.once('error', (error: NodeJS.ErrnoException) => fail(new UsageError(`cannot read ${file}: ${error.code ?? error.message}`)));
  });
  return stream;
}

async function maskLines(io: CliIo, masker: Masker, input: NodeJS.ReadableStream, json: boolean, where: string, tally: Tally): Promise<void> {
  tally.inputs++;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const at = where === 'stdin' ? '' : `${where}: `;
  let number = 0;
  for await (const line of lines) {
    number++;
    tally.bytes += Buffer.byteLength(line) + 1;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
    const text = (record as { text?: unknown } | null | undefined)?.text;
    if (typeof record !== 'object' || record === null || Array.isArray(record) || typeof text !== 'string') {
      lines.close();
      throw new UsageError(`${at}line ${number}: expected a JSON object {"text": string}`);
    }
    const masked = maskOne(masker, text, json, `${at}line ${number}: text`);
    tally.add(masked.findings);
    await write(io, JSON.stringify({ text: masked.text, findings: masked.findings }) + '\n');
  }
}
