// Runs every *.test.ts under the source folders with Node's built-in test runner (tsx loads
// TypeScript). Arguments narrow the run to the given files or folders.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const targets = args.length > 0 ? args : ['shared', 'functions', 'cli', 'test'];

function collect(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) {
    console.error(`test: no such file or folder: ${path}`);
    process.exit(2);
  }
  if (stat.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules' && !name.startsWith('.'))
    .flatMap((name) => collect(join(path, name)));
}

const files = targets.flatMap((t) => collect(join(root, t))).map((f) => relative(root, f)).sort();

// The programs the e2e tests run (PostgreSQL, Chromium, MariaDB, sshd, the Azure CLI, kubectl), found
// or installed once here rather than by test files racing each other for apt's lock.
const NEEDS = {
  postgres: ['test/e2e/postgres/'],
  chromium: ['test/e2e/approvals/', 'test/e2e/console/'],
  mariadb: ['test/e2e/mysql/'],
  sshd: ['test/e2e/ssh/'],
  az: ['test/e2e/arm/az-cli.test.ts'],
  kubectl: ['test/e2e/kubernetes/kubectl.test.ts'],
};
const needed = Object.entries(NEEDS).filter(([, folders]) => files.some((f) => folders.some((folder) => f.startsWith(folder)))).map(([name]) => name);
if (needed.length > 0) {
  const ensure = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-binaries.ts', ...needed], { cwd: root, stdio: 'inherit' });
  if (ensure.status !== 0) process.exit(ensure.status ?? 1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=300000', ...files],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
