// The interface every connection kind implements: classify a request in the target's own terms,
// and forward it (credential added, response masked). Adding a kind touches its own folder and
// one line in registry.ts.
import type { Finding, Masker } from '../masking/index.js';
import type { Connection } from './connection.js';
import type { Operation, OperationDetail } from './operation.js';
import type { Target } from './target.js';

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
  /** The connection's credential, resolved on demand; undefined when it has none. */
  credential(): Promise<string | undefined>;
  masker: Masker;
  timeoutMs: number;
  /** Public base URL of the gateway, for links that must come back through it. */
  publicUrl: string;
  /** Bytes of masked payload kept for the session log. */
  captureBytes: number;
  maxBodyBytes: number;
}

/** What the session log keeps of a response once its body has been produced. */
export interface ResponseRecord {
  findings: Finding[];
  payload: { body: string; bytes: number; contentType?: string; status: number };
  details: Record<string, OperationDetail>;
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

/** The routes agents call connections on; a kind names the one it serves. */
export type Route = 'proxy' | 'sql' | 'exec';

export interface ConnectionKind {
  /** The route agents call it on: /api/proxy/{connection}/…, /api/sql/{connection} or /api/exec/{connection}. */
  route: Route;
  /** Whether classify needs the request body whatever the rules say (prompts, SQL). */
  readsBody: boolean;
  /**
   * Where a request goes on the target, from the still-encoded path after `/api/<route>/<connection>`
   * and the query. Kinds whose requests carry no path (SQL) have none.
   */
  target?(connection: Connection, rawPath: string, search: string): Target;
  classify(request: AgentRequest, connection: Connection): Operation | Promise<Operation>;
  forward(request: AgentRequest, operation: Operation, context: ForwardContext): Promise<GatewayResponse>;
  /** Releases what the kind keeps open across requests (database pools); called when the runtime closes. */
  close?(): Promise<void>;
}
