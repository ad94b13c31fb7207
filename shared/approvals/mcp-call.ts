// One MCP tool call held for review, bound to its exact call: the approval is found again by the
// call's key (principal, connection, tool, canonical arguments). A new call is held like any
// request (the approval shows the server, the tool, its description and the masked arguments);
// once approved it is carried out once, and the identical call repeated by the agent gets that
// masked result. Until then the agent's client gets a tool error naming the approval.
import type { Hold } from '../gateway/pipeline.js';
import { toolError } from '../gateway/mcp/answers.js';
import { heldCallKey, type CallHold } from '../gateway/mcp/held-call.js';
import type { McpConnection } from '../connections/mcp/schema.js';
import type { McpStore } from '../gateway/mcp/store.js';
import type { ApprovalContext } from './context.js';
import { effectiveStatus, inProgress, type Approval } from './state.js';

export function createCallHold(ctx: ApprovalContext, store: McpStore, hold: Hold): CallHold {
  return async (call) => {
    const key = heldCallKey(call);
    const known = await store.heldCall(key);
    const approval = known ? await ctx.store.get(known) : undefined;
    if (approval) return outcome(approval);

    const headers = new Headers(call.headers);
    headers.delete('mcp-session-id');
    if (call.upstreamSession) headers.set('mcp-session-id', call.upstreamSession);
    headers.set('content-type', 'application/json');
    const bytes = new TextEncoder().encode(JSON.stringify(call.masked));
    // The reviewer sees the server, the tool and what it says it does; the body holds the masked arguments.
    const summary = `MCP tools/call:${String(call.message.params?.name)} on ${call.connection.name} (${(call.connection.config as McpConnection).upstream})${call.toolDescription ? ` — "${call.toolDescription.slice(0, 300)}"` : ''}`;
    const base = { ...call.base, operation: { ...call.base.operation!, summary: call.state.masker.text(summary).text } };
    const answered = await hold({
      requestId: call.requestId,
      sessionId: call.sessionId,
      state: call.state,
      base,
      principal: call.principal,
      connection: call.connection,
      operation: { ...call.operation, summary },
      decision: call.decision,
      request: { method: 'POST', headers, body: { bytes, length: bytes.byteLength } },
      prefer: `wait=${call.waitSeconds}`,
    });
    const id = new Headers(answered.headers as ConstructorParameters<typeof Headers>[0]).get('x-portcullis-approval')?.split(';')[0];
    if (!id) return toolError('This call needs approval, but the approval could not be started.');
    await store.holdCall(key, id);
    return outcome((await ctx.store.get(id))!);

    async function outcome(current: Approval) {
      const status = effectiveStatus(current, ctx.now());
      if (inProgress(status)) {
        const url = ctx.urls.status(current.id);
        return {
          ...toolError(`This call awaits approval (approval ${current.id}, ${status}). Status: ${url}. Once approved, make the identical call again to get its result.`),
          _meta: { 'portcullis/approval': { id: current.id, status, statusUrl: url } },
        };
      }
      // Answered for once: the next identical call is a new request.
      await store.releaseCall(key);
      if (status === 'completed') return storedResult(current, call.message.id);
      const why = status === 'denied' ? `was denied by a reviewer${reason(current)}` : status === 'expired' ? 'expired before a reviewer decided' : 'failed when it was carried out';
      return toolError(`The approval of this call (${current.id}) ${why}; it was not carried out.`);
    }
  };

  /** The approved call's answer as carried out (masked then), as the tool result. */
  async function storedResult(approval: Approval, requestId: string | number): Promise<Record<string, unknown>> {
    const stored = await ctx.held.getResult(approval.id);
    const text = stored ? Buffer.from(stored.body, 'base64').toString('utf8') : '';
    // The stored answer is the server's, masked: JSON, or SSE whose data lines are messages.
    const candidates = text.trimStart().startsWith('{') || text.trimStart().startsWith('[') ? [text] : text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
    for (const candidate of candidates) {
      try {
        const parsed: unknown = JSON.parse(candidate);
        for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
          const m = message as { id?: unknown; result?: Record<string, unknown>; error?: { message?: string } };
          if (m.result && (m.id === requestId || candidates.length === 1)) return m.result;
          if (m.error) return toolError(`The approved call failed: ${m.error.message ?? 'error'}`);
        }
      } catch {
        // Not a message (an SSE comment or a partial line): the next one may be.
      }
    }
    return toolError(`The approved call (${approval.id}) ran, but its answer cannot be read (status ${stored?.status ?? 'unknown'}).`);
  }
}

function reason(approval: Approval): string {
  const denial = approval.decisions.find((d) => d.verdict === 'deny');
  return denial?.reason ? `: ${denial.reason}` : '';
}
