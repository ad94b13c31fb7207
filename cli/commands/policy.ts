// `portcullis policy check | schema | test | explain | what-if`: the policy author's tools.
// check: every problem of a policy in one run, with path and line:column (exit 2), or a one-line
// summary (exit 0). schema: the JSON Schema. The others are in policy/ (see docs/policy-testing.md).
import { resolve } from 'node:path';
import { renderPolicyJsonSchema } from '../../shared/policy/json-schema.js';
import { parseDocumentedArgs, pickSubcommand, type Help, type Subcommand } from '../args.js';
import { UsageError, writeOutputFile, type Command, type CliIo } from '../io.js';
import { loadPolicyFile, plural, policyFlags, policyOptions, policySettings } from './policy/policy-file.js';

export const subcommands: Record<string, Subcommand> = {
  check: { summary: 'check FILE: every problem of a policy, with line:column', load: async () => ({ run: check }) },
  schema: { summary: 'schema [--out FILE]: the policy\'s JSON Schema (for editors)', load: async () => ({ run: schema }) },
  test: { summary: 'test POLICY TESTS…: run policy test cases', load: () => import('./policy/test.js') },
  explain: { summary: 'explain POLICY --case FILE[:NAME] | --connection NAME …: how one request is judged', load: () => import('./policy/explain.js') },
  'what-if': { summary: 'what-if --policy FILE --sessions DIR | --from DATE --to DATE: recorded decisions a candidate policy would change', load: () => import('./policy/what-if.js') },
};

export const run: Command = async (args, io) => {
  const { load, rest } = pickSubcommand('policy', subcommands, args);
  return (await load()).run(rest, io);
};

const checkHelp: Help<typeof policyOptions> = {
  usage: 'portcullis policy check FILE [--env ENV] [--var NAME=VALUE]…',
  about: 'Loads a policy and reports every problem in it, each with its path and line:column (exit 2), or a one-line summary (exit 0).',
  flags: policyFlags,
};

const schemaOptions = { out: { type: 'string' } } as const;
const schemaHelp: Help<typeof schemaOptions> = {
  usage: 'portcullis policy schema [--out FILE]',
  about: 'Prints the policy\'s JSON Schema (policy.schema.json), or writes it to a file.',
  flags: { out: ['FILE', 'write it to this file instead of stdout'] },
};

async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseDocumentedArgs(args, policyOptions, checkHelp, { positionals: 1 });
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
  const { values } = parseDocumentedArgs(args, schemaOptions, schemaHelp);
  const text = renderPolicyJsonSchema();
  if (values.out) await writeOutputFile(resolve(io.cwd, values.out), text);
  else io.stdout.write(text);
  return 0;
}
