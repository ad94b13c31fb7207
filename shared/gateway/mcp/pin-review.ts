// The port through which the MCP path asks reviewers about a changed tool: approvals provide it.
// One approval per connection, tool and new fingerprint (not one per listing or call); approved,
// the new fingerprint becomes the connection's pin for the tool; denied, it stays hidden.
import type { Operation } from '../../connections/operation.js';
import type { Principal } from '../../identity/index.js';
import type { NamedConnection, Policy, ReviewRequirement } from '../../policy/compile.js';
import type { EventInput } from '../../sessions/index.js';
import type { PolicyState } from '../ports.js';

export interface ToolChange {
  requestId: string;
  sessionId: string;
  /** Whose listing found the change: the approval is recorded in their session. */
  principal: Principal;
  connection: NamedConnection;
  state: PolicyState;
  /** Who approves it (reviewersOfChanges). */
  review: ReviewRequirement;
  base: Omit<EventInput, 'type'>;
  /** `tools/pin:<tool>`, with the tool and its new fingerprint in its details. */
  operation: Operation;
  tool: string;
  /** The fingerprint calls run under now, and the new one. */
  pinned: string;
  fingerprint: string;
  /** Canonical JSON of the pinned version, when known, and of the new one. */
  before?: string;
  after: string;
}

export interface PinApproval {
  id: string;
  status: string;
  statusUrl: string;
}

export interface PinReviews {
  /** The approval of this change: the one already asked for, or a new one. */
  request(change: ToolChange): Promise<PinApproval>;
  find(connection: string, tool: string, fingerprint: string): Promise<PinApproval | undefined>;
}

/**
 * Who approves a changed tool: the connection's `reviewers`; without them, the reviewers of the
 * policy's review rules for calls on this connection (those who already judge what its tools do).
 * Undefined when neither names anyone: the change then waits for the policy to declare it.
 */
export function reviewersOfChanges(connection: NamedConnection, policy: Policy): ReviewRequirement | undefined {
  if (connection.defaultReview) return connection.defaultReview;
  const rules = policy.rules.filter((r) => r.action === 'review' && r.review && !r.match.toolCalls && (!r.match.connections || r.match.connections.some((g) => g.test(connection.name))));
  if (rules.length === 0) return undefined;
  return { groups: [...new Set(rules.flatMap((r) => r.review!.groups))], minApprovals: 1, timeoutMs: rules[0]!.review!.timeoutMs };
}
