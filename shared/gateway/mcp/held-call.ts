// The port through which the MCP path holds one tool call for review: approvals provide it. The
// approval is bound to the call (principal, connection, tool, canonical arguments), so the agent
// repeating the identical call finds it: once approved and carried out, its result; pending says
// so; denied or expired answer a tool error.
import { createHash } from 'node:crypto';
import type { JsonRpcRequest } from '../../connections/mcp/messages.js';
import { canonicalJson } from '../../sessions/canonical-json.js';
import type { Operation } from '../../connections/operation.js';
import type { Decision } from '../../guard/decide.js';
import type { Principal } from '../../identity/index.js';
import type { NamedConnection } from '../../policy/compile.js';
import type { EventInput } from '../../sessions/index.js';
import type { PolicyState } from '../ports.js';

export interface HeldCall {
  requestId: string;
  sessionId: string;
  principal: Principal;
  connection: NamedConnection;
  state: PolicyState;
  /** The call as the agent sent it (what the approval is bound to). */
  message: JsonRpcRequest;
  /** As masked: what the reviewer sees and what runs. */
  masked: JsonRpcRequest;
  operation: Operation;
  decision: Decision;
  base: Omit<EventInput, 'type'>;
  /** How long to wait for a reviewer before answering. */
  waitSeconds: number;
  /** The agent's headers, and the upstream's session id the call runs in once approved. */
  headers: Headers;
  upstreamSession?: string;
  /** The tool's description as last listed (pinned), for the reviewer. */
  toolDescription?: string;
}

/** The tool result the agent gets for the held call: awaiting, refused, or the approved call's result. */
export type CallHold = (call: HeldCall) => Promise<Record<string, unknown>>;

/** The key an identical call finds its approval by: who, where, which tool, canonical arguments. */
export function heldCallKey(call: Pick<HeldCall, 'principal' | 'connection' | 'message'>): string {
  const params = call.message.params ?? {};
  return createHash('sha256')
    .update(canonicalJson({ issuer: call.principal.issuer, subject: call.principal.subject, connection: call.connection.name, tool: params.name, arguments: params.arguments ?? {} }))
    .digest('hex');
}
