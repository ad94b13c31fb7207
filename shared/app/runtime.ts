// The composition root: everything the functions need, built once per process from config — Azure
// clients, the policy in force (with its verifier and masker), the recorder, credentials, the
// gateway's steps and the approvals built on them. Every other module gets narrow dependencies
// from here and never reaches back.
import { createApprovalContext, type ApprovalContext } from '../approvals/context.js';
import { createCallHold } from '../approvals/mcp-call.js';
import { createPinReviews, PIN_EFFECT, pinEffect } from '../approvals/mcp-pin.js';
import type { McpDeps } from '../gateway/mcp/handle.js';
import { MCP_TABLE } from '../gateway/mcp/store.js';
import { createMcpStore } from './mcp-store.js';
import { createAnswerHolds } from '../approvals/held-answer.js';
import { createHold } from '../approvals/hold.js';
import { createRepeat } from '../approvals/repeat.js';
import { APPROVALS_CONTAINER, APPROVALS_TABLE } from '../approvals/names.js';
import { createCredentialResolver, type CredentialResolver } from '../connections/credentials.js';
import { closeKinds } from '../connections/registry.js';
import { forward, record, type GatewayDeps, type LlmForwardDeps } from '../gateway/pipeline.js';
import type { Identified, PolicyState } from '../gateway/ports.js';
import { createVerifier } from '../identity/index.js';
import { createMasker } from '../masking/index.js';
import { createAzureClients, type AzureClients } from '../platform/azure.js';
import { loadConfig, type Config } from '../platform/config.js';
import { createLogger, type Logger } from '../platform/log.js';
import { createRecorder, leanAppendBlock, type Recorder } from '../sessions/index.js';
import type { Telemetry } from '../platform/telemetry.js';
import { createPolicyStore, policySource, type PolicyStore } from './policy-store.js';
import { startTelemetry } from './telemetry.js';

export interface Runtime {
  config: Config;
  log: Logger;
  clients: AzureClients;
  policies: PolicyStore<PolicyState>;
  recorder: Recorder;
  credentials: CredentialResolver;
  telemetry: Telemetry;
  /** Verifies a request's bearer token under the policy in force. */
  identify(headers: Headers): Promise<Identified>;
  gateway: GatewayDeps;
  mcp: McpDeps;
  approvals: ApprovalContext;
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
  const recorder = createRecorder({
    blobs: clients.blobs,
    table: clients.table,
    maxPayloadBytes: config.recordMaxPayloadBytes,
    lingerMs: config.recordLingerMs,
    maxQueuedBytes: config.recordMaxQueuedBytes,
    log: log.child({ component: 'sessions' }),
    appendBlock: leanAppendBlock(clients.blobs.credential),
  });
  const credentials = createCredentialResolver({ credential: clients.credential, env: config.env, variables: env });
  const identify = async (headers: Headers): Promise<Identified> => {
    const state = await policies.current();
    return { principal: await state.verifier.verify(headers.get('authorization')), state };
  };
  const telemetry = startTelemetry(config.telemetry, env, log.child({ component: 'telemetry' }));
  const forwardDeps: LlmForwardDeps = { config, log, recorder, credentials, telemetry };
  const mcpStore = createMcpStore(clients.table(MCP_TABLE));
  const approvals = createApprovalContext({
    config,
    log: log.child({ component: 'approvals' }),
    policies,
    identify,
    forward: (state, request, operation, at) => forward(forwardDeps, state, request, operation, at),
    record: (mode, events) => record(forwardDeps, mode, events),
    storage: {
      table: clients.table(APPROVALS_TABLE),
      container: clients.blobs.getContainerClient(APPROVALS_CONTAINER),
      serviceBus: clients.serviceBus,
    },
    effects: { [PIN_EFFECT]: pinEffect(mcpStore) },
  });
  observeApprovals(approvals.store, telemetry);
  const hold = createHold(approvals);
  // Answers whose tool calls need a review are held by the approvals built on this forward step.
  forwardDeps.answers = createAnswerHolds(approvals);
  return {
    config,
    log,
    clients,
    policies,
    recorder,
    credentials,
    telemetry,
    identify,
    gateway: { ...forwardDeps, identify, current: () => policies.current(), hold, repeat: createRepeat(approvals) },
    mcp: { ...forwardDeps, identify, mcp: mcpStore, holdCall: createCallHold(approvals, mcpStore, hold), pinReviews: createPinReviews(approvals, mcpStore, hold) },
    approvals,
    async close() {
      await Promise.all([clients.serviceBus.close(), closeKinds()]);
    },
  };
}

/** Counts approvals opening and leaving `pending` (with how long they waited) as the store writes them. */
function observeApprovals(store: ApprovalContext['store'], telemetry: Telemetry): void {
  const { create, update } = store;
  store.create = async (approval) => {
    await create(approval);
    if (approval.status === 'pending') telemetry.approvalOpened();
  };
  store.update = async (id, change) => {
    let before: string | undefined;
    const result = await update(id, (current, attempt) => {
      before = current.status;
      return change(current, attempt);
    });
    const { approval, changed } = result;
    if (changed && before === 'pending' && approval.status !== 'pending') {
      telemetry.approvalClosed(approval.status, (Date.now() - Date.parse(approval.createdAt)) / 1000);
    }
    return result;
  };
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
