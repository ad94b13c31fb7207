// What the gateway needs from the composition root (shared/app), as narrow interfaces: settings,
// a logger, the session log, credentials, who is calling, and the hold that approvals provide.
// The gateway never sees the whole runtime, so approvals can be built on its forward step without
// a cycle.
import type { Tier } from '../connections/credential-schema.js';
import type { CredentialResolver } from '../connections/credentials.js';
import type { AgentRequest } from '../connections/kind.js';
import type { NamedConnection } from '../policy/compile.js';
import type { Operation } from '../connections/operation.js';
import type { Principal, Verifier } from '../identity/index.js';
import type { Masker } from '../masking/index.js';
import type { Policy } from '../policy/compile.js';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/log.js';
import type { Telemetry } from '../platform/telemetry.js';
import type { EventInput, Recorder } from '../sessions/index.js';

/** The policy in force, with what is derived from it once per version. */
export interface PolicyState {
  policy: Policy;
  verifier: Verifier;
  masker: Masker;
}

/** A verified caller and the policy state that verified them. */
export interface Identified {
  principal: Principal;
  state: PolicyState;
}

/** Verifies a request's bearer token under the policy in force: the one identify every entry point uses. */
export type Identify = (headers: Headers) => Promise<Identified>;

/** forward → mask → record needs these. */
export interface ForwardDeps {
  config: Pick<Config, 'maxBodyBytes' | 'recordMaxPayloadBytes' | 'upstreamTimeoutMs' | 'publicUrl' | 'inspectionBudgetMs'>;
  log: Logger;
  recorder: Recorder;
  credentials: CredentialResolver;
  /** Traces and metrics; none when absent. */
  telemetry?: Telemetry;
}

/** Where a forwarded request belongs: its events' common part, its ids, and when it started. */
export interface ForwardAt {
  base: Omit<EventInput, 'type'>;
  /** Who asked: the tool calls a model proposes are judged for them. */
  principal: Principal;
  requestId: string;
  connection: NamedConnection;
  started: number;
  /** Carried out after a reviewer approved it: limits that ask for a review (maxAffectedRows) no longer apply. */
  approved?: boolean;
  /** The credential tier the decision (or approval) granted. */
  tier: Tier;
}

/** The answer forward hands back, body still streaming when the target streams. */
export interface Forwarded {
  status: number;
  headers: Headers;
  body?: ReadableStream<Uint8Array> | Uint8Array;
}

/** forward → mask → record, bound to its dependencies (what approvals use to carry out a request). */
export type Forward = (state: Pick<PolicyState, 'policy' | 'masker'>, request: AgentRequest, operation: Operation, at: ForwardAt) => Promise<Forwarded>;

/** Appends events to the session log under the policy's recording mode. */
export type Record = (mode: Policy['recording'], events: EventInput[]) => Promise<void>;
