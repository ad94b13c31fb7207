// Shared by the session log's integration tests: storage clients on a test Azurite (quick retries,
// optional request spy), a CLI io that keeps its output, and the events a request produces.
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { TableClient } from '@azure/data-tables';
import {
  BlobServiceClient,
  newPipeline,
  StorageSharedKeyCredential,
  type HttpOperationResponse,
  type RequestPolicy,
  type WebResource,
} from '@azure/storage-blob';
import { devAccount, type Azurite } from '../../../cli/dev/azurite.js';
import type { CliIo } from '../../../cli/io.js';
import type { EventInput, SessionStores } from '../../../shared/sessions/index.js';

export type Intercept = (request: WebResource, next: RequestPolicy) => Promise<HttpOperationResponse>;

/** A blob client of its own (as another instance would have), seeing every request through `intercept`. */
export function blobClient(azurite: Pick<Azurite, 'blobEndpoint'>, intercept?: Intercept): BlobServiceClient {
  const pipeline = newPipeline(new StorageSharedKeyCredential(devAccount.name, devAccount.key), {
    retryOptions: { maxTries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  if (intercept) pipeline.factories.push({ create: (next) => ({ sendRequest: (request) => intercept(request, next) }) });
  return new BlobServiceClient(azurite.blobEndpoint, pipeline);
}

export function tableClients(azurite: Pick<Azurite, 'connectionString'>): (name: string) => TableClient {
  return (name) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
}

export function stores(azurite: Azurite): SessionStores {
  return { blobs: blobClient(azurite), table: tableClients(azurite) };
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export const principal = (subject: string, issuer = 'https://idp.example.com') => ({ subject, issuer, groups: ['agents'] });

/** What the gateway records for one allowed (or denied, or held) request. */
export function requestEvents(
  sessionId: string,
  requestId: string,
  options: { subject?: string; issuer?: string; connection?: string; action?: 'allow' | 'deny' | 'review'; body?: string } = {},
): EventInput[] {
  const who = principal(options.subject ?? 'agent-1', options.issuer);
  const connection = options.connection ?? 'orders-api';
  const action = options.action ?? 'allow';
  const body = options.body ?? '{"q":1}';
  return [
    {
      type: 'request',
      sessionId,
      requestId,
      principal: who,
      connection,
      operation: { kind: 'http', summary: `GET /orders/${requestId}`, actions: ['read'], resources: ['/orders'], flags: [] },
      payload: { body, bytes: Buffer.byteLength(body), contentType: 'application/json' },
    },
    { type: 'decision', sessionId, requestId, principal: who, connection, decision: { action, rule: `rule-${action}`, reason: `${action} by test` } },
    { type: 'response', sessionId, requestId, principal: who, connection, payload: { body: '{"ok":true}', bytes: 11, status: 200 }, timings: { total: 3 } },
  ];
}

/** A CliIo whose output the test reads. */
export function memoryIo(options: { isTTY?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into.push(String(chunk));
        done();
      },
    });
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout: sink(out),
    stderr: sink(err),
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
