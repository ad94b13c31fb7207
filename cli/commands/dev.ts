// `portcullis dev`: the whole control plane on loopback — Azurite, the Service Bus double, the dev
// issuer, the example upstreams and the gateway — until Ctrl-C, which stops everything.
import { resolve } from 'node:path';
import { loadPolicy, formatProblems } from '../../shared/policy/load.js';
import { createLogger } from '../../shared/platform/log.js';
import { parseDocumentedArgs, type Help } from '../args.js';
import { agentGroups, banner } from '../dev/banner.js';
import { EXAMPLE_POLICY, startStack, type Stack } from '../dev/stack.js';
import { readFile } from 'node:fs/promises';
import { UsageError, type Command } from '../io.js';
import { plural } from './policy/policy-file.js';

const options = {
  port: { type: 'string', default: '7071' },
  host: { type: 'string', default: '127.0.0.1' },
  policy: { type: 'string' },
  state: { type: 'string', default: '.portcullis' },
  persist: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

export const help: Help<typeof options> = {
  usage: 'portcullis dev [--port N] [--host ADDRESS] [--policy FILE] [--state DIR] [--persist] [--quiet]   (npm start -- …)',
  about: 'Runs the whole control plane locally: Azurite, the Service Bus double, the dev OIDC issuer, the example upstreams and the gateway, until Ctrl-C.',
  flags: {
    port: ['N', 'the gateway\'s port; 0 picks a free one'],
    host: ['ADDRESS', 'the address the gateway listens on'],
    policy: ['FILE', 'the policy to run (default: the example policy, one connection of each kind); a policy that does not load stops the command with its problems'],
    state: ['DIR', 'where the dev issuer\'s key, the session-signing key and the stack\'s endpoints (dev.json) are kept'],
    persist: 'keep Azurite\'s data (sessions, approvals) in the state folder across restarts instead of in memory',
    quiet: 'no log lines, only the banner',
  },
};

export const run: Command = async (args, io) => {
  const { values } = parseDocumentedArgs(args, options, help);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${values.port}" is not a port number`);
  const policyFile = values.policy && resolve(io.cwd, values.policy);
  if (policyFile) await readFile(policyFile).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --policy ${values.policy}: ${error.code ?? error.message}`);
  });

  const log = values.quiet ? createLogger({}, () => {}) : createLogger({ app: 'portcullis-dev' });
  const stateDir = resolve(io.cwd, values.state);
  let stack: Stack;
  try {
    stack = await startStack({ port, host: values.host, stateDir, policy: policyFile, postgres: true, persist: values.persist, log, printCard: (text) => io.stdout.write(`\n${text}\n`) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.stderr.write(`portcullis dev: port ${port} on ${values.host} is already in use (another portcullis dev?); choose another with --port N, or --port 0 for any free one\n`);
      return 1;
    }
    throw error;
  }

  // The policy is loaded here with the stack's settings (the example upstreams' addresses), so a
  // policy that cannot load stops the command instead of leaving a gateway that answers 503.
  const file = stack.settings.PORTCULLIS_POLICY!;
  const loaded = loadPolicy(await readFile(file, 'utf8'), { env: 'development', variables: { ...process.env, ...stack.settings } });
  if (!loaded.ok) {
    await stack.stop();
    io.stderr.write(`${formatProblems(loaded.problems, values.policy ?? file)}\n${plural(loaded.problems.length, 'problem')}: the policy does not load, so portcullis dev did not start\n`);
    return 2;
  }

  const groups = policyFile ? agentGroups(loaded.policy) : ['agents'];
  const token = await stack.token('example-agent', groups, { ttlSeconds: 3600 });
  io.stdout.write(
    banner({
      url: stack.url,
      policyFile: file,
      example: file === EXAMPLE_POLICY,
      policy: loaded.policy,
      token,
      groups,
      storage: { blob: stack.azurite.blobEndpoint, table: stack.azurite.tableEndpoint, connectionString: stack.azurite.connectionString },
      serviceBus: `sb://127.0.0.1:${stack.serviceBus.port} (queue approvals)`,
      issuerUrl: stack.issuerUrl,
      postgres: stack.postgres ? `127.0.0.1:${stack.postgres.port} (database shop)` : 'not installed: example-db answers 502',
      cards: stack.cards.url,
      armAccount: `subscriptions/${stack.arm.subscriptionId}/resourceGroups/${stack.arm.resourceGroup}/providers/Microsoft.Storage/storageAccounts/examplelogs`,
      stateDir,
    }),
  );

  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      log.info('stopping', { signal });
      void stack.stop().then(done);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  return 0;
};
