// The held request in blob storage, under the approval id in the `approvals` container, never in a
// message: `{id}/request.json` is what executing it needs (the original body included, the agent's
// credentials not), `{id}/view.json` the masked copy reviewers see, `{id}/result.json` the masked
// answer the agent is given once the request ran.
import { RestError } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { operationSchema } from '../connections/operation.js';
import { principalSchema } from '../identity/principal.js';


export const storedRequestSchema = z.object({
  method: z.string(),
  /** Normalized path and query on the connection's upstream; absent for kinds without one (SQL). */
  target: z.object({ path: z.string().startsWith('/'), search: z.string() }).optional(),
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: z.base64(),
  principal: principalSchema,
  operation: operationSchema,
  /** Set when the approval holds a model's answer (result.json, written when held) rather than a request to carry out. */
  answer: z.boolean().optional(),
  /** Set when approving runs an effect (context.ts) rather than carrying out a request. */
  effect: z.string().optional(),
});
export type StoredRequest = z.infer<typeof storedRequestSchema>;

export const reviewViewSchema = z.object({
  method: z.string(),
  /** Masked. */
  summary: z.string(),
  contentType: z.string().optional(),
  bytes: z.int().nonnegative(),
  /** Masked and cut to a readable length. */
  body: z.string(),
  truncated: z.boolean(),
  findings: z.int().nonnegative(),
});
export type ReviewView = z.infer<typeof reviewViewSchema>;

export const storedResultSchema = z.object({
  status: z.int(),
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: z.base64(),
});
export type StoredResult = z.infer<typeof storedResultSchema>;

export interface HeldStore {
  putRequest(id: string, request: StoredRequest): Promise<void>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  putView(id: string, view: ReviewView): Promise<void>;
  getView(id: string): Promise<ReviewView | undefined>;
  putResult(id: string, result: StoredResult): Promise<void>;
  getResult(id: string): Promise<StoredResult | undefined>;
  /** Remembers which approval holds the answer to the request with this key (repeat.ts). */
  putRepeat(key: string, approvalId: string): Promise<void>;
  /** The approval remembered for a key, with the ETag that `dropRepeat` needs. */
  getRepeat(key: string): Promise<{ approvalId: string; etag: string } | undefined>;
  /** Forgets a key, only as read (its ETag): true for the one caller that did. */
  dropRepeat(key: string, etag: string): Promise<boolean>;
}

const repeatSchema = z.object({ approvalId: z.string() });

export function createHeldStore(container: ContainerClient): HeldStore {
  const put = async (name: string, value: unknown, once: boolean) => {
    const text = JSON.stringify(value);
    await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
      // The held request and its view are written once, when the request is held.
      conditions: once ? { ifNoneMatch: '*' } : undefined,
    });
  };
  const get = async <T>(name: string, schema: z.ZodType<T>): Promise<T | undefined> => {
    try {
      return schema.parse(JSON.parse((await container.getBlobClient(name).downloadToBuffer()).toString('utf8')));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  };
  return {
    putRequest: (id, request) => put(`${id}/request.json`, request, true),
    getRequest: (id) => get(`${id}/request.json`, storedRequestSchema),
    putView: (id, view) => put(`${id}/view.json`, view, true),
    getView: (id) => get(`${id}/view.json`, reviewViewSchema),
    putResult: (id, result) => put(`${id}/result.json`, result, false),
    getResult: (id) => get(`${id}/result.json`, storedResultSchema),
    putRepeat: (key, approvalId) => put(`repeats/${key}.json`, { approvalId }, false),
    async getRepeat(key) {
      try {
        const blob = await container.getBlobClient(`repeats/${key}.json`).download();
        const text = (await streamText(blob.readableStreamBody)).toString();
        return { approvalId: repeatSchema.parse(JSON.parse(text)).approvalId, etag: blob.etag! };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return undefined;
        throw error;
      }
    },
    async dropRepeat(key, etag) {
      try {
        await container.getBlobClient(`repeats/${key}.json`).delete({ conditions: { ifMatch: etag } });
        return true;
      } catch (error) {
        if (error instanceof RestError && (error.statusCode === 404 || error.statusCode === 412)) return false;
        throw error;
      }
    },
  };
}

async function streamText(body: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body ?? []) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
