// JSON mode over parsed values: the same masking as over JSON text, for callers that already
// hold the value. Returns a new value of the same shape; the input is not changed.
import type { Core } from './core.js';
import { SENSITIVE_KEY_RULE } from './core.js';
import { declaresValue, isDeclaration } from './declarations.js';
import { distinctKey } from './distinct-keys.js';
import { childPath, reroot } from './json-path.js';
import { isFloat, KEY_VAULT_SECRET, MAX_PAIR_NAME, maskJsonText, maskString, PAIR_NAMES } from './json-text.js';
import { isApiObject, KUBERNETES_SECRET_RULE, LAST_APPLIED, SECRET_FIELDS } from './kubernetes-secrets.js';
import { MAX_JSON_DEPTH } from './limits.js';
import { findingFor, redact, replacementText, type Finding } from './redact.js';
import { standsIn } from './rules/filters.js';

const UNREADABLE = '[MASKED:unreadable]';

export function maskJsonValue(value: unknown, core: Core, path: string, findings: Finding[]): unknown {
  return walk(value, core, path, false, 0, { findings, open: new Set(), apiObject: isApiObject(value) });
}

interface WalkState {
  findings: Finding[];
  /** The objects and arrays being walked: one met again is a cycle. */
  open: Set<object>;
  /** The value is a Kubernetes object, or a list of them (isApiObject). */
  apiObject: boolean;
}

/** `byName`: sensitive by its own key alone, not by its container (see inheritsSensitive in json-text.ts). */
function walk(value: unknown, core: Core, path: string, sensitive: boolean, depth: number, state: WalkState, byName = false): unknown {
  const { findings, open } = state;
  if (typeof value === 'string') {
    if (!sensitive || (byName && standsIn(value))) return maskString(value, core, path, 0, findings);
    findings.push(findingFor(SENSITIVE_KEY_RULE, path, value));
    return replacementText(SENSITIVE_KEY_RULE, core.sensitiveReplacement, value);
  }
  if (typeof value === 'number') {
    const text = String(value);
    if (sensitive) {
      findings.push(findingFor(SENSITIVE_KEY_RULE, path, text));
      return replacementText(SENSITIVE_KEY_RULE, core.sensitiveReplacement, text);
    }
    const spans = isFloat(text) ? [] : core.engine.detect(text);
    return spans.length === 0 ? value : redact(text, spans, () => path, findings);
  }
  if (value === null || typeof value !== 'object') return value;
  // In a Kubernetes object, what a sensitive key holds as an object or array is the API's structure.
  const inherited = sensitive && !state.apiObject;
  // Cycles are not JSON; deep trees go through the iterative text masker.
  if (open.has(value)) return UNREADABLE;
  if (depth >= MAX_JSON_DEPTH) return throughText(value, core, path, findings);
  open.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item, index) => walk(item, core, childPath(path, index), inherited, depth + 1, state));
    }
    if (core.kubernetesSecret && (value as { kind?: unknown }).kind === 'Secret') return kubernetesSecret(value as Record<string, unknown>, core, path, depth, state);
    // A SecretList's items are Secrets, though the API server writes them without a kind.
    const secretList = core.kubernetesSecret !== undefined && (value as { kind?: unknown }).kind === 'SecretList';
    const out: Record<string, unknown> = {};
    // A Key Vault secret bundle: its string `value` is the secret (KEY_VAULT_SECRET in json-text.ts).
    const id = (value as { id?: unknown }).id;
    const bundle = core.isSensitiveKey !== undefined && typeof id === 'string' && KEY_VAULT_SECRET.test(id);
    // A name/value pair whose name is sensitive (PAIR_NAMES in json-text.ts).
    const { isSensitiveKey } = core;
    const named =
      isSensitiveKey !== undefined &&
      PAIR_NAMES.some((member) => {
        const name = (value as Record<string, unknown>)[member];
        return typeof name === 'string' && name.length <= MAX_PAIR_NAME && isSensitiveKey(name);
      });
    // Under a sensitive key, a schema or a template parameter keeps its words (declarations.ts).
    const declared = sensitive && isDeclaration(value as Record<string, unknown>);
    for (const [key, item] of Object.entries(value)) {
      const { maskedKey, at } = maskKey(key, value, out, core, path, findings);
      const fromContainer = declared ? declaresValue(key) : inherited;
      const keySensitive =
        fromContainer ||
        (core.isSensitiveKey !== undefined && core.isSensitiveKey(key)) ||
        (key === 'value' && (named || (bundle && typeof item === 'string')));
      if (secretList && key === 'items' && Array.isArray(item)) {
        out[maskedKey] = item.map((x, i) => (isRecord(x) ? kubernetesSecret(x, core, childPath(at, i), depth + 2, state) : walk(x, core, childPath(at, i), false, depth + 2, state)));
        continue;
      }
      out[maskedKey] = walk(item, core, at, keySensitive, depth + 1, state, !fromContainer);
    }
    return out;
  } finally {
    open.delete(value);
  }
}

