// `portcullis mask`: masks stdin to stdout.
//   portcullis mask [--json] [--rules FILE]...          whole input (JSON-aware when it is JSON)
//   portcullis mask --jsonl [--json] [--rules FILE]...  one {"text": "..."} per line in, one
//                                                       {"text": "<masked>", "findings": [...]} per line out
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createMasker, loadGitleaksPack, type Finding, type Masker, type RulePack } from '../../shared/masking/index.js';
import { UsageError, type CliIo, type Command } from '../io.js';

interface Options {
  jsonl: boolean;
  json: boolean;
  rules: string[];
}

function parseArgs(args: string[]): Options {
  const options: Options = { jsonl: false, json: false, rules: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--jsonl') options.jsonl = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--rules') {
      const file = args[++i];
      if (file === undefined || file.startsWith('--')) throw new UsageError('--rules needs a file');
      options.rules.push(file);
    } else if (arg.startsWith('--rules=')) options.rules.push(arg.slice('--rules='.length));
    else throw new UsageError(`unknown option "${arg}" (options: --jsonl, --json, --rules FILE)`);
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
async function write(io: CliIo, text: string): Promise<void> {
  if (!io.stdout.write(text)) await new Promise<void>((done) => io.stdout.once('drain', done));
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

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
  }
  return text + decoder.decode();
}

export const run: Command = async (args, io) => {
  const options = parseArgs(args);
  const packs = await Promise.all(options.rules.map((file) => loadPack(file, io.cwd)));
  const masker = createMasker({}, packs);
  for (const pack of packs) {
    if (pack.skipped.length > 0) io.stderr.write(`portcullis mask: ${pack.source}: ${pack.rules.length} rules loaded, ${pack.skipped.length} skipped\n`);
  }

  if (!options.jsonl) {
    const masked = maskOne(masker, await readAll(io.stdin), options.json, 'stdin');
    await write(io, masked.text);
    return 0;
  }

  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
    const text = (record as { text?: unknown } | null | undefined)?.text;
    if (typeof record !== 'object' || record === null || Array.isArray(record) || typeof text !== 'string') {
      lines.close();
      throw new UsageError(`line ${number}: expected a JSON object {"text": string}`);
    }
    const masked = maskOne(masker, text, options.json, `line ${number}: text`);
    await write(io, JSON.stringify({ text: masked.text, findings: masked.findings }) + '\n');
  }
  return 0;
};
