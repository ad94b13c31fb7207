// Refusals are built in one catalogue per module (a `refusals.ts` beside the code that throws them,
// importing only shared/platform/problem.ts), and every problem type those catalogues can answer
// with is listed in docs/problems.md, with the one status it is answered with. The code and the
// list are read as text, so a new refusal anywhere under shared/ is caught without registering it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PROBLEM = 'shared/platform/problem.ts';
const DOCS = 'docs/problems.md';
const WHERE =
  'Build refusals only in a catalogue: add a named factory to the refusals.ts of the module that throws it ' +
  '(shared/<module>/refusals.ts; a connection kind: shared/connections/<kind>/refusals.ts), importing only ' +
  'shared/platform/problem.ts (503 with Retry-After: its unavailable()), call the factory where you throw, ' +
  `and list the problem type in ${DOCS}.`;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const read = (path: string) => readFileSync(join(root, path), 'utf8');
// Comments may say anything; `//` after a colon or quote is a URL or a string, not a comment.
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1');
const isCatalogue = (path: string) => path.endsWith('/refusals.ts');

interface Built {
  where: string;
  type: string;
  status: number;
}

/** Every refusal a file builds: `new Refusal({ status, type, … })` or `unavailable({ type, … })` (503). */
function builtIn(path: string): { built: Built[]; dynamic: string[] } {
  const text = withoutComments(read(path));
  const calls = [...text.matchAll(/\b(new\s+Refusal|unavailable)\s*\(/g)];
  const built: Built[] = [];
  const dynamic: string[] = [];
  calls.forEach((call, i) => {
    const chunk = text.slice(call.index, calls[i + 1]?.index ?? text.length);
    const where = `${path}:${text.slice(0, call.index).split('\n').length}`;
    const type = /\btype\s*:\s*'([a-z0-9-]+)'/.exec(chunk)?.[1];
    if (!type) {
      dynamic.push(where);
      return;
    }
    const status = call[1] === 'unavailable' ? 503 : Number(/\bstatus\s*:\s*(\d{3})\b/.exec(chunk)?.[1]);
    built.push({ where, type, status });
  });
  return { built, dynamic };
}

const catalogues = () => sources('shared').filter(isCatalogue);

/** Problem types and statuses from the tables of docs/problems.md. */
function listed(): Map<string, Set<number>> {
  const rows = new Map<string, Set<number>>();
  for (const line of read(DOCS).split('\n')) {
    const row = /^\|\s*`urn:portcullis:problem:([a-z0-9-]+)`\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (!row) continue;
    rows.set(row[1]!, (rows.get(row[1]!) ?? new Set()).add(Number(row[2])));
  }
  return rows;
}

describe('refusals', () => {
  it('are built only in a catalogue (refusals.ts) or in shared/platform/problem.ts', () => {
    const outside = sources('shared')
      .filter((path) => !isCatalogue(path) && path !== PROBLEM)
      .flatMap((path) =>
        read(path)
          .split('\n')
          .flatMap((line, i) => (/\bnew\s+Refusal\s*\(/.test(line) ? [`${path}:${i + 1}`] : [])),
      );
    assert.deepEqual(outside, [], `new Refusal( outside a catalogue:\n  ${outside.join('\n  ')}\n${WHERE}`);
  });

  it('come from catalogues that import only shared/platform/problem.ts', () => {
    const wrong = catalogues().flatMap((path) =>
      [...withoutComments(read(path)).matchAll(/\bfrom\s+'([^']+)'/g)]
        .map((m) => relative(root, resolve(root, dirname(path), m[1]!.replace(/\.js$/, '.ts'))))
        .filter((target) => target !== PROBLEM)
        .map((target) => `${path} imports ${target}`),
    );
    assert.deepEqual(wrong, [], `${wrong.join('\n')}\nA catalogue only builds refusals: pass it plain values, not the module's types.`);
  });

  it('name their problem type as a literal, so it can be listed', () => {
    const dynamic = [...catalogues(), PROBLEM].flatMap((path) => builtIn(path).dynamic).filter((where) => !where.startsWith(`${PROBLEM}:`));
    assert.deepEqual(dynamic, [], `refusals whose type is not a literal \`type: '<slug>'\`:\n  ${dynamic.join('\n  ')}\nGive each problem type its own factory.`);
  });

  it('answer each problem type with one status', () => {
    const statuses = new Map<string, Built[]>();
    for (const b of [...catalogues(), PROBLEM].flatMap((path) => builtIn(path).built)) statuses.set(b.type, [...(statuses.get(b.type) ?? []), b]);
    const mixed = [...statuses].filter(([, built]) => new Set(built.map((b) => b.status)).size > 1);
    assert.deepEqual(
      mixed.map(([type, built]) => `${type}: ${built.map((b) => `${b.status} at ${b.where}`).join(', ')}`),
      [],
      'a problem type means one situation and one status; give a different situation its own type',
    );
  });

  it(`are all listed in ${DOCS}, with their status, and it lists no other`, () => {
    const built = [...catalogues(), PROBLEM].flatMap((path) => builtIn(path).built);
    const docs = listed();
    const missing = [...new Set(built.filter((b) => !docs.has(b.type)).map((b) => `${b.type} (${b.status}, ${b.where})`))];
    assert.deepEqual(missing, [], `problem types missing from ${DOCS} (add a row \`urn:portcullis:problem:<slug>\` | status | title | when | what to do):\n  ${missing.join('\n  ')}`);
    const types = new Set(built.map((b) => b.type));
    const stale = [...docs.keys()].filter((type) => !types.has(type));
    assert.deepEqual(stale, [], `${DOCS} lists problem types no catalogue builds; remove them or build them in a catalogue`);
    const wrongStatus = built.filter((b) => !docs.get(b.type)!.has(b.status) || docs.get(b.type)!.size > 1).map((b) => `${b.type}: ${b.status} in ${b.where}, ${[...docs.get(b.type)!].join('/')} in ${DOCS}`);
    assert.deepEqual([...new Set(wrongStatus)], [], 'statuses in the docs differ from the code');
  });
});
