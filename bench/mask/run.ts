// Masking throughput: MB/s for a JSON API response, log text and an SSE stream, with every
// built-in rule (and every PII kind) on; then the same with the gitleaks default pack added;
// then @secretlint/core with the recommended preset on the same text, and the ratio.
//   node --import tsx bench/mask/run.ts
import { readFileSync } from 'node:fs';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { createMasker, loadGitleaksPack, maskByteStream, type Masker } from '../../shared/masking/index.js';
import { jsonResponse, logText, sseChunks } from './inputs.js';

const MB = 1 << 20;
const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };

/** Median seconds per run over `runs` runs after warming up. */
async function time(run: () => unknown, runs = 15): Promise<number> {
  for (let i = 0; i < 3; i++) await run();
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

const pack = loadGitleaksPack(readFileSync(new URL('../../../shared/data/gitleaks/gitleaks.toml', import.meta.url), 'utf8'));
const builtIn = createMasker({ pii: ALL_PII });
const withPack = createMasker({ pii: ALL_PII }, [pack]);

const mbps = (bytes: number, seconds: number) => bytes / MB / seconds;
const rows: string[][] = [];
const results: Record<string, number> = {};
for (const [label, masker] of [['built-in', builtIn], ['built-in + gitleaks', withPack]] as const) {
  const j = mbps(json.length, await time(() => masker.auto(json, 'application/json')));
  const l = mbps(log.length, await time(() => masker.auto(log, 'text/plain')));
  const s = mbps(sseBytes, await time(() => streamThrough(masker, sse), 7));
  results[label] = j;
  results[`${label} log`] = l;
  rows.push([`portcullis (${label})`, String(masker.ruleCount), j.toFixed(1), l.toFixed(1), s.toFixed(1)]);
}
const sj = mbps(json.length, await time(() => secretlint(json), 5));
const sl = mbps(log.length, await time(() => secretlint(log), 5));
const ss = mbps(sseText.length, await time(() => secretlint(sseText), 5));
rows.push(['secretlint (preset-recommend)', '-', sj.toFixed(1), sl.toFixed(1), ss.toFixed(1)]);

const head = ['engine', 'rules', `JSON ${(json.length / MB).toFixed(2)} MB`, `log ${(log.length / MB).toFixed(2)} MB`, `SSE ${sse.length} chunks`];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log('MB/s (median)');
console.log(line(head));
for (const row of rows) console.log(line(row));
console.log();
console.log(`gitleaks pack: ${pack.rules.length} rules loaded, ${pack.skipped.length} skipped`);
console.log(`ratio to secretlint (built-in): JSON ${(results['built-in']! / sj).toFixed(1)}x, log ${(results['built-in log']! / sl).toFixed(1)}x`);
console.log(`ratio to secretlint (with gitleaks): JSON ${(results['built-in + gitleaks']! / sj).toFixed(1)}x, log ${(results['built-in + gitleaks log']! / sl).toFixed(1)}x`);
