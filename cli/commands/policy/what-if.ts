// `portcullis policy what-if --policy CANDIDATE (--sessions DIR | --from DATE --to DATE [storage])`:
// re-decides every recorded request under a candidate policy and reports what would change.
// Exit 0: no decision changes (or none of those --fail-on names); 1: changes found; 2: bad input.
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { redecide, type DecisionEvent, type Redecision } from '../../../shared/gateway/redecide.js';
import type { Policy } from '../../../shared/policy/compile.js';
import { directorySink, exportSessions, sessionEventSchema, type SessionEvent } from '../../../shared/sessions/index.js';
import { readLines } from '../../../shared/sessions/lines.js';
import { parseDocumentedArgs, type Help } from '../../args.js';
import { UsageError, type Command } from '../../io.js';
import { parseDayRange, rangeFlags, rangeOptions } from '../sessions/dates.js';
import { localStack, sessionStores, storageFlags, storageOptions, storageSettings } from '../sessions/storage.js';
import { loadPolicyFile, plural, policyFlags, policyOptions, policySettings } from './policy-file.js';
import { fileSigner } from '../../../shared/sessions/file-signer.js';

const ACTIONS = ['allow', 'review', 'deny'] as const;
const CHANGES = ACTIONS.flatMap((a) => ACTIONS.filter((b) => b !== a).map((b) => `${a}→${b}`));

const options = {
  ...policyOptions,
  ...storageOptions,
  ...rangeOptions,
  policy: { type: 'string' as const },
  sessions: { type: 'string' as const },
  from: { type: 'string' as const },
  to: { type: 'string' as const },
  json: { type: 'boolean' as const },
  'fail-on': { type: 'string' as const },
};

export const help: Help<typeof options> = {
  usage: 'portcullis policy what-if --policy CANDIDATE (--sessions DIR | --from DATE --to DATE [--max-days N] [storage options]) [--fail-on CHANGES] [--json]',
  about: 'Judges recorded requests again under a candidate policy and lists the decisions that would change (exit 1 when one of --fail-on changes).',
  flags: {
    ...policyFlags,
    ...storageFlags,
    ...rangeFlags,
    policy: ['CANDIDATE', 'the candidate policy file; required'],
    sessions: ['DIR', 'read exported session files (portcullis sessions export)'],
    from: ['DATE', 'read the storage account from this UTC day (YYYY-MM-DD)'],
    to: ['DATE', 'to this UTC day, included'],
    json: 'the changes as JSON',
    'fail-on': ['CHANGES', `which changes fail the run, comma-separated (default: all of ${CHANGES.join(', ')})`],
  },
};

interface Change {
  change: string;
  time: string;
  sessionId: string;
  requestId: string;
  subject?: string;
  connection?: string;
  /** The operation's summary, masked as recorded. */
  summary?: string;
  before: { action: string; rule: string | null };
  after: { action: string; rule: string | null };
  approximate?: string[];
}

export const run: Command = async (args, io) => {
  const { values } = parseDocumentedArgs(args, options, help);
  if (!values.policy) throw new UsageError('--policy CANDIDATE is required');
  const fromStorage = values.from !== undefined || values.to !== undefined;
  if ((values.sessions === undefined) === !fromStorage) throw new UsageError('give --sessions DIR (exported session files) or --from DATE --to DATE (the storage account), one of them');
  const failOn = values['fail-on'] === undefined ? CHANGES : values['fail-on'].split(',').map(parseChange);
  const settings = policySettings(values, io);
  const loaded = await loadPolicyFile(values.policy, io, settings);
  if (!loaded.ok) {
    io.stdout.write(`${loaded.report}\n${plural(loaded.count, 'problem')}\n`);
    return 2;
  }

  let dir: string;
  let cleanup = async () => {};
  if (values.sessions !== undefined) {
    dir = resolve(io.cwd, values.sessions);
    if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) throw new UsageError(`--sessions ${values.sessions} is not a folder`);
  } else {
    if (values.from === undefined || values.to === undefined) throw new UsageError('--from DATE and --to DATE go together');
    const { from, to } = parseDayRange({ ...values, from: values.from, to: values.to });
    const stores = sessionStores(storageSettings(values, io.env, await localStack(io, values.state)));
    dir = await mkdtemp(join(tmpdir(), 'portcullis-what-if-'));
    cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      // The copy is read here and thrown away: a key of its own signs it, for the export's sake only.
      await exportSessions(stores.blobs, { from, to }, directorySink(dir), await fileSigner(join(dir, 'what-if-key.pem'), { create: true }));
    } catch (error) {
      await cleanup();
      io.stderr.write(`portcullis policy what-if: ${(error as Error).message.split('\n')[0]}\n`);
      return 2;
    }
  }

  try {
    const report = await whatIf(dir, loaded.policy);
    const counted = report.changes.filter((c) => failOn.includes(c.change)).length;
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write(render(report, loaded.shown, values.sessions === undefined ? `${values.from}..${values.to}` : relative(io.cwd, dir) || '.'));
    return counted > 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
};

