// Append Block without the SDK's pipeline: every gateway request appends once or twice while the
// agent waits, and the SDK's policy chain (tracing, redirects, retries, serialisation, XML error
// parsing) costs more CPU than the request it sends, as does node:http's client. This sends the
// same request straight over a kept-alive socket (platform/kept-alive.ts), signed as the SDK signs
// it (Shared Key with an account key, a bearer token with a managed identity; other credentials go
// to the SDK). What it cannot settle itself (a lost connection, a timeout, a 5xx, throttling) it
// hands to the SDK's call, whose retries are the ones the app configured; the append-position
// condition makes that retry safe.
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { AppendBlobClient } from '@azure/storage-blob';
import { KeptAlive } from '../platform/kept-alive.js';

/** Appends `body` at `position` of the blob; resolves with the blob's committed block count. */
export type AppendBlock = (blob: AppendBlobClient, body: Buffer, position: number) => Promise<{ blocks: number | undefined }>;

/** An Append Block the service refused: status and error code, as storageError() reads an SDK error. */
export class AppendRefused extends Error {
  override name = 'AppendRefused';
  readonly details: { errorCode?: string };
  constructor(
    readonly statusCode: number,
    errorCode: string | undefined,
  ) {
    super(`Append Block refused: ${statusCode}${errorCode ? ` ${errorCode}` : ''}`);
    this.details = { errorCode };
  }
}

// A version every storage account and Azurite accept; Append Block has not changed since.
const API_VERSION = '2024-11-04';
const STORAGE_SCOPE = 'https://storage.azure.com/.default';
/** A token is renewed this long before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;
const TIMEOUT_MS = 30_000;

interface SharedKey {
  accountName: string;
  computeHMACSHA256(stringToSign: string): string;
}

type Authorize = (url: URL, headers: Record<string, string>, length: number) => Promise<string>;

const sockets = new KeptAlive({ timeoutMs: TIMEOUT_MS });

/** The SDK's Append Block, through the client's own pipeline. */
export const sdkAppendBlock: AppendBlock = async (blob, body, position) => {
  const response = await blob.appendBlock(body, body.length, { conditions: { appendPosition: position } });
  return { blocks: response.blobCommittedBlockCount };
};

/**
 * The lean Append Block for blobs reached with `credential` (the service client's), handing to
 * the SDK what it cannot settle; a kind of credential it does not know goes to the SDK every time.
 * `ca`: the certificate authorities trusted over TLS instead of Node's (tests trust their own).
 */
export function leanAppendBlock(credential: unknown, options: { ca?: string } = {}): AppendBlock {
  const signer = authorizer(credential);
  if (!signer) return sdkAppendBlock;
  const connections = options.ca ? new KeptAlive({ timeoutMs: TIMEOUT_MS, ca: options.ca }) : sockets;
  return async (blob, body, position) => {
    // As the SDK: a token never travels unencrypted (its call refuses it the same way).
    if (signer.tlsOnly && !blob.url.startsWith('https:')) return sdkAppendBlock(blob, body, position);
    let outcome: { status: number; code?: string; blocks?: number };
    try {
      outcome = await send(blob.url, body, position, signer.authorize, connections);
    } catch {
      return sdkAppendBlock(blob, body, position);
    }
    if (outcome.status === 201) return { blocks: outcome.blocks };
    if (outcome.status >= 500 || outcome.status === 408 || outcome.status === 429) return sdkAppendBlock(blob, body, position);
    throw new AppendRefused(outcome.status, outcome.code);
  };
}

/** How a request is authorized with `credential`, and whether only over TLS; undefined: a credential the lean path does not know. */
function authorizer(credential: unknown): { authorize: Authorize; tlsOnly: boolean } | undefined {
  const key = credential as Partial<SharedKey> | undefined;
  if (typeof key?.accountName === 'string' && typeof key.computeHMACSHA256 === 'function') {
    const shared = key as SharedKey;
    return {
      tlsOnly: false,
      authorize: async (url, headers, length) => `SharedKey ${shared.accountName}:${shared.computeHMACSHA256(stringToSign(shared.accountName, url, headers, length))}`,
    };
  }
  const tokens = credential as Partial<TokenCredential> | undefined;
  if (typeof tokens?.getToken === 'function') {
    const source = tokens as TokenCredential;
    let token: AccessToken | null = null;
    return {
      tlsOnly: true,
      authorize: async () => {
        if (!token || token.expiresOnTimestamp - TOKEN_MARGIN_MS <= Date.now()) token = await source.getToken(STORAGE_SCOPE);
        if (!token) throw new Error('no token for storage');
        return `Bearer ${token.token}`;
      },
    };
  }
  return undefined;
}

/** Shared Key's string to sign for a request whose x-ms-* headers are all in `headers`. */
function stringToSign(account: string, url: URL, headers: Record<string, string>, length: number): string {
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join('');
  const query = [...url.searchParams.keys()]
    .map((name) => name.toLowerCase())
    .sort()
    .map((name) => `\n${name}:${url.searchParams.getAll(name).join(',')}`)
    .join('');
  const resource = `/${account}${url.pathname}${query}`;
  // VERB, Content-Encoding, -Language, -Length, -MD5, -Type, Date, If-Modified-Since, If-Match,
  // If-None-Match, If-Unmodified-Since, Range; then the x-ms-* headers and the resource.
  return ['PUT', '', '', length > 0 ? String(length) : '', '', headers['content-type'] ?? '', '', '', '', '', '', ''].join('\n') + '\n' + canonicalHeaders + resource;
}

async function send(blobUrl: string, body: Buffer, position: number, authorize: Authorize, connections: KeptAlive): Promise<{ status: number; code?: string; blocks?: number }> {
  const url = new URL(blobUrl);
  url.searchParams.set('comp', 'appendblock');
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'x-ms-blob-condition-appendpos': String(position),
    'x-ms-date': new Date().toUTCString(),
    'x-ms-version': API_VERSION,
  };
  headers.authorization = await authorize(url, headers, body.length);
  const answer = await connections.request(url, 'PUT', headers, body);
  // The body is an XML error or empty: only its code is kept.
  const code = answer.headers.get('x-ms-error-code') ?? /<Code>([^<]+)<\/Code>/.exec(answer.body.toString('utf8'))?.[1];
  const count = answer.headers.get('x-ms-blob-committed-block-count');
  return { status: answer.status, ...(code ? { code } : {}), ...(count !== undefined ? { blocks: Number(count) } : {}) };
}
