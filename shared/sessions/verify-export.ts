// Verifies an export directory against the keys the auditor trusts: the manifest's signature (by
// a trusted key, over every field), every file's chain, every file against the manifest (listed,
// present, event count, chain head, size, SHA-256), and each day's ledger (chained, sealed by a
// trusted key) against the files of its day: a session the ledger lists must be there with the
// ledger's head, count, size and digest, and a file of a sealed day must be in its ledger.
// One result per file: fine (with a note), or its first problem.
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { createFileStats, tap, type FileStats } from './file-stats.js';
import { checkLedgerFile, headMismatch, parseLedgerPath, type LedgerHead } from './ledger.js';
import { readLines } from './lines.js';
import { entryLine, MANIFEST_FILE, parseManifest, type ManifestEntry } from './manifest.js';
import { blobPath, daysBetween, parseBlobPath } from './names.js';
import { checkSignature, type TrustedKey } from './signature.js';
import { createChainVerifier } from './verify.js';

/** A file that verifies (no message; perhaps a note), or where (line, 1-based, when known) and what is wrong. */
export interface ExportCheck {
  file: string;
  line?: number;
  message?: string;
  /** Said of a file that verifies: which key signed it. */
  note?: string;
}

export async function verifyExport(dir: string, trusted: TrustedKey[]): Promise<ExportCheck[]> {
  const checks: ExportCheck[] = [];
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const parsed = text === undefined ? undefined : parseManifest(text);
  if (text === undefined) checks.push({ file: MANIFEST_FILE, message: 'is missing' });
  else if (parsed && !('manifest' in parsed)) checks.push({ file: MANIFEST_FILE, line: parsed.line, message: parsed.message });
  const manifest = parsed && 'manifest' in parsed ? parsed.manifest : undefined;
  if (manifest) {
    const verdict = checkSignature(manifest, trusted);
    checks.push('keyId' in verdict ? { file: MANIFEST_FILE, note: `signed by ${verdict.keyId}` } : { file: MANIFEST_FILE, message: verdict.problem });
  }
  const entries = manifest?.files ?? [];
  const listed = new Map<string, ManifestEntry>();
  const at = (path: string, message: string): ExportCheck => ({ file: MANIFEST_FILE, line: entryLine(text ?? '', path), message });
  for (const entry of entries) {
    if (listed.has(entry.path)) checks.push(at(entry.path, `lists ${entry.path} twice`));
    listed.set(entry.path, entry);
  }
  const names = (await readdir(dir, { recursive: true })).map((name) => name.split(sep).join('/')).filter((name) => name.endsWith('.jsonl'));
  const ledgerFiles = new Set(names.filter((name) => name.startsWith('ledger/')));
  const present = new Set(names.filter((name) => !ledgerFiles.has(name)));

  // Ledgers first: their heads are what each day's files are held to.
  const sealedDays = new Map<string, Map<string, LedgerHead>>();
  const ledgerEntries = new Map((manifest?.ledgers ?? []).map((entry) => [entry.path, entry]));
  for (const path of [...new Set([...ledgerFiles, ...ledgerEntries.keys()])].sort()) {
    const day = parseLedgerPath(path);
    if (!day) checks.push({ file: path, message: 'is not named ledger/yyyy/mm/dd.jsonl' });
    else if (!ledgerFiles.has(path)) checks.push(at(path, `lists ${path}, which is missing`));
    else checks.push(await checkLedger(dir, path, day, trusted, ledgerEntries.get(path), (message) => at(path, message), sealedDays));
  }

  const sessionDays = new Map<string, Array<{ path: string; sessionId: string; day: string; part: number }>>();
  for (const path of [...new Set([...listed.keys(), ...present])].sort()) {
    const key = parseBlobPath(path);
    if (!present.has(path)) checks.push(at(path, `lists ${path}, which is missing`));
    else if (!key) checks.push({ file: path, message: 'is not named yyyy/mm/dd/{sessionId}.jsonl' });
    else sessionDays.set(`${key.day}/${key.sessionId}`, [...(sessionDays.get(`${key.day}/${key.sessionId}`) ?? []), { path, ...key }]);
  }
  for (const files of sessionDays.values()) {
    checks.push(...(await checkSessionDay(dir, files.sort((a, b) => a.part - b.part), listed, (path, message) => at(path, message), sealedDays)));
  }
  // A session the ledger anchors but the export lacks: deleted together with its manifest line.
  for (const [day, heads] of sealedDays) {
    for (const head of heads.values()) {
      const path = blobPath(day, head.sessionId);
      if (!sessionDays.has(`${day}/${head.sessionId}`) && !listed.has(path)) checks.push({ file: path, message: `is missing: the ledger of ${day} lists session ${head.sessionId} with ${head.events} events` });
    }
  }
  // A day of the range whose ledger the export does not carry is checked against the manifest
  // only; the manifest's signature says whether a ledger was left out.
  if (manifest) {
    const carried = new Set([...ledgerEntries.values()].map((entry) => entry.day));
    const unsealed = daysBetween(manifest.from, manifest.to).filter((day) => !carried.has(day) && entries.some((entry) => entry.day === day));
    if (unsealed.length > 0) checks.push({ file: MANIFEST_FILE, note: `no ledger for ${unsealed.join(', ')} (not sealed when exported)` });
  }
  return checks;
}

