// One JSON-RPC message → one Operation. The action names the method, and for the calls that pick
// something the thing picked: `tools/call:<name>`, `resources/read:<uri>`, `prompts/get:<name>`.
// A tool call's arguments are the text rules see (as JSON) and the JSON the `arguments` match reads.
// Methods that only read (the handshake, lists, reads) carry the read-only flag, so a connection
// with credential tiers sends them with its read credential; a tool call is only known to read
// from its pinned listing (the gateway's MCP path adds the flag there).
import type { AgentRequest } from '../kind.js';
import { READ_ONLY_FLAG, type Operation } from '../operation.js';
import { headerRecord } from '../headers.js';
import type { Message } from './messages.js';

/** What a method selects, for the methods whose action names it. */
const SELECTOR: Record<string, string> = { 'tools/call': 'name', 'resources/read': 'uri', 'prompts/get': 'name', 'resources/subscribe': 'uri', 'resources/unsubscribe': 'uri' };

/** Methods that read and change nothing on the server: run with a connection's read credential. */
const READS = /^(initialize|ping|notifications\/.*|tools\/list|prompts\/list|prompts\/get|resources\/list|resources\/templates\/list|resources\/read|completion\/complete)$/;

export function classifyMessage(message: Message, headers: Headers): Operation {
  const base = { kind: 'mcp', method: 'POST', path: '', query: '', headers: headerRecord(headers), resources: [] as string[], flags: [] as string[] };
  if (message.type === 'response') {
    // The agent answering a request the server sent it (sampling, elicitation, roots).
    return { ...base, actions: ['response'], flags: [READ_ONLY_FLAG], text: '', summary: 'MCP response to a server request', details: {} };
  }
  const { method, params } = message.message;
  const key = SELECTOR[method];
  const selected = key && typeof params?.[key] === 'string' ? (params[key] as string) : undefined;
  const action = selected === undefined ? method : `${method}:${selected}`;
  const args = method === 'tools/call' || method === 'prompts/get' ? (params?.arguments ?? {}) : undefined;
  const flags = [...(message.type === 'notification' ? ['notification'] : []), ...(READS.test(method) ? [READ_ONLY_FLAG] : [])];
  return {
    ...base,
    actions: [action],
    resources: method.startsWith('resources/') && selected !== undefined ? [selected] : [],
    flags,
    text: args === undefined ? '' : JSON.stringify(args),
    summary: `MCP ${action}`,
    details: { method, ...(selected === undefined ? {} : { [key!]: selected }) },
    ...(args === undefined ? {} : { arguments: args }),
  };
}

/** What the transport does besides carrying messages, and the HTTP method it does it with. */
const TRANSPORT = { 'stream/open': 'GET', 'session/end': 'DELETE', 'server/unmatched': 'POST' } as const;

/**
 * Opening the server's event stream (GET), ending the session (DELETE), and a message from the
 * server the gateway drops: judged and recorded like messages, under actions of their own.
 */
export function classifyTransport(action: keyof typeof TRANSPORT, headers: Headers): Operation {
  return {
    kind: 'mcp', method: TRANSPORT[action], path: '', query: '', headers: headerRecord(headers), actions: [action], resources: [],
    flags: [READ_ONLY_FLAG], text: '', summary: `MCP ${action}`, details: { method: action },
  };
}

/** The whole POST as one operation (what the ConnectionKind interface classifies). */
export function classifyRequest(request: AgentRequest, messages: Message[]): Operation {
  const parts = messages.map((m) => classifyMessage(m, request.headers));
  return {
    kind: 'mcp',
    method: request.method,
    path: '',
    query: '',
    headers: headerRecord(request.headers),
    actions: parts.flatMap((p) => p.actions),
    resources: parts.flatMap((p) => p.resources),
    // Read-only only when every message is: one write among them needs the write credential.
    flags: [...new Set(parts.flatMap((p) => p.flags))].filter((f) => f !== READ_ONLY_FLAG || parts.every((p) => p.flags.includes(READ_ONLY_FLAG))),
    text: parts.map((p) => p.text).filter(Boolean).join('\n'),
    summary: `MCP ${parts.map((p) => p.actions[0]).join(', ')}`,
    details: {},
  };
}
