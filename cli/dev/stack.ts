// The local stack behind `portcullis dev` and the integration tests: Azurite, the Service Bus
// double, the dev OIDC issuer, the example upstreams and the local Functions host serving the
// app's registered functions — on loopback, with only connection strings differing from Azure.
import { ServiceBusClient } from '@azure/service-bus';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definitions } from '../../functions/registry.js';
import { closeRuntime, useLogger } from '../../shared/app/runtime.js';
import { QUEUES } from '../../shared/app/storage-layout.js';
import { loadConfig } from '../../shared/platform/config.js';
import type { Logger } from '../../shared/platform/log.js';
import { DEV_SIGNING_KEY_FILE } from '../../shared/sessions/file-signer.js';
import { startAzurite, type Azurite } from './azurite.js';
import { startExampleArm, type ExampleArm } from './example/arm.js';
import { startExampleClaude, type ExampleClaude } from './example/claude.js';
import { startExampleKubernetes, type ExampleKubernetes } from './example/kubernetes.js';
import { startExampleLlm, type ExampleLlm } from './example/llm.js';
import { startExampleMcp, type ExampleMcp } from './example/mcp.js';
import { startExampleUpstream, type ExampleUpstream } from './example/upstream.js';
import { startHost, type LocalHost } from './host/index.js';
import { BinaryUnavailable, findBinary } from './binaries.js';
import { seedMariadbDemo, startMariadb, type LocalMariadb } from './mariadb.js';
import { seedDemo, startPostgres, type LocalPostgres } from './postgres.js';
import { startSshd, type LocalSshd } from './sshd.js';
import { startAll } from './start-all.js';
import { startCardSink, type CardSink } from './cards.js';
import { devTls } from './tls.js';
import { DEV_AUDIENCE, devIssuerFunctions, devIssuerUrl, loadDevIssuer, writeDevState, type DevIssuer } from './issuer.js';
import { startServiceBusDouble, type ServiceBusDouble } from './servicebus/index.js';

export const EXAMPLE_POLICY = fileURLToPath(new URL('./example/policy.yaml', import.meta.url));

