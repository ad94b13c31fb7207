// Approval of a changed MCP tool (tool pinning): when a server lists a tool that no longer matches
// its pin, the connection's reviewers are asked once per connection, tool and new fingerprint. The
// reviewer sees the difference between the pinned and the new version (description, input schema,
// annotations; masked like any held body). Approved, the new fingerprint becomes the pin and the
// tool is listed and callable again; denied, it stays hidden. Each step is in the session log of
// the principal whose listing found the change.
import type { Hold } from '../gateway/pipeline.js';
import type { PinApproval, PinReviews, ToolChange } from '../gateway/mcp/pin-review.js';
import type { McpStore } from '../gateway/mcp/store.js';
import { toolDiff } from '../gateway/mcp/tool-diff.js';
import type { ApprovalContext, ApprovalEffect } from './context.js';
import { effectiveStatus } from './state.js';

/** The effect name a tool change is held with. */
export const PIN_EFFECT = 'mcp-pin';

/** Statuses after which the same change may be asked about again (nobody said no). */
const LAPSED = new Set(['expired', 'failed']);

export function createPinReviews(ctx: ApprovalContext, store: McpStore, hold: Hold): PinReviews {
  const find = async (connection: string, tool: string, fingerprint: string): Promise<PinApproval | undefined> => {
    const row = await store.pinReview(connection, tool, fingerprint);
    const approval = row?.approval ? await ctx.store.get(row.approval) : undefined;
    return approval && { id: approval.id, status: effectiveStatus(approval, ctx.now()), statusUrl: ctx.urls.status(approval.id) };
  };

  return {
    find,
    async request(change: ToolChange) {
      const connection = change.connection.name;
      const known = await find(connection, change.tool, change.fingerprint);
      if (known && !LAPSED.has(known.status)) return known;
      if (known) await store.dropPinReview(connection, change.tool, change.fingerprint);
      // One approval per change: the listing that creates the row asks; the others find it.
      if (!(await store.claimPinReview(connection, change.tool, change.fingerprint, change.after))) {
        const other = await find(connection, change.tool, change.fingerprint);
        if (!other) throw new Error('the approval of this change is being asked for by another request');
        return other;
      }
      try {
        const id = await ask(change);
        await store.setPinReview(connection, change.tool, change.fingerprint, id);
        return { id, status: 'pending', statusUrl: ctx.urls.status(id) };
      } catch (error) {
        await store.dropPinReview(connection, change.tool, change.fingerprint).catch(() => undefined);
        throw error;
      }
    },
  };

  async function ask(change: ToolChange): Promise<string> {
    const diff = new TextEncoder().encode(toolDiff(change.tool, change.before, change.after));
    const summary = `MCP tool ${change.tool} on ${change.connection.name} changed: pin its new version (${change.fingerprint.slice(0, 12)}…, was ${change.pinned.slice(0, 12)}…)?`;
    const answered = await hold({
      requestId: change.requestId,
      sessionId: change.sessionId,
      state: change.state,
      base: { ...change.base, operation: { ...change.base.operation!, summary: change.state.masker.text(summary).text } },
      principal: change.principal,
      connection: change.connection,
      operation: { ...change.operation, summary },
      decision: {
        action: 'review',
        rule: 'tool-pin',
        reason: `The server changed tool "${change.tool}" since it was pinned; until its new version is approved it is hidden and its calls refused`,
        review: change.review,
        tier: 'read',
      },
      request: { method: 'POST', headers: new Headers({ 'content-type': 'text/plain; charset=utf-8' }), body: { bytes: diff, length: diff.byteLength } },
      prefer: null,
      effect: PIN_EFFECT,
    });
    const id = new Headers(answered.headers as ConstructorParameters<typeof Headers>[0]).get('x-portcullis-approval')?.split(';')[0];
    if (!id) throw new Error('the approval of a changed tool was not started');
    return id;
  }
}

/** Approved: the new fingerprint becomes the connection's pin for the tool. */
export function pinEffect(store: McpStore): ApprovalEffect {
  return async (ctx, approval, held) => {
    const tool = String(held.operation.details.name);
    const fingerprint = String(held.operation.details.fingerprint);
    const connection = approval.base.connection;
    const row = await store.pinReview(connection, tool, fingerprint);
    await store.repin(connection, tool, fingerprint, row?.definition || undefined);
    const { policy } = await ctx.policies.current();
    await ctx.record(policy.recording, [
      {
        ...approval.base,
        type: 'decision',
        decision: { action: 'allow', rule: 'tool-pin', reason: `Tool "${tool}" pinned at its new version by approval ${approval.id}` },
        details: { tool, pinned: fingerprint, approval: approval.id },
      },
    ]);
    const body = JSON.stringify({ tool, connection, pinned: fingerprint });
    return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body).toString('base64') };
  };
}
