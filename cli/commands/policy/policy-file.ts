// Reading a policy file for the policy commands: --env and --var, the path shown as typed, and
// every problem with its line:column.
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Policy } from '../../../shared/policy/compile.js';
import { formatProblems, loadPolicy } from '../../../shared/policy/load.js';
import { UsageError, type CliIo } from '../../io.js';

export const policyOptions = {
  env: { type: 'string' as const },
  var: { type: 'string' as const, multiple: true as const, default: [] as string[] },
};

/** What --help says of the options every policy command takes. */
export const policyFlags = {
  env: ['ENV', 'development or production (default: PORTCULLIS_ENV, else production): what the policy is checked for'],
  var: ['NAME=VALUE', 'a value for ${NAME} in the policy (else from the environment)'],
} as const;

export interface PolicySettings {
  env: 'development' | 'production';
  /** --var NAME=VALUE pairs, which win over everything else. */
  vars: Record<string, string>;
}

export function policySettings(values: { env?: string; var?: string[] }, io: CliIo): PolicySettings {
  const env = values.env ?? io.env.PORTCULLIS_ENV ?? 'production';
  if (env !== 'development' && env !== 'production') throw new UsageError(`--env "${env}" is not development or production`);
  const vars: Record<string, string> = {};
  for (const pair of values.var ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var "${pair}" is not NAME=VALUE`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { env, vars };
}

/**
 * A file's bytes and the name to show for it (relative to the working directory). Bytes, not
 * text: the loaders refuse a file that is not UTF-8, saying where, instead of reading U+FFFD.
 */
export async function readSource(file: string, io: CliIo): Promise<{ bytes: Uint8Array; shown: string; path: string }> {
  const path = resolve(io.cwd, file);
  try {
    return { bytes: await readFile(path), shown: relative(io.cwd, path) || file, path };
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export type PolicyFile = { ok: true; policy: Policy; shown: string } | { ok: false; report: string; count: number; shown: string };

/**
 * Loads a policy; `${NAME}` comes from --var, then `defaults` (a test file's variables), then the
 * environment.
 */
export async function loadPolicyFile(file: string, io: CliIo, settings: PolicySettings, defaults: Record<string, string> = {}): Promise<PolicyFile> {
  const { bytes, shown } = await readSource(file, io);
  const result = loadPolicy(bytes, { env: settings.env, variables: { ...io.env, ...defaults, ...settings.vars } });
  if (result.ok) return { ok: true, policy: result.policy, shown };
  return { ok: false, report: formatProblems(result.problems, shown), count: result.problems.length, shown };
}

export const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
