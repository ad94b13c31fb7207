// For test files that run a real program (PostgreSQL, Chromium, MariaDB, sshd): the program, or the
// reason the file's tests are skipped. ensureBinary installs it when it can (scripts/test.mjs does
// that once before the run), so a skip means it truly cannot be had on this machine.
import { BinaryUnavailable, ensureBinary, type BinaryName } from '../../cli/dev/binaries.js';

export type Needed = { path: string; skip: false } | { path: undefined; skip: string };

export async function needBinary(name: BinaryName): Promise<Needed> {
  try {
    return { path: (await ensureBinary(name)).path, skip: false };
  } catch (error) {
    if (!(error instanceof BinaryUnavailable)) throw error;
    return { path: undefined, skip: error.message };
  }
}
