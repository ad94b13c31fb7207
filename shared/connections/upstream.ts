// Calls an upstream over HTTP for the http-style kinds: only the agent's safe headers, the
// gateway's credential, a time limit on the answer, the body-size limit on what is sent, and no
// redirect followed off the upstream's origin. The answer is masked for the credential too, in
// case the upstream echoes it ("invalid key …").
import type { Masker } from '../masking/index.js';
import { BodyTooLarge, limitStream } from '../platform/bytes.js';
import { bodyTooLarge } from '../platform/refusals.js';
import type { Refusal } from '../platform/problem.js';
import { upstreamRequestHeaders } from './headers.js';
import type { AgentRequest, ForwardContext } from './kind.js';
import { credentialNotSendable, upstreamRedirect, upstreamTimeout, upstreamUnreachable } from './refusals.js';
import { renewable } from './credentials.js';
import { credentialFor } from './tiers.js';
import { upstreamRequest } from './upstream-request.js';

export interface UpstreamCall {
  url: URL;
  method: string;
  headers: Headers;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** PEM certificates the upstream's certificate is checked against instead of the system's. */
  ca?: string;
  /** Masks the answer to this call: the connection's masker, plus the credential the call sends. */
  masker: Masker;
}

/** The rule id of the connection's credential found in an answer. */
export const CREDENTIAL_RULE = 'connection-credential';

/** The default upstream call for a request: its target, filtered headers, its body, the credential (renewed when asked). */
export async function prepareCall(request: AgentRequest, context: ForwardContext, renew = false): Promise<UpstreamCall> {
  const { headers, masker } = await withCredential(upstreamRequestHeaders(request.headers), context, renew);
  const noBody = request.method === 'GET' || request.method === 'HEAD';
  const body = noBody ? undefined : (request.body.bytes ?? (request.body.stream && limitStream(request.body.stream, context.maxBodyBytes)));
  return { url: request.target!.url, method: request.method, headers, body, masker };
}

/** Headers with the request id and the connection's credential (of the request's tier), and a masker that knows it. */
export async function withCredential(headers: Headers, context: ForwardContext, renew = false): Promise<{ headers: Headers; masker: Masker }> {
  headers.set('x-request-id', context.requestId);
  const credential = await context.credential(renew);
  // The tier's credential says which header carries it.
  const config = credentialFor(context.connection.name, context.connection.config, context.tier);
  if (credential !== undefined && config) headers.set(config.header, credentialHeader(config.format, credential, context));
  // The raw value: the formatted header (`Bearer …`) holds it.
  const masker = credential === undefined ? context.masker : context.masker.withSecrets([{ rule: CREDENTIAL_RULE, value: credential }]);
  return { headers, masker };
}

/**
 * Whether an upstream's 401 is worth one more try with a renewed credential: the credential can be
 * renewed (an OAuth access token, which the server may have revoked or expired early) and the body
 * can be sent again (bytes, not a stream already consumed).
 */
function retryWithRenewal(response: Response, request: AgentRequest, context: ForwardContext): boolean {
  if (response.status !== 401 || request.body.stream !== undefined) return false;
  return renewable(credentialFor(context.connection.name, context.connection.config, context.tier));
}

/**
 * prepareCall then callUpstream, once more with a renewed credential when the upstream answers 401
 * to a renewable one. `adjust` sets what the kind adds to the prepared call (its own headers).
 */
export async function callRenewing(request: AgentRequest, context: ForwardContext, adjust?: (call: UpstreamCall) => void): Promise<{ call: UpstreamCall; response: Response }> {
  const attempt = async (renew: boolean) => {
    const call = await prepareCall(request, context, renew);
    adjust?.(call);
    return { call, response: await callUpstream(call, context) };
  };
  const first = await attempt(false);
  if (!retryWithRenewal(first.response, request, context)) return first;
  await first.response.body?.cancel();
  return attempt(true);
}

export async function callUpstream(call: UpstreamCall, context: ForwardContext): Promise<Response> {
  const origin = call.url.origin;
  let response: Response;
  try {
    // The limit is on the upstream starting to answer; a long stream after that is not cut.
    response = await upstreamRequest(call.url, { method: call.method, headers: call.headers, body: call.body, timeoutMs: context.timeoutMs, ca: call.ca });
  } catch (error) {
    throw upstreamFailure(error, context);
  }
  if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
    const location = new URL(response.headers.get('location')!, call.url);
    if (location.origin !== origin) {
      await response.body?.cancel();
      throw upstreamRedirect(context.connection.name);
    }
  }
  return response;
}

/** A same-origin upstream URL rewritten to come back through the gateway. */
export function throughGateway(upstreamUrl: URL, upstreamBase: string, context: ForwardContext): string | undefined {
  const base = new URL(upstreamBase);
  const prefix = base.pathname.replace(/\/+$/, '');
  if (upstreamUrl.origin !== base.origin || !(upstreamUrl.pathname + '/').startsWith(prefix + '/')) return undefined;
  return `${context.publicUrl}/api/proxy/${context.connection.name}${upstreamUrl.pathname.slice(prefix.length)}${upstreamUrl.search}`;
}

/**
 * The credential's header value. Checked first, so a malformed secret is refused without its
 * value ever reaching an error message (Headers.set would quote it); the replacer function keeps
 * `$` sequences in a secret literal.
 */
function credentialHeader(format: string, credential: string, context: ForwardContext): string {
  if (/[\u0000-\u001f\u007f]/.test(credential)) {
    throw credentialNotSendable(context.connection.name);
  }
  return format.replace('{value}', () => credential);
}

function upstreamFailure(error: unknown, context: ForwardContext): Refusal {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof BodyTooLarge) return bodyTooLarge(context.maxBodyBytes);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return upstreamTimeout(context.connection.name, context.timeoutMs);
  }
  return upstreamUnreachable(context.connection.name, describe(cause));
}

function describe(cause: unknown): string {
  const code = (cause as { code?: unknown })?.code;
  return typeof code === 'string' ? code : cause instanceof Error ? cause.name : 'network error';
}
