// Builds session-log events from pipeline values: identity (its claims only on decision events),
// the operation's summary, and masked, truncated payloads with their original sizes. What the agent
// put in a path or query (a token in a webhook URL, say) is masked too: the log is write-once.
import { maskedHeaderValue } from '../connections/headers.js';
import type { AgentRequest } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import type { Principal } from '../identity/index.js';
import { InspectionBudgetExceeded, maskSliced, type InspectionBudget, type Masker } from '../masking/index.js';
import { truncateUtf8 } from '../platform/bytes.js';
import type { EventInput } from '../sessions/index.js';
import type { RecordedOperation } from '../sessions/schema.js';
import { inspectionBudgetExceeded } from './refusals.js';

/** What every event of a request carries, and nothing else: events name their own members beside it. */
export type EventBase = Pick<EventInput, 'sessionId' | 'requestId' | 'principal' | 'connection' | 'operation'>;

export function eventBase(at: {
  sessionId: string;
  requestId: string;
  principal: Principal;
  connection: string;
  operation: Operation;
  masker: Masker;
}): EventBase {
  const mask = (text: string) => at.masker.text(text).text;
  return {
    sessionId: at.sessionId,
    requestId: at.requestId,
    principal: { subject: at.principal.subject, issuer: at.principal.issuer, groups: [...at.principal.groups] },
    connection: at.connection,
    operation: {
      kind: at.operation.kind,
      summary: mask(at.operation.summary),
      actions: at.operation.actions.map(mask),
      resources: at.operation.resources.map(mask),
      flags: at.operation.flags,
    },
  };
}

/**
 * The request's masked body (when it was read) for the `request` event, which the recorder cuts to
 * size: masked in slices that yield to the event loop, within the request's inspection budget.
 */
export async function requestPayload(
  masker: Masker,
  request: AgentRequest,
  budget: InspectionBudget,
): Promise<Partial<Pick<EventInput, 'payload' | 'findings'>>> {
  const contentType = request.headers.get('content-type') ?? undefined;
  const bytes = request.body.bytes;
  // A streamed body is not kept; its declared size is, when there is one.
  if (!bytes) return request.body.length >= 0 ? { payload: { body: '', bytes: request.body.length, contentType } } : {};
  const masked = await maskSliced(masker, new TextDecoder().decode(bytes), contentType, budget);
  return { payload: { body: masked.text, bytes: bytes.byteLength, contentType }, findings: masked.findings };
}

/** Runs inspection work; a budget it overran is a refusal (422), the request never forwarded. */
export async function withinBudget<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof InspectionBudgetExceeded)) throw error;
    throw inspectionBudgetExceeded(error.budgetMs);
  }
}

const MASK_MARGIN = 64 * 1024;

type MaskedField = NonNullable<RecordedOperation['masked']>[number];

/** Claims about the token rather than the principal: no rule has reason to match them. */
const TOKEN_MECHANICS = new Set(['exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 's_hash', 'auth_time', 'uti', 'rh', 'aio']);

/**
 * What the `decision` event adds so the request can be re-decided under another policy
 * (`portcullis policy what-if`): the principal's kind and claims, and the operation's method, path,
 * query, headers and text — every value masked, the text truncated like payloads; `masked` names
 * the fields that masking or truncation changed, whose re-decision is then approximate.
 */
export function decisionInputs(
  base: Omit<EventInput, 'type'>,
  principal: Principal,
  operation: Operation,
  masker: Masker,
  limit: number,
): Pick<EventInput, 'principal' | 'operation'> {
  const changed = new Set<MaskedField>();
  const mask = (field: MaskedField, text: string, contentType?: string) => {
    const masked = (contentType === undefined ? masker.text(text) : masker.auto(text, contentType)).text;
    if (masked !== text) changed.add(field);
    return masked;
  };
  const header = (name: string, value: string) => {
    const masked = maskedHeaderValue(masker, name, value).value;
    if (masked !== value) changed.add('headers');
    return masked;
  };
  const claims = recordedClaims(principal.claims, masker);
  if (claims.masked) changed.add('claims');
  // Masked within a bounded window, so a large body is not masked twice on the hot path; the
  // margin past the limit lets a secret that straddles the cut still be recognised whole.
  const window = truncateUtf8(operation.text, limit + MASK_MARGIN);
  // Masked as the body it may be (JSON by key, multipart by field name), else as text.
  const kept = truncateUtf8(mask('text', window, operation.headers['content-type'] ?? ''), limit);
  if (Buffer.byteLength(operation.text) > limit) changed.add('text');
  return {
    principal: { ...base.principal!, kind: principal.kind, claims: claims.values },
    operation: {
      ...base.operation!,
      method: operation.method,
      path: mask('path', operation.path),
      query: mask('query', operation.query),
      headers: Object.fromEntries(Object.entries(operation.headers).map(([name, value]) => [name, header(name, value)])),
      text: kept,
      ...(changed.size > 0 ? { masked: [...changed].sort() } : {}),
    },
  };
}

type ClaimValue = string | number | boolean | Array<string | number | boolean>;
type MaskedClaims = { values: Record<string, ClaimValue>; masked: boolean };

// The identity step reuses a verified token's principal (and its frozen claims) for a while: the
// masked copy is kept with it rather than masked again on every request.
const claimsCache = new WeakMap<Masker, WeakMap<object, MaskedClaims>>();

function recordedClaims(source: Principal['claims'], masker: Masker): MaskedClaims {
  const cached = claimsCache.get(masker)?.get(source);
  if (cached) return cached;
  const kept: Record<string, ClaimValue> = {};
  for (const [name, value] of Object.entries(source)) {
    if (TOKEN_MECHANICS.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
    else if (Array.isArray(value)) {
      kept[name] = value.filter((v): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
    }
  }
  // JSON mode, as a body is masked: a claim is masked by its name (a `password` claim) as well as by its value.
  const json = masker.json(kept);
  const values = json.value as Record<string, ClaimValue>;
  const masked = json.findings.length > 0;
  const result = { values, masked };
  if (!claimsCache.has(masker)) claimsCache.set(masker, new WeakMap());
  claimsCache.get(masker)!.set(source, result);
  return result;
}
