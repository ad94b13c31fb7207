// Verifies an export directory: every file's chain, and every file against manifest.json (listed,
// present, event count, chain head, size, SHA-256). One result per file: fine, or its first problem.
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { createFileStats, tap } from './file-stats.js';
import { readLines } from './lines.js';
import { entryLine, MANIFEST_FILE, parseManifest, type ManifestEntry } from './manifest.js';
import { parseBlobPath } from './names.js';
import { createChainVerifier } from './verify.js';

/** A file that verifies (no message), or where (line, 1-based, when known) and what is wrong. */
export interface ExportCheck {
  file: string;
  line?: number;
  message?: string;
}

export async function verifyExport(dir: string): Promise<ExportCheck[]> {
  const checks: ExportCheck[] = [];
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const parsed = text === undefined ? undefined : parseManifest(text);
  if (text === undefined) checks.push({ file: MANIFEST_FILE, message: 'is missing' });
  else if (parsed && !('manifest' in parsed)) checks.push({ file: MANIFEST_FILE, line: parsed.line, message: parsed.message });
  const entries = parsed && 'manifest' in parsed ? parsed.manifest.files : [];
  const listed = new Map<string, ManifestEntry>();
  const at = (path: string, message: string): ExportCheck => ({ file: MANIFEST_FILE, line: entryLine(text ?? '', path), message });
  for (const entry of entries) {
    if (listed.has(entry.path)) checks.push(at(entry.path, `lists ${entry.path} twice`));
    listed.set(entry.path, entry);
  }
  const present = new Set(
    (await readdir(dir, { recursive: true }))
      .map((name) => name.split(sep).join('/'))
      .filter((name) => name.endsWith('.jsonl')),
  );
  for (const path of [...new Set([...listed.keys(), ...present])].sort()) {
    if (!present.has(path)) checks.push(at(path, `lists ${path}, which is missing`));
    else checks.push(await checkFile(dir, path, listed.get(path), (message) => at(path, message)));
  }
  return checks;
}

async function checkFile(
  dir: string,
  path: string,
  entry: ManifestEntry | undefined,
  manifestProblem: (message: string) => ExportCheck,
): Promise<ExportCheck> {
  const key = parseBlobPath(path);
  if (!key) return { file: path, message: 'is not named yyyy/mm/dd/{sessionId}.jsonl' };
  const stats = createFileStats();
  const verifier = createChainVerifier(key);
  for await (const line of readLines(tap(createReadStream(join(dir, path)), stats))) verifier.line(line.text, line.terminated);
  const [problem] = verifier.end();
  if (problem) return { file: path, line: problem.line, message: problem.message };
  if (!entry) return { file: path, message: `is not listed in ${MANIFEST_FILE}` };
  const file = stats.result();
  if (entry.sessionId !== key.sessionId || entry.day !== key.day) {
    return manifestProblem(`says ${path} is session ${entry.sessionId} on ${entry.day}`);
  }
  if (entry.events !== file.events) return manifestProblem(`lists ${entry.events} events for ${path}, which has ${file.events}`);
  if (entry.head !== file.head) return manifestProblem(`lists a chain head for ${path} that is not the hash of its last line`);
  if (entry.bytes !== file.bytes) return manifestProblem(`lists ${entry.bytes} bytes for ${path}, which has ${file.bytes}`);
  if (entry.sha256 !== file.sha256) return manifestProblem(`lists a SHA-256 for ${path} that does not match the file`);
  return { file: path };
}
