// Masking throughput: MB/s for a JSON API response, log text and an SSE stream, with every
// built-in rule (and every PII kind) on; then with a connection's credential added, as the
// gateway masks an upstream's answer; then with the gitleaks default pack added; then
// @secretlint/core with the recommended preset on the same text, and the ratios.
//   node --import tsx bench/mask/run.ts
import { readFileSync } from 'node:fs';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { createMasker, loadGitleaksPack, maskByteStream, type Masker } from '../../shared/masking/index.js';
import { credential, jsonResponse, logText, sseChunks } from './inputs.js';

const MB = 1 << 20;
const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };
/** The targets, for the built-in rules on the JSON and log inputs. */
const TARGET_MBPS = 100;
const TARGET_RATIO = 2;

/** Median seconds per run over `runs` runs, after warming up for at least 3 runs and half a second. */
async function time(run: () => unknown, runs: number): Promise<number> {
  const warmUntil = performance.now() + 500;
  for (let i = 0; i < 3 || performance.now() < warmUntil; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    samples.push((performance.now() - start) / 1000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function streamThrough(masker: Masker, chunks: Uint8Array[]): Promise<number> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let bytes = 0;
  const reader = source.pipeThrough(maskByteStream(masker, { sse: true })).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
  return bytes;
}

const secretlint = (content: string) =>
  lintSource({
    source: { filePath: '/bench/input.txt', content, contentType: 'text', ext: '.txt' },
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] } },
  });

const json = jsonResponse();
const log = logText();
const sse = sseChunks();
const sseBytes = sse.reduce((n, c) => n + c.byteLength, 0);
const sseText = new TextDecoder().decode(Buffer.concat(sse));

const pack = loadGitleaksPack(readFileSync(new URL('../../test/data/gitleaks/gitleaks.toml', import.meta.url), 'utf8'));
const builtIn = createMasker({ pii: ALL_PII });
const withPack = createMasker({ pii: ALL_PII }, [pack]);
const withCredential = builtIn.withSecrets([{ rule: 'connection-credential', value: credential() }]);

const mbps = (bytes: number, seconds: number) => bytes / MB / seconds;
interface Row {
  name: string;
  rules: string;
  json: number;
  log: number;
  /** Not measured for secretlint: see the notes printed below the table. */
  sseChunked?: number;
  sseWhole: number;
}
const rows: Row[] = [];
for (const [label, masker] of [['built-in', builtIn], ['built-in + credential', withCredential], ['built-in + gitleaks', withPack]] as const) {
  rows.push({
    name: `portcullis (${label})`,
    rules: String(masker.ruleCount),
    json: mbps(json.length, await time(() => masker.auto(json, 'application/json'), 15)),
    log: mbps(log.length, await time(() => masker.auto(log, 'text/plain'), 15)),
    sseChunked: mbps(sseBytes, await time(() => streamThrough(masker, sse), 9)),
    sseWhole: mbps(sseBytes, await time(() => masker.auto(sseText, 'text/event-stream'), 15)),
  });
}
rows.push({
  name: 'secretlint (preset-recommend)',
  rules: '-',
  json: mbps(json.length, await time(() => secretlint(json), 7)),
  log: mbps(log.length, await time(() => secretlint(log), 7)),
  sseWhole: mbps(sseBytes, await time(() => secretlint(sseText), 7)),
});

const head = ['engine', 'rules', `JSON ${(json.length / MB).toFixed(2)} MB`, `log ${(log.length / MB).toFixed(2)} MB`, `SSE ${sse.length} events`, 'SSE as one text'];
const cells = rows.map((r) => [r.name, r.rules, r.json.toFixed(1), r.log.toFixed(1), r.sseChunked?.toFixed(1) ?? '-', r.sseWhole.toFixed(1)]);
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
console.log('MB/s, median of repeated runs after warm-up (higher is better)');
console.log(line(head));
for (const c of cells) console.log(line(c));
console.log(`
  JSON, log        one call on the whole body: portcullis auto() (JSON mode / text mode), secretlint lintSource()
  SSE N events     ${(sseBytes / MB).toFixed(2)} MB event by event, as a proxy streams it: portcullis through maskByteStream
                   (sse), one chunk per event, web stream included. Not run for secretlint: its profiler keeps
                   every performance mark and searches them on each call, so thousands of calls grow quadratic
  SSE as one text  the same bytes concatenated, one call each (portcullis auto() in text mode): the comparison
  rules            active portcullis rules: regex rules, PII scanners, the sensitive-key rule and the credential`);
console.log(`gitleaks pack: ${pack.rules.length} rules loaded, ${pack.skipped.length} skipped\n`);

const ours = rows[0]!;
const theirs = rows.at(-1)!;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
for (const row of rows.slice(0, -1)) {
  console.log(
    `ratio to secretlint, ${row.name}: JSON ${ratio(row.json, theirs.json)}, log ${ratio(row.log, theirs.log)}, ` +
      `SSE as one text ${ratio(row.sseWhole, theirs.sseWhole)}`,
  );
}
const met = (mb: number, base: number) => (mb >= TARGET_MBPS && mb / base >= TARGET_RATIO ? 'met' : 'NOT met');
console.log(
  `target (built-in rules, >= ${TARGET_MBPS} MB/s and >= ${TARGET_RATIO}x secretlint): ` +
    `JSON ${met(ours.json, theirs.json)}, log ${met(ours.log, theirs.log)}`,
);
