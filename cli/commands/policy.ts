// `portcullis policy check FILE`: every problem of a policy in one run, with path and line:column
// (exit 2), or a one-line summary (exit 0). `portcullis policy schema`: the JSON Schema.
import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { formatProblems, loadPolicy } from '../../shared/policy/load.js';
import { renderPolicyJsonSchema } from '../../shared/policy/json-schema.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command, type CliIo } from '../io.js';

export const run: Command = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'check') return check(rest, io);
  if (sub === 'schema') return schema(rest, io);
  throw new UsageError(sub ? `unknown subcommand "${sub}" (check, schema)` : 'expected a subcommand: check FILE, or schema [--out FILE]');
};

async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { env: { type: 'string' }, var: { type: 'string', multiple: true, default: [] } },
    { positionals: 1 },
  );
  const file = positionals[0];
  if (!file) throw new UsageError('expected the policy file: policy check FILE');
  const env = values.env ?? io.env.PORTCULLIS_ENV ?? 'production';
  if (env !== 'development' && env !== 'production') throw new UsageError(`--env "${env}" is not development or production`);
  const variables: Record<string, string | undefined> = { ...io.env };
  for (const pair of values.var) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var "${pair}" is not NAME=VALUE`);
    variables[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const shown = relative(io.cwd, path) || file;
  const result = loadPolicy(text, { env, variables });
  if (!result.ok) {
    io.stdout.write(`${formatProblems(result.problems, shown)}\n${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
    return 2;
  }
  const p = result.policy;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  io.stdout.write(
    `${shown}: ok — ${count(p.issuers.length, 'issuer')}, ${count(p.connections.size, 'connection')}, ${count(p.rules.length, 'rule')}, recording ${p.recording}\n`,
  );
  return 0;
}

async function schema(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { out: { type: 'string' } });
  const text = renderPolicyJsonSchema();
  if (values.out) await writeFile(resolve(io.cwd, values.out), text);
  else io.stdout.write(text);
  return 0;
}
