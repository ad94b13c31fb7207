// `portcullis dev`: the whole control plane on loopback — Azurite, the Service Bus double, the dev
// issuer, the example upstreams and the gateway — until Ctrl-C, which stops everything.
import { resolve } from 'node:path';
import { createServer } from 'node:net';
import { formatProblems, loadPolicy, type PolicyProblem } from '../../shared/policy/load.js';
import { createLogger } from '../../shared/platform/log.js';
import { parseDocumentedArgs, type Help } from '../args.js';
import { agentGroups, banner } from '../dev/banner.js';
import { EXAMPLE_POLICY, STACK_VARIABLES, startStack, type Stack } from '../dev/stack.js';
import { readFile } from 'node:fs/promises';
import { UsageError, type CliIo, type Command } from '../io.js';
import { plural } from './policy/policy-file.js';

const options = {
  port: { type: 'string', default: '7071' },
  host: { type: 'string', default: '127.0.0.1' },
  policy: { type: 'string' },
  state: { type: 'string', default: '.portcullis' },
  persist: { type: 'boolean', default: false },
  tls: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

export const help: Help<typeof options> = {
  usage: 'portcullis dev [--port N] [--host ADDRESS] [--policy FILE] [--state DIR] [--persist] [--tls] [--quiet]   (npm start -- …)',
  about: 'Runs the whole control plane locally: Azurite, the Service Bus double, the dev OIDC issuer, the example upstreams and the gateway, until Ctrl-C.',
  flags: {
    port: ['N', 'the gateway\'s port; 0 picks a free one'],
    host: ['ADDRESS', 'the address the gateway listens on'],
    policy: ['FILE', 'the policy to run (default: the example policy, one connection of each kind); a policy that does not load stops the command with its problems'],
    state: ['DIR', 'where the dev issuer\'s key, the session-signing key and the stack\'s endpoints (dev.json) are kept'],
    persist: 'keep Azurite\'s data (sessions, approvals) in the state folder across restarts instead of in memory',
    tls: 'serve the gateway over HTTPS with a local CA kept in the state folder (for kubectl, the Azure CLI and the Azure SDKs, which send tokens over HTTPS only); the banner says how to trust it',
    quiet: 'no log lines, only the banner',
  },
};

export const run: Command = async (args, io) => {
  const { values } = parseDocumentedArgs(args, options, help);
  // Digits only: Number() reads '' and ' ' as 0, and '0x50' as 80.
  const port = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!(port <= 65535)) throw new UsageError(`--port "${values.port}" is not a port number`);
  const policyFile = values.policy && resolve(io.cwd, values.policy);
  if (policyFile) {
    // Bytes, not text: the loader reports a byte that is not UTF-8 where it is.
    const text = await readFile(policyFile).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read --policy ${values.policy}: ${error.code ?? error.message}`);
    });
    // Checked before anything starts, with stand-ins for what the stack provides.
    const checked = loadPolicy(text, { env: 'development', variables: { ...io.env, ...STACK_VARIABLES } });
    if (!checked.ok) return policyProblems(io, checked.problems, values.policy!);
  }
  // Asked even of port 0, which is always free, for what it says about --host.
  const refused = await listenError(port, values.host);
  if (refused?.code === 'EADDRINUSE') return portTaken(io, port, values.host);
  if (refused?.code === 'ENOTFOUND' || refused?.code === 'EADDRNOTAVAIL') {
    throw new UsageError(`--host ${values.host} cannot be listened on (${refused.code}): give a name or address of this machine, such as 127.0.0.1`);
  }
  if (refused) throw refused;

  const log = values.quiet ? createLogger({}, () => {}) : createLogger({ app: 'portcullis-dev' });
  const stateDir = resolve(io.cwd, values.state);
  let stack: Stack;
  try {
    stack = await startStack({ port, host: values.host, stateDir, policy: policyFile, postgres: true, mariadb: true, sshd: true, tls: values.tls, persist: values.persist, log, printCard: (text) => io.stdout.write(`\n${text}\n`) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return portTaken(io, port, values.host);
    throw error;
  }

  // The policy is loaded here with the stack's settings (the example upstreams' addresses), so a
  // policy that cannot load stops the command instead of leaving a gateway that answers 503.
  const file = stack.settings.PORTCULLIS_POLICY!;
  const loaded = loadPolicy(await readFile(file), { env: 'development', variables: { ...process.env, ...stack.settings } });
  if (!loaded.ok) {
    await stack.stop();
    return policyProblems(io, loaded.problems, values.policy ?? file);
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
      sshd: stack.sshd ? `sshd on 127.0.0.1:${stack.sshd.port}` : undefined,
      caPath: stack.tls?.caPath,
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

function policyProblems(io: CliIo, problems: PolicyProblem[], shown: string): number {
  io.stderr.write(`${formatProblems(problems, shown)}\n${plural(problems.length, 'problem')}: the policy does not load, so portcullis dev did not start\n`);
  return 2;
}

function portTaken(io: CliIo, port: number, host: string): number {
  io.stderr.write(`portcullis dev: port ${port} on ${host} is already in use (another portcullis dev?); choose another with --port N, or --port 0 for any free one\n`);
  return 1;
}

/** Why the gateway's address cannot be listened on (undefined: it can), asked before starting the rest of the stack. */
function listenError(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', done);
    probe.listen(port, host, () => probe.close(() => done(undefined)));
  });
}
