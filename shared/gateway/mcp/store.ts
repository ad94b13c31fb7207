// What the MCP path keeps between requests: the sessions it issued (each bound to one principal
// and connection, mapped to the upstream's session) and each tool's pinned fingerprint. A port:
// the composition root provides it over a Table (shared/app/mcp-store.ts).

/** The one table the MCP path uses (the storage layout lists it). */
export const MCP_TABLE = 'mcp';

export interface McpSession {
  /** The id the gateway gave the agent. */
  id: string;
  connection: string;
  /** `issuer subject` of the principal that opened it: no one else may use it. */
  owner: string;
  /** The upstream's own session id; absent for a stateless upstream. */
  upstream?: string;
}

export interface ToolPin {
  /** The fingerprint calls are allowed under. */
  pinned: string;
  /** The fingerprint the server last listed; differs from pinned after a change. */
  seen: string;
  /** The description last listed, shown to reviewers of a held call. */
  description?: string;
  /** Whether the last listing's annotations said readOnlyHint: true; trusted only while that listing is the pin. */
  readOnly?: boolean;
  /** The pinned version as listed (canonical JSON), shown against a change; absent when unknown or too large to keep. */
  definition?: string;
  /** The new fingerprint reviewers were last asked about. */
  reviewing?: string;
}

/** A changed tool's approval: one per connection, tool and new fingerprint. */
export interface PinReviewRow {
  /** The approval's id; '' while the request that claimed the row is creating it. */
  approval: string;
  /** The new version as listed (canonical JSON), pinned with it once approved; '' when too large to keep. */
  definition: string;
}

export interface McpStore {
  session(id: string): Promise<McpSession | undefined>;
  openSession(session: McpSession): Promise<void>;
  closeSession(id: string): Promise<void>;
  pins(connection: string): Promise<Map<string, ToolPin>>;
  /** Writes a tool's pin; `create` only when it is new (first sight wins a race). */
  savePin(connection: string, tool: string, pin: ToolPin, create: boolean): Promise<void>;
  /** Notes a listing that does not match the pin, leaving the pin as it is. */
  sawChange(connection: string, tool: string, seen: Pick<ToolPin, 'seen' | 'description' | 'readOnly'>): Promise<void>;
  /** Notes the fingerprint reviewers are asked about now. */
  markReviewing(connection: string, tool: string, fingerprint: string): Promise<void>;
  /** Moves the pin to an approved fingerprint. */
  repin(connection: string, tool: string, pinned: string, definition: string | undefined): Promise<void>;
  pinReview(connection: string, tool: string, fingerprint: string): Promise<PinReviewRow | undefined>;
  /** Claims the approval of a change: true for the one caller that created the row. */
  claimPinReview(connection: string, tool: string, fingerprint: string, definition: string): Promise<boolean>;
  setPinReview(connection: string, tool: string, fingerprint: string, approval: string): Promise<void>;
  dropPinReview(connection: string, tool: string, fingerprint: string): Promise<void>;
  /** The approval of a held call, by the call's key (see held-call.ts). */
  heldCall(key: string): Promise<string | undefined>;
  holdCall(key: string, approvalId: string): Promise<void>;
  /** Forgets the call once its approval has been answered for (completed, denied, expired). */
  releaseCall(key: string): Promise<void>;
}
