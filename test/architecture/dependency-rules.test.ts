// The dependency rules (.dependency-cruiser.cjs) catch what they are for: each case builds a tiny
// tree that breaks one rule and expects dependency-cruiser to name that rule. `npm test` runs the
// same rules over the real tree (npm run check:deps) and fails on any violation.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cruiser = join(root, 'node_modules', '.bin', 'depcruise');

async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-deps-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    const folders = [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))];
    const run = await promisify(execFile)(cruiser, [...folders, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd: dir }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    const result = JSON.parse(run.stdout) as { summary: { violations: Array<{ rule: { name: string } }> } };
    return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('dependency rules', () => {
  it('accept a tree whose floors only import downwards', async () => {
    assert.deepEqual(
      await violations({
        'shared/platform/problem.ts': 'export const x = 1;\n',
        'shared/guard/decide.ts': "import { x } from '../platform/problem.js';\nexport const y = x;\n",
      }),
      [],
    );
  });

  it('refuse an import cycle', async () => {
    assert.deepEqual(
      await violations({
        'shared/gateway/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'shared/gateway/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      }),
      ['no-circular'],
    );
  });

  it('refuse an arrow that runs back up a floor', async () => {
    assert.deepEqual(
      await violations({
        'shared/app/runtime.ts': 'export const runtime = 1;\n',
        'shared/approvals/hold.ts': "import { runtime } from '../app/runtime.js';\nexport const h = runtime;\n",
      }),
      ['floor-approvals'],
    );
  });

  it('refuse a pure floor reaching the file system through another module', async () => {
    assert.deepEqual(
      await violations({
        'shared/connections/reader.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
        'shared/policy/load.ts': "import { read } from '../connections/reader.js';\nexport const l = read;\n",
      }),
      ['pure-floors-do-no-io'],
    );
  });

  it('refuse a function file that reaches past the composition root', async () => {
    assert.deepEqual(
      await violations({
        'shared/gateway/pipeline.ts': 'export const handle = 1;\n',
        'functions/proxy.ts': "import { handle } from '../shared/gateway/pipeline.js';\nexport const p = handle;\n",
      }),
      ['functions-import-only-the-root'],
    );
  });

  it('refuse a connection kind importing another kind', async () => {
    assert.deepEqual(
      await violations({
        'shared/connections/http/classify.ts': 'export const c = 1;\n',
        'shared/connections/arm/classify.ts': "import { c } from '../http/classify.js';\nexport const d = c;\n",
      }),
      ['kinds-import-no-other-kind'],
    );
  });
});