/**
 * A key of `object` masked, kept apart from the keys of `out` and `object` (two masked alike, or
 * one masked as another is named, stay two keys); `at`, its path: named by the key as masked, in
 * its own findings and below it, as the raw key may be the secret.
 */
function maskKey(key: string, object: object, out: object, core: Core, path: string, findings: Finding[]): { maskedKey: string; at: string } {
  const keyFindings: Finding[] = [];
  const raw = childPath(path, key);
  const masked = maskString(key, core, raw, MAX_JSON_DEPTH, keyFindings);
  const maskedKey = masked === key ? key : distinctKey(masked, (k) => Object.hasOwn(out, k) || Object.hasOwn(object, k));
  const at = maskedKey === key ? raw : childPath(path, maskedKey);
  for (const f of keyFindings) findings.push({ ...f, location: reroot(f.location, raw, at) });
  return { maskedKey, at };
}

/**
 * A Kubernetes Secret: each string under its `data` and `stringData`, and the last-applied
 * annotation that repeats them, masked whole (kubernetes-secrets.ts); the rest as any object's.
 */
function kubernetesSecret(secret: Record<string, unknown>, core: Core, path: string, depth: number, state: WalkState): unknown {
  const whole = (value: string, at: string) => {
    state.findings.push(findingFor(KUBERNETES_SECRET_RULE, at, value));
    return replacementText(KUBERNETES_SECRET_RULE, core.kubernetesSecret!, value);
  };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(secret)) {
    const at = childPath(path, key);
    if (SECRET_FIELDS.includes(key) && isRecord(item)) {
      // Its keys are masked as any object's are (a token may name an entry), its values whole.
      const entries: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(item)) {
        const { maskedKey, at: entry } = maskKey(name, item, entries, core, at, state.findings);
        entries[maskedKey] = typeof v === 'string' ? whole(v, entry) : walk(v, core, entry, false, depth + 2, state);
      }
      out[key] = entries;
      continue;
    }
    const annotations = key === 'metadata' && isRecord(item) && isRecord(item.annotations) ? item.annotations : undefined;
    const applied = annotations?.[LAST_APPLIED];
    if (typeof applied !== 'string') {
      out[key] = walk(item, core, at, false, depth + 1, state);
      continue;
    }
    const metadata = walk({ ...(item as object), annotations: { ...annotations, [LAST_APPLIED]: '' } }, core, at, false, depth + 1, state) as Record<string, Record<string, unknown>>;
    metadata.annotations![LAST_APPLIED] = whole(applied, childPath(childPath(at, 'annotations'), LAST_APPLIED));
    out[key] = metadata;
  }
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function throughText(value: object, core: Core, path: string, findings: Finding[]): unknown {
  try {
    const masked = maskJsonText(JSON.stringify(value), core, path);
    if (!masked) return UNREADABLE;
    findings.push(...masked.findings);
    return JSON.parse(masked.text);
  } catch {
    return UNREADABLE;
  }
}
