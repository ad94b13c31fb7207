// The composition root: everything the functions need, built once per process from config —
// Azure clients, the policy in force (with its verifier and masker), the recorder, credentials,
// and the hold that turns a `review` decision into an approval.
import { createHold } from '../approvals/index.js';
import { closePools } from '../connections/postgres/pools.js';
import { createCredentialResolver, type CredentialResolver } from '../connections/credentials.js';
import { createVerifier, type Verifier } from '../identity/index.js';
import { createMasker, type Masker } from '../masking/index.js';
import type { Policy } from '../policy/compile.js';
import { createAzureClients, type AzureClients } from '../platform/azure.js';
import { loadConfig, type Config } from '../platform/config.js';
import { createLogger, type Logger } from '../platform/log.js';
import { createPolicyStore, policySource, type PolicyStore } from './policy-store.js';
import { createRecorder, type Recorder } from '../sessions/index.js';
import type { Hold } from '../gateway/pipeline.js';

export interface PolicyState {
  policy: Policy;
  verifier: Verifier;
  masker: Masker;
}

export interface Runtime {
  config: Config;
  log: Logger;
  clients: AzureClients;
  policies: PolicyStore<PolicyState>;
  recorder: Recorder;
  credentials: CredentialResolver;
  hold: Hold;
  close(): Promise<void>;
}

export function createRuntime(config: Config, env: NodeJS.ProcessEnv = process.env, log: Logger = createLogger({ app: 'portcullis' })): Runtime {
  const clients = createAzureClients(config);
  const policies = createPolicyStore<PolicyState>({
    source: policySource(config.policySource, clients.credential),
    load: { env: config.env, variables: env },
    refreshMs: config.policyRefreshMs,
    derive: (policy) => ({ policy, verifier: createVerifier(policy.issuers), masker: createMasker(policy.masking) }),
    log: log.child({ component: 'policy' }),
  });
  const rt: Runtime = {
    config,
    log,
    clients,
    policies,
    recorder: createRecorder({ blobs: clients.blobs, table: clients.table, maxPayloadBytes: config.recordMaxPayloadBytes, log: log.child({ component: 'sessions' }) }),
    credentials: createCredentialResolver({ credential: clients.credential, env: config.env, variables: env }),
    // Approvals need the runtime they belong to, so the hold is bound once the runtime exists.
    hold: (held) => hold(held),
    async close() {
      await Promise.all([clients.serviceBus.close(), closePools()]);
    },
  };
  const hold = createHold(rt);
  return rt;
}

let current: Runtime | undefined;
let processLog: Logger | undefined;

/** The process's runtime, created on first use from the environment. */
export function runtime(): Runtime {
  return (current ??= createRuntime(loadConfig(), process.env, processLog));
}

/** Where the runtime logs (the local stack sends it to its own log); Azure uses the default, stderr. */
export function useLogger(log: Logger): void {
  processLog = log;
}

export async function closeRuntime(): Promise<void> {
  const closing = current;
  current = undefined;
  await closing?.close();
}
