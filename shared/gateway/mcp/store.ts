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
}

export interface McpStore {
  session(id: string): Promise<McpSession | undefined>;
  openSession(session: McpSession): Promise<void>;
  closeSession(id: string): Promise<void>;
  pins(connection: string): Promise<Map<string, ToolPin>>;
  /** Writes a tool's pin; `create` only when it is new (first sight wins a race). */
  savePin(connection: string, tool: string, pin: ToolPin, create: boolean): Promise<void>;
  /** The approval of a held call, by the call's key (see held-call.ts). */
  heldCall(key: string): Promise<string | undefined>;
  holdCall(key: string, approvalId: string): Promise<void>;
  /** Forgets the call once its approval has been answered for (completed, denied, expired). */
  releaseCall(key: string): Promise<void>;
}
