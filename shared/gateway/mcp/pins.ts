// Tool pinning: a tool's fingerprint is SHA-256 over its canonical JSON (name, description,
// inputSchema, annotations). The first fingerprint seen on a connection is pinned (or the policy
// declares it); a tool whose listing no longer matches its pin is hidden and its calls refused.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../sessions/canonical-json.js';
import type { ToolPin } from './store.js';

/** What a pin covers of a listed tool, as canonical JSON: kept to show a reviewer what changed. */
export function toolDefinition(tool: Record<string, unknown>): string {
  const { name, description, inputSchema, annotations } = tool;
  return canonicalJson({ name, description, inputSchema, annotations });
}

export function toolFingerprint(tool: Record<string, unknown>): string {
  return createHash('sha256').update(toolDefinition(tool)).digest('hex');
}

/** Whether the tool says it only reads (annotations.readOnlyHint); trusted only as part of a pinned listing. */
export function readOnlyHint(tool: Record<string, unknown>): boolean {
  const annotations = tool.annotations;
  return typeof annotations === 'object' && annotations !== null && (annotations as { readOnlyHint?: unknown }).readOnlyHint === true;
}

export type PinState = 'pinned' | 'new' | 'changed';

/** How a listed tool stands against its pin: declared pins win over recorded ones. */
export function pinState(fingerprint: string, declared: string | undefined, recorded: ToolPin | undefined): PinState {
  if (declared !== undefined) return declared === fingerprint ? 'pinned' : 'changed';
  if (!recorded) return 'new';
  return recorded.pinned === fingerprint ? 'pinned' : 'changed';
}

/** Whether a call to this tool may run: refused while the last listing did not match its pin. */
export function callablePin(declared: string | undefined, recorded: ToolPin | undefined): boolean {
  if (!recorded) return true;
  return (declared ?? recorded.pinned) === recorded.seen;
}
