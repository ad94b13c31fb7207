// Finds a Bicep CLI, fetching it from NuGet when none is installed, and runs it:
//   node --import tsx scripts/bicep.ts <bicep arguments>     (.ci/run fetches it with `--version`)
// Where it looks, in order: $BICEP, `bicep` on PATH, azd's own (~/.azd/bin/bicep), the Azure CLI's
// (~/.azure/bin/bicep), this project's cache (node_modules/.cache/portcullis/bicep/<version>), and
// otherwise the NuGet package Azure.Bicep.CommandLine.linux-x64, restored with `dotnet restore`
// into that cache. test/infra/compiled.test.ts uses findBicep() and skips, saying why, when none
// can be had.
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

export const BICEP_VERSION = '0.49.2';
const PACKAGE = 'Azure.Bicep.CommandLine.linux-x64';
const CACHE = join(root, 'node_modules', '.cache', 'portcullis', 'bicep');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(program: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program)).find(executable);
}

const cached = () => join(CACHE, BICEP_VERSION, PACKAGE.toLowerCase(), BICEP_VERSION, 'tools', 'bicep');

/** An installed Bicep CLI, without fetching anything. */
export function locateBicep(): string | undefined {
  const candidates = [process.env.BICEP, onPath('bicep'), join(homedir(), '.azd', 'bin', 'bicep'), join(homedir(), '.azure', 'bin', 'bicep'), cached()];
  return candidates.find((c): c is string => c !== undefined && executable(c));
}

/**
 * The Bicep CLI's path, fetching it from NuGet with dotnet when none is installed.
 * Resolves to { path } or { skip: reason } when it cannot be had here.
 */
export type Bicep = { path: string; skip?: undefined } | { path?: undefined; skip: string };

export async function findBicep({ fetch = true }: { fetch?: boolean } = {}): Promise<Bicep> {
  const found = locateBicep();
  if (found) return { path: found };
  if (!fetch) return { skip: 'no Bicep CLI installed (PATH, ~/.azd/bin, ~/.azure/bin or the project cache)' };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { skip: `no Bicep CLI installed, and the NuGet package this project fetches is for linux-x64, not ${process.platform}-${process.arch}` };
  if (!onPath('dotnet')) return { skip: 'no Bicep CLI installed, and no dotnet to fetch it from NuGet with (install the .NET SDK or the Bicep CLI)' };
  try {
    return { path: await fetchBicep() };
  } catch (e) {
    const error = e as { stderr?: string; stdout?: string; message: string };
    return { skip: `no Bicep CLI installed, and fetching ${PACKAGE} ${BICEP_VERSION} from NuGet failed: ${String(error.stderr || error.stdout || error.message).slice(-1500)}` };
  }
}

/** Restores the NuGet package into the cache with a throwaway project holding one PackageDownload. */
async function fetchBicep(): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'portcullis-bicep-'));
  try {
    await writeFile(
      join(work, 'fetch-bicep.csproj'),
      `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="${PACKAGE}" Version="[${BICEP_VERSION}]" /></ItemGroup>
</Project>
`,
    );
    await mkdir(CACHE, { recursive: true });
    const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' };
    await run('dotnet', ['restore', join(work, 'fetch-bicep.csproj'), '--packages', join(CACHE, BICEP_VERSION)], { cwd: work, env, maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const path = cached();
  if (!existsSync(path)) throw new Error(`dotnet restore finished, but ${path} is not there`);
  await chmod(path, 0o755);
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bicep = await findBicep();
  if (!bicep.path) {
    console.error(`bicep: ${bicep.skip}`);
    process.exit(1);
  }
  const child = spawn(bicep.path, process.argv.slice(2), { stdio: 'inherit', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
