// The I/O floor of `portcullis mask`: the same reads, decoding, encoding and writes as the
// command (its own functions), with nothing masked. bench/mask/run.ts times it as a whole
// process beside the command, so that its figures say how much of a run is I/O alone; it prints
// its startup (its imports) on stderr as the command does.
//   node --import tsx bench/mask/io-floor.ts whole FILE      as JSON is read: whole, written into its own bytes
//   node --import tsx bench/mask/io-floor.ts streamed FILE   as text is read: a slice at a time
import { fileInput } from '../../cli/commands/mask-input.js';
import { decode, writeInto } from '../../cli/commands/mask.js';
import type { CliIo } from '../../cli/io.js';
import { SLICE } from '../../shared/masking/index.js';
import { Utf8Pieces } from '../../shared/platform/utf8-pieces.js';
import { startupLine } from './startup.js';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'whole' && mode !== 'streamed') || !file) {
  process.stderr.write('usage: io-floor.ts whole|streamed FILE\n');
  process.exit(2);
}
const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, isTTY: false, env: process.env, cwd: process.cwd() };
const write = async (chunk: string) => {
  if (!process.stdout.write(chunk)) await new Promise<void>((done) => process.stdout.once('drain', done));
};
process.stderr.write(startupLine());
const input = await fileInput(file, process.cwd());
try {
  if (mode === 'whole') {
    const bytes = await input.whole();
    await writeInto(io, decode(bytes), bytes);
  } else {
    const text = new Utf8Pieces();
    for await (const chunk of input.chunks()) {
      for (let at = 0; at < chunk.length; at += SLICE) await write(text.push(chunk.subarray(at, at + SLICE)));
    }
    await write(text.end());
  }
} finally {
  await input.close();
}
