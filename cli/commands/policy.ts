// `portcullis policy check | schema | test | explain | what-if`: the policy author's tools.
// check: every problem of a policy in one run, with path and line:column (exit 2), or a one-line
// summary (exit 0). schema: the JSON Schema. The others are in policy/ (see docs/policy-testing.md).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderPolicyJsonSchema } from '../../shared/policy/json-schema.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command, type CliIo } from '../io.js';
import { loadPolicyFile, plural, policyOptions, policySettings } from './policy/policy-file.js';

const subcommands: Record<string, () => Promise<{ run: Command }>> = {
  check: async () => ({ run: check }),
  schema: async () => ({ run: schema }),
  test: () => import('./policy/test.js'),
  explain: () => import('./policy/explain.js'),
  'what-if': () => import('./policy/what-if.js'),
};

export const run: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const load = sub === undefined ? undefined : subcommands[sub];
  if (!load) {
    const names = Object.keys(subcommands).join(', ');
    throw new UsageError(sub ? `unknown subcommand "${sub}" (${names})` : `expected a subcommand: ${names}`);
  }
  return (await load()).run(rest, io);
};

async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, policyOptions, { positionals: 1 });
  const file = positionals[0];
  if (!file) throw new UsageError('expected the policy file: policy check FILE');
  const loaded = await loadPolicyFile(file, io, policySettings(values, io));
  if (!loaded.ok) {
    io.stdout.write(`${loaded.report}\n${plural(loaded.count, 'problem')}\n`);
    return 2;
  }
  const p = loaded.policy;
  io.stdout.write(
    `${loaded.shown}: ok — ${plural(p.issuers.length, 'issuer')}, ${plural(p.connections.size, 'connection')}, ${plural(p.rules.length, 'rule')}, recording ${p.recording}\n`,
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
