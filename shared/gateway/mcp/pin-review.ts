// The port through which the MCP path asks reviewers about a changed tool: approvals provide it.
// One approval per connection, tool and new fingerprint (not one per listing or call); approved,
// the new fingerprint becomes the connection's pin for the tool; denied, it stays hidden.
import type { Operation } from '../../connections/operation.js';
import type { Principal } from '../../identity/index.js';
import type { NamedConnection } from '../../policy/compile.js';
import type { EventInput } from '../../sessions/index.js';
import type { PolicyState } from '../ports.js';

export interface ToolChange {
  requestId: string;
  sessionId: string;
  /** Whose listing found the change: the approval is recorded in their session. */
  principal: Principal;
  connection: NamedConnection;
  state: PolicyState;
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
  /** The approval of this change: the one already asked for, or a new one; undefined when the connection names no reviewers. */
  request(change: ToolChange): Promise<PinApproval | undefined>;
  find(connection: string, tool: string, fingerprint: string): Promise<PinApproval | undefined>;
}
