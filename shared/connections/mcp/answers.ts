// What the gateway changes in what the server sends back: lists filtered to what the principal
// may use, results masked, server requests the policy does not allow refused. Pure over values:
// the caller supplies the verdicts.
import type { Finding, Masker } from '../../masking/index.js';
import type { McpConnection } from './schema.js';

export type Visibility = 'show' | 'review' | 'hide';

/** The list methods and the field of their result that holds the items. */
export const LISTS: Record<string, { field: string; key: string; call: string }> = {
  'tools/list': { field: 'tools', key: 'name', call: 'tools/call' },
  'prompts/list': { field: 'prompts', key: 'name', call: 'prompts/get' },
  'resources/list': { field: 'resources', key: 'uri', call: 'resources/read' },
  'resources/templates/list': { field: 'resourceTemplates', key: 'uriTemplate', call: 'resources/read' },
};

export const NEEDS_APPROVAL = ' (needs approval)';

/** A list result with hidden items removed and review items marked in their description. */
export function filterList(method: string, result: Record<string, unknown>, visibility: (item: Record<string, unknown>) => Visibility): Record<string, unknown> {
  const list = LISTS[method];
  const items = list && result[list.field];
  if (!list || items === undefined) return result;
  // A list that is not an array lists nothing the gateway could judge.
  if (!Array.isArray(items)) return { ...result, [list.field]: [] };
  const kept = [];
  for (const item of items as unknown[]) {
    // Not an item a client can read: nothing to show.
    if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
    const seen = visibility(item as Record<string, unknown>);
    if (seen === 'hide') continue;
    const { description } = item as { description?: unknown };
    kept.push(seen === 'review' ? { ...item, description: `${typeof description === 'string' ? description : ''}${NEEDS_APPROVAL}`.trimStart() } : item);
  }
  return { ...result, [list.field]: kept };
}

/** Masks a value the server sent (results, notifications, requests), whatever its shape. */
export function maskValue(masker: Masker, value: unknown, path: string): { value: unknown; findings: Finding[] } {
  return masker.json(value, path);
}

/** Server-to-client requests and the switch that allows each. */
const SERVER_REQUESTS: Record<string, keyof McpConnection['serverRequests']> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** Whether the server may send this request to the agent (ping always may). */
export function serverRequestAllowed(config: McpConnection, method: string): boolean {
  if (method === 'ping') return true;
  const key = SERVER_REQUESTS[method];
  return key !== undefined && config.serverRequests[key];
}