async function checkLedger(
  dir: string,
  path: string,
  day: string,
  trusted: TrustedKey[],
  entry: { bytes: number; sha256: string } | undefined,
  manifestProblem: (message: string) => ExportCheck,
  sealedDays: Map<string, Map<string, LedgerHead>>,
): Promise<ExportCheck> {
  const stats = createFileStats();
  const check = await checkLedgerFile(tap(createReadStream(join(dir, path)), stats), day, trusted);
  if (check.problem) return { file: path, line: check.problem.line, message: check.problem.message };
  sealedDays.set(day, new Map(check.heads.map((head) => [head.sessionId, head])));
  const file = stats.result();
  if (!entry) return { file: path, message: `is not listed in ${MANIFEST_FILE}` };
  if (entry.bytes !== file.bytes || entry.sha256 !== file.sha256) return manifestProblem(`lists a size or SHA-256 for ${path} that does not match the file`);
  return { file: path, note: `sealed by ${check.sealedBy}, ${check.heads.length} session-days` };
}

/**
 * Checks the files of one session-day, in part order: one chain across them (a part missing
 * between two is named), each file against its manifest entry, and all of them, read as one
 * stream, against the head the day's ledger sealed.
 */
async function checkSessionDay(
  dir: string,
  files: Array<{ path: string; sessionId: string; day: string; part: number }>,
  listed: Map<string, ManifestEntry>,
  manifestProblem: (path: string, message: string) => ExportCheck,
  sealedDays: Map<string, Map<string, LedgerHead>>,
): Promise<ExportCheck[]> {
  const { sessionId, day } = files[0]!;
  const checks: ExportCheck[] = [];
  const whole = createFileStats();
  const verifier = createChainVerifier({ sessionId, day, file: files[0]!.path, part: files[0]!.part });
  const stats = new Map<string, FileStats>();
  let expected = 0;
  for (const { path, part } of files) {
    for (; expected < part; expected += 1) {
      const missing = blobPath(day, sessionId, expected);
      checks.push({ file: missing, message: `is missing: ${path} continues the session-day after it` });
    }
    expected = part + 1;
    if (path !== files[0]!.path) verifier.next(part, path);
    const file = createFileStats();
    for await (const line of readLines(tap(tap(createReadStream(join(dir, path)), file), whole))) verifier.line(line.text, line.terminated);
    stats.set(path, file.result());
  }
  const problems = verifier.end();
  const ledgerHead = sealedDays.get(day)?.get(sessionId);
  const all = whole.result();
  const last = files.at(-1)!.path;
  for (const { path } of files) {
    const problem = problems.find((p) => p.file === path);
    if (problem) checks.push({ file: path, line: problem.line, message: problem.message });
    else if (path === last && ledgerHead !== undefined) checks.push(ledgerCheck(path, day, all, ledgerHead) ?? manifestCheck(path, stats.get(path)!, listed.get(path), manifestProblem));
    else if (path === last && sealedDays.has(day)) checks.push({ file: path, message: `is not in the ledger of ${day} (the day was sealed without it)` });
    else checks.push(manifestCheck(path, stats.get(path)!, listed.get(path), manifestProblem));
  }
  return checks;
}

/** The session-day's files, read as one, against the head its day's ledger sealed. */
function ledgerCheck(path: string, day: string, all: FileStats, head: LedgerHead): ExportCheck | undefined {
  const message = headMismatch(day, all, head);
  return message === undefined ? undefined : { file: path, message };
}

function manifestCheck(
  path: string,
  file: FileStats,
  entry: ManifestEntry | undefined,
  manifestProblem: (path: string, message: string) => ExportCheck,
): ExportCheck {
  const key = parseBlobPath(path)!;
  if (!entry) return { file: path, message: `is not listed in ${MANIFEST_FILE}` };
  if (entry.sessionId !== key.sessionId || entry.day !== key.day) {
    return manifestProblem(path, `says ${path} is session ${entry.sessionId} on ${entry.day}`);
  }
  if (entry.events !== file.events) return manifestProblem(path, `lists ${entry.events} events for ${path}, which has ${file.events}`);
  if (entry.head !== file.head) return manifestProblem(path, `lists a chain head for ${path} that is not the hash of its last line`);
  if (entry.bytes !== file.bytes) return manifestProblem(path, `lists ${entry.bytes} bytes for ${path}, which has ${file.bytes}`);
  if (entry.sha256 !== file.sha256) return manifestProblem(path, `lists a SHA-256 for ${path} that does not match the file`);
  return { file: path };
}
