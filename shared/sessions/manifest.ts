// An export's manifest.json: every file with its SHA-256, size, event count and chain head, the
// daily ledgers the export carries, and a signature over all of it (shared/sessions/signature.ts).
// It is written with one file per line so that `verify` can point at the line of an entry.
import { z } from 'zod';
import { daySchema } from './names.js';
import { sessionIdSchema } from './schema.js';
import { signatureSchema } from './signature.js';

export const MANIFEST_FILE = 'manifest.json';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');

const manifestEntrySchema = z.strictObject({
  path: z.string().min(1),
  sessionId: sessionIdSchema,
  day: daySchema,
  bytes: z.int().nonnegative(),
  sha256: sha256Hex,
  events: z.int().nonnegative(),
  /** The last line's hash; absent for an empty file or one whose last line is unreadable. */
  head: sha256Hex.optional(),
});

/** A day's ledger, copied as it is (`ledger/yyyy/mm/dd.jsonl`). */
const ledgerEntrySchema = z.strictObject({ path: z.string().min(1), day: daySchema, bytes: z.int().nonnegative(), sha256: sha256Hex });

export const manifestSchema = z.strictObject({
  v: z.literal(2),
  from: daySchema,
  to: daySchema,
  createdAt: z.iso.datetime(),
  files: z.array(manifestEntrySchema),
  ledgers: z.array(ledgerEntrySchema),
  signature: signatureSchema.optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export function formatManifest(manifest: Manifest): string {
  const { files, ledgers, signature, ...header } = manifest;
  const head = Object.entries(header).map(([name, value]) => `  ${JSON.stringify(name)}: ${JSON.stringify(value)},`);
  const list = (name: string, items: object[], last: boolean) => {
    const end = last ? '' : ',';
    if (items.length === 0) return [`  ${JSON.stringify(name)}: []${end}`];
    return [`  ${JSON.stringify(name)}: [`, ...items.map((item, i) => `    ${JSON.stringify(item)}${i < items.length - 1 ? ',' : ''}`), `  ]${end}`];
  };
  const tail = signature ? [`  "signature": ${JSON.stringify(signature)}`] : [];
  return ['{', ...head, ...list('files', files, false), ...list('ledgers', ledgers, !signature), ...tail, '}', ''].join('\n');
}

/** The manifest, or where and why it cannot be read (line is 1-based). */
export function parseManifest(text: string): { manifest: Manifest } | { line: number; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    return { line: position ? lineAt(text, Number(position[1])) : 1, message: 'is not valid JSON' };
  }
  const result = manifestSchema.safeParse(value);
  if (result.success) return { manifest: result.data };
  const issue = result.error.issues[0]!;
  const [first, index] = issue.path;
  const path = first === 'files' && typeof index === 'number' ? (value as { files: Array<{ path?: unknown }> }).files[index]?.path : undefined;
  const line = typeof path === 'string' ? entryLine(text, path) : 1;
  return { line, message: `${issue.path.map(String).join('.') || 'manifest'}: ${issue.message}` };
}

/** The line that lists `path` (1 when none does). */
export function entryLine(text: string, path: string): number {
  const index = text.indexOf(JSON.stringify(path));
  return index < 0 ? 1 : lineAt(text, index);
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
