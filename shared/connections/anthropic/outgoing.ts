// The request body as it leaves for the model: masked as JSON (values only, so it stays a valid
// request; agents paste `.env` files into prompts). Two kinds of value are Anthropic's own opaque
// data, sent back as they came: a thinking block's `signature` and a redacted thinking block's
// `data`. Masking them could only break them (the API checks both) and they hold nothing the
// agent wrote.
import type { Finding, Masker } from '../../masking/index.js';
import { maskedOtherBody } from '../outgoing-other.js';

export interface Outgoing {
  bytes: Uint8Array;
  /** Findings in the prompt, located as `request:$.messages[1].content…`. */
  findings: Finding[];
}

type Json = Record<string, unknown>;

/** The masked body to send, or undefined to send the agent's body as it is (empty, or bytes that are not text). */
export function outgoingBody(bytes: Uint8Array | undefined, masker: Masker, contentType?: string): Outgoing | undefined {
  if (!bytes || bytes.byteLength === 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Only an unknown route or an upload gets here (a prompt route with a bad body was refused).
    const other = maskedOtherBody(bytes, contentType, masker);
    return other && { ...other };
  }
  const opaque = setAside(body);
  const masked = masker.json(body);
  restore(masked.value, opaque);
  return {
    bytes: new TextEncoder().encode(JSON.stringify(masked.value)),
    findings: masked.findings.map((f) => ({ ...f, location: `request:${f.location}` })),
  };
}

const OPAQUE: Record<string, string> = { thinking: 'signature', redacted_thinking: 'data' };

/** Takes the opaque fields out of `body` (left as ''), in walk order. */
function setAside(body: unknown): string[] {
  const taken: string[] = [];
  walk(body, (block, field) => {
    taken.push(block[field] as string);
    block[field] = '';
  });
  return taken;
}

function restore(body: unknown, taken: string[]): void {
  let i = 0;
  walk(body, (block, field) => {
    block[field] = taken[i++];
  });
}

function walk(value: unknown, visit: (block: Json, field: string) => void): void {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...[...item].reverse());
    else if (item !== null && typeof item === 'object') {
      const block = item as Json;
      const field = typeof block.type === 'string' ? OPAQUE[block.type] : undefined;
      if (field && typeof block[field] === 'string') visit(block, field);
      stack.push(...Object.values(block).reverse());
    }
  }
}
