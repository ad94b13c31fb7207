// JSON-RPC 2.0 messages as MCP sends them: requests (with an id), notifications (without) and
// responses. Validated at the edge: a body that is not JSON-RPC is refused before it is judged.
import { z } from 'zod';
import { Refusal } from '../../platform/problem.js';
import { invalidMcpMessage } from './refusals.js';

const id = z.union([z.string(), z.number()]);

export const requestSchema = z.object({ jsonrpc: z.literal('2.0'), id, method: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() });
export const notificationSchema = z.object({ jsonrpc: z.literal('2.0'), method: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() });
export const responseSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([id, z.null()]),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
});

export type JsonRpcRequest = z.infer<typeof requestSchema>;
export type JsonRpcNotification = z.infer<typeof notificationSchema>;
export type JsonRpcResponse = z.infer<typeof responseSchema>;
export type JsonRpcId = z.infer<typeof id>;

export type Message =
  | { type: 'request'; message: JsonRpcRequest }
  | { type: 'notification'; message: JsonRpcNotification }
  | { type: 'response'; message: JsonRpcResponse };

/** One JSON-RPC message, or undefined when it is none. */
export function readMessage(value: unknown): Message | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if ('method' in value) {
    if ('id' in value) {
      const request = requestSchema.safeParse(value);
      return request.success ? { type: 'request', message: request.data } : undefined;
    }
    const notification = notificationSchema.safeParse(value);
    return notification.success ? { type: 'notification', message: notification.data } : undefined;
  }
  const response = responseSchema.safeParse(value);
  return response.success && (response.data.result !== undefined) !== (response.data.error !== undefined) ? { type: 'response', message: response.data } : undefined;
}

/** The messages of a POST body: one, or a batch (judged message by message). */
export function readMessages(text: string): { messages: Message[]; batch: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('The body is not JSON.');
  }
  const batch = Array.isArray(value);
  const items = batch ? (value as unknown[]) : [value];
  if (items.length === 0) throw invalid('The batch is empty.');
  const messages = items.map((item, i) => {
    const message = readMessage(item);
    if (!message) throw invalid(batch ? `Message ${i} of the batch is not a JSON-RPC 2.0 message.` : 'The body is not a JSON-RPC 2.0 message.');
    return message;
  });
  // Two requests a client could not tell apart would get answers the gateway could not tell apart.
  const ids = new Set<string>();
  for (const message of messages) {
    if (message.type !== 'request') continue;
    const key = idKey(message.message.id);
    if (ids.has(key)) throw invalid(`Two requests of the batch have the id ${JSON.stringify(message.message.id)} (or ids a client takes for the same).`);
    ids.add(key);
  }
  return { messages, batch };
}

/**
 * The id as clients match answers to requests: the TypeScript SDK compares `Number(id)` (so "3",
 * "03", "3.0" and 3 are one id, and null and "" are 0), others compare the id as a string. The
 * key conflates whatever either does, so an answer any client would take for a request's, the
 * gateway takes for it too.
 */
export function idKey(id: JsonRpcId | null): string {
  const number = Number(id);
  return Number.isFinite(number) ? `n:${number}` : `s:${String(id)}`;
}

/** A JSON-RPC error response. */
export function errorResponse(requestId: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id: requestId, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** Codes the gateway answers with (JSON-RPC reserves -32000…-32099 for implementations). */
export const ERRORS = { denied: -32003, refused: -32004, noAnswer: -32005 } as const;

function invalid(detail: string): Refusal {
  return invalidMcpMessage(detail);
}