function parseChange(text: string): string {
  const change = text.trim().replace('->', '→');
  if (!CHANGES.includes(change)) throw new UsageError(`--fail-on "${text}" is not a change like allow->deny (${CHANGES.join(', ')})`);
  return change;
}

export interface WhatIfReport {
  files: number;
  decisions: number;
  /** Count per change, e.g. `allow→deny`: every kind of change is listed, 0 included. */
  changed: Record<string, number>;
  unchanged: number;
  /** Same action, decided by another rule (counted in unchanged too). */
  otherRule: number;
  notRedecidable: { count: number; reasons: Record<string, number> };
  /** Lines that are not session events of this version: skipped. */
  unreadableLines: number;
  changes: Change[];
}

async function whatIf(dir: string, policy: Policy): Promise<WhatIfReport> {
  const report: WhatIfReport = {
    files: 0,
    decisions: 0,
    changed: Object.fromEntries(CHANGES.map((c) => [c, 0])),
    unchanged: 0,
    otherRule: 0,
    notRedecidable: { count: 0, reasons: {} },
    unreadableLines: 0,
    changes: [],
  };
  for (const file of await sessionFiles(dir)) {
    report.files += 1;
    for await (const line of readLines(createReadStream(file))) {
      if (line.text.trim() === '') continue;
      const event = parseEvent(line.text);
      if (!event) {
        report.unreadableLines += 1;
        continue;
      }
      if (event.type !== 'decision') continue;
      report.decisions += 1;
      tally(report, event, redecide(event, policy));
    }
  }
  report.changes.sort((a, b) => a.time.localeCompare(b.time) || a.requestId.localeCompare(b.requestId));
  return report;
}

function tally(report: WhatIfReport, event: DecisionEvent, r: Redecision): void {
  if (!r.redecided) {
    report.notRedecidable.count += 1;
    report.notRedecidable.reasons[r.reason] = (report.notRedecidable.reasons[r.reason] ?? 0) + 1;
    return;
  }
  if (r.before.action === r.after.action) {
    report.unchanged += 1;
    if (r.before.rule !== r.after.rule) report.otherRule += 1;
    return;
  }
  const change = `${r.before.action}→${r.after.action}`;
  report.changed[change] = (report.changed[change] ?? 0) + 1;
  report.changes.push({
    change,
    time: event.time,
    sessionId: event.sessionId,
    requestId: event.requestId,
    subject: event.principal?.subject,
    connection: event.connection,
    summary: event.operation?.summary,
    before: r.before,
    after: r.after,
    ...(r.approximate.length > 0 ? { approximate: r.approximate } : {}),
  });
}

function parseEvent(text: string): SessionEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = sessionEventSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The session files (`*.jsonl`) under a folder, at any depth, in name order. */
async function sessionFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function render(r: WhatIfReport, candidate: string, source: string): string {
  const lines = [`${plural(r.decisions, 'recorded decision')} in ${plural(r.files, 'session file')} (${source}), re-decided under ${candidate}:`];
  const width = Math.max(...CHANGES.map((c) => c.length), 'not re-decidable'.length);
  for (const change of CHANGES) if (r.changed[change]! > 0) lines.push(`  ${change.padEnd(width)}  ${r.changed[change]}`);
  lines.push(`  ${'unchanged'.padEnd(width)}  ${r.unchanged}${r.otherRule > 0 ? ` (${r.otherRule} by another rule)` : ''}`);
  lines.push(`  ${'not re-decidable'.padEnd(width)}  ${r.notRedecidable.count}`);
  for (const [reason, count] of Object.entries(r.notRedecidable.reasons)) lines.push(`    ${count}  ${reason}`);
  if (r.unreadableLines > 0) lines.push(`  ${plural(r.unreadableLines, 'line')} skipped: not a session event this version reads`);
  if (r.changes.length > 0) {
    lines.push('', 'changed (as recorded, masked):');
    for (const c of r.changes) {
      const approx = c.approximate ? `  [approximate: ${c.approximate.join(', ')} masked or truncated when recorded]` : '';
      lines.push(`  ${c.change.padEnd(12)} ${c.time}  ${c.subject ?? '?'} on ${c.connection ?? '?'}: ${c.summary ?? ''}  (${c.before.rule} → ${c.after.rule})  session ${c.sessionId} request ${c.requestId}${approx}`);
    }
  }
  const total = Object.values(r.changed).reduce((a, b) => a + b, 0);
  lines.push('', total === 0 ? 'no decision would change' : `${plural(total, 'decision')} would change`);
  return `${lines.join('\n')}\n`;
}
