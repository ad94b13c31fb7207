// The interface every connection kind implements: classify a request in the target's own terms,
// and forward it (credential added, response masked). Adding a kind is its own folder, a line in
// registry.ts and one in schemas.ts (docs/architecture.md, "Adding a connection kind").
import type { Finding, Masker } from '../masking/index.js';
import type { ErrorDialect, Refusal } from '../platform/problem.js';
import type { Connection } from './connection.js';
import type { Tier } from './credential-schema.js';
import type { Operation, OperationDetail } from './operation.js';
import type { Target } from './target.js';
import type { JudgedToolCall, ProposedToolCall, ToolCallVerdict } from './tool-calls.js';

export type { JudgedToolCall, ProposedToolCall, ToolCallVerdict };

export interface RequestBody {
  /** The whole body, when it was read before deciding (small, needed by rules, or held). */
  bytes?: Uint8Array;
  /** The unread body, streamed upstream when it was not buffered. */
  stream?: ReadableStream<Uint8Array>;
  /** Declared or actual length; -1 when unknown. */
  length: number;
}

export interface AgentRequest {
  method: string;
  /** Upstream target (http-style kinds); absent for kinds with their own route, such as SQL. */
  target?: Target;
  /** The agent's headers as received (the forwarder filters them). */
  headers: Headers;
  body: RequestBody;
}

export interface ForwardContext {
  requestId: string;
  connection: Connection;
  /** The credential tier the request was granted (tiers.ts); what `credential()` resolves. */
  tier: Tier;
  /**
   * The connection's credential (of the request's tier, when it has tiers), resolved on demand;
   * undefined when it has none. `renew`: the upstream refused the cached one (401), fetch it again.
   */
  credential(renew?: boolean): Promise<string | undefined>;
  masker: Masker;
  timeoutMs: number;
  /** Public base URL of the gateway, for links that must come back through it. */
  publicUrl: string;
  /** Bytes of masked payload kept for the session log. */
  captureBytes: number;
  maxBodyBytes: number;
  /** Reviewers approved this request: limits that hold a request for review (NeedsReview) do not apply. */
  approved?: boolean;
  /** Judges a tool call the model proposes; the LLM kinds call it before passing one on. */
  judgeToolCall(call: ProposedToolCall): ToolCallVerdict;
}

/**
 * Thrown by a kind's forward that found, while carrying the request out, that it needs a review
 * after all (a write over the connection's maxAffectedRows), having undone what it did. The
 * pipeline holds the request as if a rule had said review; the approved request runs again with
 * `approved` set.
 */
export class NeedsReview extends Error {
  constructor(
    /** Names the limit, as a rule name would: `max-affected-rows`. */
    readonly rule: string,
    readonly reason: string,
    /** Recorded with the decision, e.g. the row count. */
    readonly details: Record<string, string | number | boolean | null>,
  ) {
    super(reason);
    this.name = 'NeedsReview';
  }
}

/** What the session log keeps of a response once its body has been produced. */
export interface ResponseRecord {
  findings: Finding[];
  payload: { body: string; bytes: number; contentType?: string; status: number };
  details: Record<string, OperationDetail>;
  /** Tool calls the answer proposed that a tool-call rule judged. */
  toolCalls?: JudgedToolCall[];
  /**
   * When a call needed a review: the whole answer as the agent would have had it with the calls
   * under review passed (masked, denied calls still replaced), for the approval to hold.
   */
  approvedAnswer?: Uint8Array;
}

export interface GatewayResponse {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array> | Uint8Array | null;
  /** Settles once the body has been fully produced (streamed bodies: at their end). */
  completion: Promise<ResponseRecord>;
  /** What is known of a streamed body that ends early (bytes read from upstream, findings so far). */
  partial?: () => ResponseRecord;
}

/** An open approval holding an agent's request, as a kind's heldRefusal names it. */
export interface HeldForReview {
  /** The request came on one of the kind's bodyRoutes (a command posted to /api/exec), not its own route. */
  bodyRoute: boolean;
  approval: string;
  rule: string;
  /** The rule's message (the decision's reason). */
  message: string;
  statusUrl: string;
  expiresAt: string;
}

/** The routes agents call connections on; a kind names the one it serves. */
export type Route = 'proxy' | 'sql' | 'mcp' | 'exec';

export interface ConnectionKind {
  /** The route agents call it on: /api/proxy/{connection}/…, /api/sql/{connection}, /api/mcp/{connection} or /api/exec/{connection}. */
  route: Route;
  /**
   * Routes it also answers on whose requests carry everything in their body (kubernetes: exec):
   * such a request has no `target`, its body is always read, and classify and forward tell it by that.
   */
  bodyRoutes?: Route[];
  /** Whether classify needs the request body whatever the rules say (prompts, SQL). */
  readsBody: boolean;
  /** Whether its answers propose tool calls it judges (LLM kinds): such answers can be held for review. */
  judgesToolCalls?: boolean;
  /**
   * Where a request goes on the target, from the still-encoded path after `/api/<route>/<connection>`
   * and the query. Kinds whose requests carry no path (SQL) have none.
   */
  target?(connection: Connection, rawPath: string, search: string): Target;
  classify(request: AgentRequest, connection: Connection): Operation | Promise<Operation>;
  forward(request: AgentRequest, operation: Operation, context: ForwardContext): Promise<GatewayResponse>;
  /**
   * The error shape the kind's clients read (shared/connections/error-dialects.ts), added to every
   * refusal on its connections; without one, refusals are plain problem+json.
   */
  errorDialect?: ErrorDialect;
  /**
   * The refusal (in errorDialect) its clients get while their request is held for review, instead
   * of 202 and the approval's status: for clients that read a 2xx as the answer they asked for
   * (kubectl decodes it as the object); undefined where its clients read the 202. The status URL
   * still answers as for any kind.
   */
  heldRefusal?(held: HeldForReview): Refusal | undefined;
  /** Releases what the kind keeps open across requests (database pools); called when the runtime closes. */
  close?(): Promise<void>;
}
