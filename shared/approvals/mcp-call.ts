// One MCP tool call held for review, bound to its exact call: the approval is found again by the
// call's key (principal, connection, tool, canonical arguments). A new call is held like any
// request (the approval shows the server, the tool, its description and the masked arguments);
// once approved it is carried out once, and the identical call repeated by the agent gets that
// masked result. Until then the agent's client gets a tool error naming the approval.
import type { Hold } from '../gateway/pipeline.js';
import { toolError } from '../gateway/mcp/answers.js';
import { heldCallKey, type CallHold } from '../gateway/mcp/held-call.js';
import { idKey, readMessage, type JsonRpcResponse } from '../connections/mcp/messages.js';
import type { McpConnection } from '../connections/mcp/schema.js';
import { SseParser } from '../masking/index.js';
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
      if (status === 'completed') {
        // Answered for once the result is given: the next identical call is a new request. An
        // answer that cannot be read keeps the approval bound, so the call never runs twice on it.
        const result = await storedResult(current);
        if (result.delivered) await store.releaseCall(key);
        return result.value;
      }
      await store.releaseCall(key);
      const why = status === 'denied' ? `was denied by a reviewer${reason(current)}` : status === 'expired' ? 'expired before a reviewer decided' : 'failed when it was carried out';
      return toolError(`The approval of this call (${current.id}) ${why}; it was not carried out.`);
    }
  };

  /**
   * The approved call's answer as carried out (masked then), as the tool result: the response to
   * the held call's id (as clients compare ids), whatever notifications and requests came before
   * it. The caller answers it under the repeated call's id.
   */
  async function storedResult(approval: Approval): Promise<{ value: Record<string, unknown>; delivered: boolean }> {
    const [held, stored] = await Promise.all([ctx.held.getRequest(approval.id), ctx.held.getResult(approval.id)]);
    const id = held ? heldId(Buffer.from(held.body, 'base64').toString('utf8')) : undefined;
    const response = stored && id !== undefined ? heldResponse(Buffer.from(stored.body, 'base64').toString('utf8'), new Headers(stored.headers).get('content-type') ?? '', id) : undefined;
    if (response?.result) return { value: response.result, delivered: true };
    if (response?.error) return { value: toolError(`The approved call failed: ${response.error.message}`), delivered: true };
    return { value: toolError(`The approved call (${approval.id}) ran, but its answer cannot be read (status ${stored?.status ?? 'unknown'}); it will not run again on this approval.`), delivered: false };
  }
}

/** The id of the held call as it was sent (its idKey). */
function heldId(body: string): string | undefined {
  try {
    const message = readMessage(JSON.parse(body));
    return message?.type === 'request' ? idKey(message.message.id) : undefined;
  } catch {
    return undefined;
  }
}

/** The response to the held call in a stored answer: JSON, or SSE (events of any number of data lines). */
function heldResponse(text: string, type: string, heldKey: string): JsonRpcResponse | undefined {
  const parser = new SseParser();
  const sse = type.startsWith('text/event-stream') || !/^\s*[[{]/.test(text);
  const documents = sse ? [...parser.push(text), ...parser.end()].map((e) => e.data ?? '') : [text];
  for (const document of documents) {
    let value: unknown;
    try {
      value = JSON.parse(document);
    } catch {
      // Not a message (a comment, a keep-alive): the answer is in another event.
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const message = readMessage(item);
      if (message?.type === 'response' && idKey(message.message.id) === heldKey) return message.message;
    }
  }
  return undefined;
}

function reason(approval: Approval): string {
  const denial = approval.decisions.find((d) => d.verdict === 'deny');
  return denial?.reason ? `: ${denial.reason}` : '';
}