/** The host key example-box pins when there is no local sshd (an all-zero ed25519 key nothing presents). */
const NO_SSH_HOST_KEY = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32)]).toString('base64')}`;

/**
 * The settings the stack gives a policy's `${NAME}`s, with stand-in values: enough to check a policy
 * before starting anything (the real values are known once everything listens).
 */
export const STACK_VARIABLES: Record<string, string> = {
  PORTCULLIS_DEV_ISSUER: 'http://127.0.0.1:7071/api/dev-issuer',
  EXAMPLE_API_URL: 'http://127.0.0.1:1',
  EXAMPLE_API_TOKEN: 'token',
  EXAMPLE_LLM_URL: 'http://127.0.0.1:1',
  EXAMPLE_LLM_KEY: 'key',
  EXAMPLE_ARM_URL: 'http://127.0.0.1:1',
  EXAMPLE_ARM_TOKEN: 'token',
  EXAMPLE_DB_URL: 'postgres://u@127.0.0.1:1/db',
  EXAMPLE_CLAUDE_URL: 'http://127.0.0.1:1',
  EXAMPLE_CLAUDE_KEY: 'key',
  EXAMPLE_MCP_URL: 'http://127.0.0.1:1/mcp',
  EXAMPLE_MCP_TOKEN: 'token',
  EXAMPLE_K8S_URL: 'http://127.0.0.1:1',
  EXAMPLE_K8S_TOKEN: 'token',
  EXAMPLE_SSH_PORT: '22',
  EXAMPLE_SSH_USER: 'agent',
  EXAMPLE_SSH_HOST_KEY: NO_SSH_HOST_KEY,
  EXAMPLE_SSH_KEY: 'key',
};

export interface StackOptions {
  /** Gateway port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Where the dev issuer key and dev.json live (`.portcullis`). */
  stateDir: string;
  policy?: string;
  /** Extra settings for the app (override the stack's). */
  env?: Record<string, string>;
  /** Keep Azurite's data in `<stateDir>/azurite` across restarts (in memory otherwise). */
  persist?: boolean;
  /** Where the card sink prints each review card's links (the log, when not given). */
  printCard?: (text: string) => void;
  /** Serve the gateway over HTTPS with the state folder's local CA (tls.ts). */
  tls?: boolean;
  /** Start a local sshd for the example ssh connection when OpenSSH is installed (nothing is installed for it). */
  sshd?: boolean;
  /** Start the example PostgreSQL (installing it when it can, see binaries.ts); tests that do not use it skip the cost. */
  postgres?: boolean;
  /** Start the example MariaDB (when it is installed or installable), for the example-mysql connection. */
  mariadb?: boolean;
  log: Logger;
}

/** Where the example database is when PostgreSQL is not installed: requests get a clear 502. */
const NO_EXAMPLE_DB = 'postgres://unavailable@127.0.0.1:1/postgres-is-not-installed';
const NO_EXAMPLE_MYSQL = 'mysql://unavailable@127.0.0.1:1/mariadb-is-not-installed';

export interface Stack {
  url: string;
  azurite: Azurite;
  serviceBus: ServiceBusDouble;
  upstream: ExampleUpstream;
  llm: ExampleLlm;
  claude: ExampleClaude;
  arm: ExampleArm;
  mcp: ExampleMcp;
  /** The stand-in for the Teams webhook: review cards printed and served locally. */
  cards: CardSink;
  mariadb?: LocalMariadb;
  kubernetes: ExampleKubernetes;
  /** The example ssh connection's server, when OpenSSH is installed and it was asked for. */
  sshd?: LocalSshd;
  postgres?: LocalPostgres;
  /** The local CA, when the gateway serves HTTPS. */
  tls?: { ca: string; caPath: string };
  issuer: DevIssuer;
  issuerUrl: string;
  /** The settings the app runs with. */
  settings: Record<string, string>;
  token(subject: string, groups: string[], options?: { ttlSeconds?: number; claims?: Record<string, unknown>; audience?: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((error: unknown) => options.log.warn('stopping the stack', { error: String(error) }));
  };
  try {
    const issuer = await loadDevIssuer(options.stateDir, { create: true });
    const printCard = options.printCard ?? ((text: string) => options.log.info(text));
    const [azurite, serviceBus, upstream, llm, claude, arm, mcp, cards, kubernetes, sshd, postgres, mariadb] = await startAll(
      { start: () => startAzurite({ location: options.persist ? join(options.stateDir, 'azurite') : undefined }), stop: (a) => a.stop() },
      { start: () => startServiceBusDouble({ queues: QUEUES }), stop: (b) => b.close() },
      { start: () => startExampleUpstream(), stop: (u) => u.close() },
      { start: () => startExampleLlm(), stop: (l) => l.close() },
      { start: () => startExampleClaude(), stop: (c) => c.close() },
      { start: () => startExampleArm(), stop: (a) => a.close() },
      { start: () => startExampleMcp(), stop: (m) => m.close() },
      { start: () => startCardSink({ print: printCard }), stop: (c) => c.close() },
      { start: () => startExampleKubernetes(), stop: (k) => k.close() },
      { start: () => (options.sshd ? exampleSshd(options.stateDir, options.log) : Promise.resolve(undefined)), stop: (s) => s?.stop() },
      { start: () => (options.postgres ? examplePostgres(options.log) : Promise.resolve(undefined)), stop: (p) => p?.stop() },
      { start: () => (options.mariadb ? exampleMariadb(options.log) : Promise.resolve(undefined)), stop: (m) => m?.stop() },
    );
    stops.push(() => azurite.stop(), () => serviceBus.close(), () => upstream.close(), () => llm.close(), () => claude.close(), () => arm.close(), () => mcp.close(), () => cards.close(), () => kubernetes.close());
    if (sshd) stops.push(() => sshd.stop());
    if (postgres) stops.push(() => postgres.stop());
    if (mariadb) stops.push(() => mariadb.stop());
    const exampleMysql = mariadb ? await seedMariadbDemo(mariadb) : { reader: NO_EXAMPLE_MYSQL, writer: NO_EXAMPLE_MYSQL };
    const exampleDb = postgres ? (await seedDemo(postgres.connectionString)).agent : NO_EXAMPLE_DB;

    const triggerClient = new ServiceBusClient(serviceBus.connectionString);
    stops.push(() => triggerClient.close());
    let issuerUrl = '';
    const tls = options.tls ? await devTls(options.stateDir) : undefined;
    const host: LocalHost = await startHost({
      functions: [...definitions, ...devIssuerFunctions(issuer, () => issuerUrl)],
      log: options.log,
      host: options.host,
      port: options.port,
      tls: tls && { cert: tls.cert, key: tls.key },
      serviceBus: {
        client: triggerClient,
        maxDeliveryCount: (queue) => QUEUES.find((q) => q.name === queue)?.maxDeliveryCount ?? 10,
      },
    });
    stops.push(() => host.close(), () => closeRuntime());
    // The gateway fetches the dev issuer's keys from itself: over plain loopback HTTP, so this
    // process need not trust the local CA.
    issuerUrl = devIssuerUrl(host.internalUrl);

    const settings: Record<string, string> = {
      PORTCULLIS_ENV: 'development',
      PORTCULLIS_POLICY: resolve(options.policy ?? EXAMPLE_POLICY),
      PORTCULLIS_PUBLIC_URL: host.url,
      PORTCULLIS_LINK_SIGNING_KEY: randomBytes(32).toString('base64'),
      PORTCULLIS_REVIEW_AUTH: 'dev',
      PORTCULLIS_SIGNING_KEY_ID: join(options.stateDir, DEV_SIGNING_KEY_FILE),
      PORTCULLIS_POLICY_REFRESH_SECONDS: '2',
      PORTCULLIS_TEAMS_WEBHOOK_URL: cards.webhookUrl,
      AzureWebJobsStorage: azurite.connectionString,
      ServiceBusConnection: serviceBus.connectionString,
      PORTCULLIS_DEV_ISSUER: issuerUrl,
      EXAMPLE_API_URL: upstream.url,
      EXAMPLE_API_TOKEN: upstream.token,
      EXAMPLE_LLM_URL: llm.url,
      EXAMPLE_LLM_KEY: llm.token,
      EXAMPLE_CLAUDE_URL: claude.url,
      EXAMPLE_CLAUDE_KEY: claude.token,
      EXAMPLE_ARM_URL: arm.url,
      EXAMPLE_ARM_TOKEN: arm.token,
      EXAMPLE_DB_URL: exampleDb,
      EXAMPLE_MCP_URL: mcp.url,
      EXAMPLE_MCP_TOKEN: mcp.token,
      EXAMPLE_MYSQL_READER_URL: exampleMysql.reader,
      EXAMPLE_MYSQL_WRITER_URL: exampleMysql.writer,
      EXAMPLE_K8S_URL: kubernetes.url,
      EXAMPLE_K8S_TOKEN: kubernetes.token,
      // Without OpenSSH, example-box points at a closed port with a key of its own: requests answer 502.
      EXAMPLE_SSH_PORT: String(sshd?.port ?? 1),
      EXAMPLE_SSH_USER: sshd?.user ?? 'nobody',
      EXAMPLE_SSH_HOST_KEY: sshd?.hostKey ?? NO_SSH_HOST_KEY,
      EXAMPLE_SSH_KEY: sshd?.clientKey ?? 'no key: OpenSSH is not installed',
      ...options.env,
    };
    // The app reads its settings from the environment, as in Azure; the runtime is created on
    // the first request, after this.
    Object.assign(process.env, settings);
    loadConfig(process.env);
    useLogger(options.log);
    await writeDevState(options.stateDir, {
      issuer: issuerUrl,
      audience: DEV_AUDIENCE,
      gatewayUrl: host.url,
      storage: { connectionString: azurite.connectionString, blobEndpoint: azurite.blobEndpoint, tableEndpoint: azurite.tableEndpoint },
    });

    return {
      url: host.url,
      azurite,
      serviceBus,
      upstream,
      llm,
      claude,
      arm,
      mcp,
      cards,
      kubernetes,
      sshd,
      postgres,
      mariadb,
      tls: tls && { ca: tls.ca, caPath: tls.caPath },
      issuer,
      issuerUrl,
      settings,
      token: (subject, groups, o = {}) =>
        issuer.sign({ issuer: issuerUrl, subject, groups, ttlSeconds: o.ttlSeconds ?? 900, claims: o.claims, audience: o.audience }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The example database's server, or undefined (with a warning) when no PostgreSQL can be had here. */
async function examplePostgres(log: Logger): Promise<LocalPostgres | undefined> {
  try {
    return await startPostgres({ log: (line) => log.info(line) });
  } catch (error) {
    if (!(error instanceof BinaryUnavailable)) throw error;
    log.warn('no PostgreSQL: the example-db connection will answer 502', { error: error.message });
    return undefined;
  }
}

/** The example MySQL-kind database's server, or undefined (with a warning) when no MariaDB can be had here. */
async function exampleMariadb(log: Logger): Promise<LocalMariadb | undefined> {
  try {
    return await startMariadb({ log: (line) => log.info(line) });
  } catch (error) {
    if (!(error instanceof BinaryUnavailable)) throw error;
    log.warn('no MariaDB: the example-mysql connection will answer 502', { error: error.message });
    return undefined;
  }
}

/** The example ssh connection's server: the system's sshd, or undefined (with a note) without OpenSSH. */
async function exampleSshd(stateDir: string, log: Logger): Promise<LocalSshd | undefined> {
  const sshd = await findBinary('sshd');
  if (!sshd) {
    log.warn('no OpenSSH server (apt-get install openssh-server): the example-box connection will answer 502');
    return undefined;
  }
  return startSshd(sshd.path, join(stateDir, 'sshd'), { log: (line) => log.info(line) });
}
