// The gateway's own tools/list, for a call of a tool no listing has pinned yet (the agent called
// it without listing through the gateway, or the server never listed it there): the tool is
// checked against its pin at call time, not only when the agent lists. Every page is read
// (nextCursor), up to a bound; an answer that is not one the gateway can read lists nothing.
import { randomBytes } from 'node:crypto';
import { readMessage } from '../../connections/mcp/messages.js';
import { SseParser } from '../../masking/index.js';

const MAX_PAGES = 20;

/** Sends one JSON-RPC request upstream (in the agent's upstream session) and gives the server's answer. */
export type SendRequest = (message: unknown) => Promise<Response>;

/** The tools the server lists, every page; undefined when it gave no readable listing. */
export async function listTools(send: SendRequest): Promise<Array<Record<string, unknown>> | undefined> {
  const tools: Array<Record<string, unknown>> = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const id = `portcullis-pins-${randomBytes(9).toString('base64url')}`;
    const response = await send({ jsonrpc: '2.0', id, method: 'tools/list', ...(cursor === undefined ? {} : { params: { cursor } }) });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const result = answer(id, await response.text(), response.headers.get('content-type') ?? '');
    const listed = result?.tools;
    if (!Array.isArray(listed)) return undefined;
    tools.push(...listed.filter((t): t is Record<string, unknown> => typeof t === 'object' && t !== null && !Array.isArray(t)));
    if (typeof result!.nextCursor !== 'string') return tools;
    cursor = result!.nextCursor;
  }
  return tools;
}

/** The result of the answer to exactly this request, in a JSON or SSE body. */
function answer(id: string, text: string, type: string): Record<string, unknown> | undefined {
  const values: unknown[] = [];
  try {
    if (type.startsWith('text/event-stream')) {
      const parser = new SseParser();
      for (const event of [...parser.push(text), ...parser.end()]) if (event.data) values.push(JSON.parse(event.data));
    } else if (text.trim() !== '') {
      values.push(JSON.parse(text));
    }
  } catch {
    return undefined;
  }
  for (const value of values.flat()) {
    const message = readMessage(value);
    if (message?.type === 'response' && message.message.id === id) return message.message.result;
  }
  return undefined;
}
