// The benchmarks measure the code as Azure runs it: compiled by tsc. Through tsx's loader
// (how the CLI and the tests run it) every function made at run time is also wrapped to keep its
// name (esbuild's keepNames), and that cost the gateway 0.2-0.3 ms of CPU per request. The
// tree is compiled once per benchmark process into bench/out/compiled, with the files beside the
// sources that code reads at run time (the dev host's example policy, its .cjs preload).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'bench', 'out', 'compiled');
/** Where code reads files beside its sources. */
const WITH_FILES = ['cli', 'functions', 'shared'];

let compiling: Promise<void> | undefined;

async function compile(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const child = spawn(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json'), '--outDir', OUT], { stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`tsc failed (${code}): the benchmarks run the compiled tree`);
  for (const dir of WITH_FILES) cpSync(join(ROOT, dir), join(OUT, dir), { recursive: true, filter: (path) => !path.endsWith('.ts') });
}

/** The compiled file of the TypeScript source `source` (a file of this repository). */
export async function compiledScript(source: string): Promise<string> {
  await (compiling ??= compile());
  return join(OUT, relative(ROOT, source)).replace(/\.ts$/, '.js');
}
