// createMasker: compiles the built-in rules, the policy's own, the packs and the PII kinds
// into one engine, once; the masker's methods are the modes the gateway uses.
import { assignments } from './assignments.js';
import { maskingConfigSchema, type CustomRule, type MaskingConfig, type MaskingConfigInput } from './config.js';
import { SENSITIVE_KEY_RULE, type Core } from './core.js';
import { Engine } from './engine.js';
import type { RulePack } from './gitleaks.js';
import { maskJsonText } from './json-text.js';
import { maskJsonValue } from './json-value.js';
import { maskMultipart, multipartBoundary } from './multipart.js';
import { withLiterals, type SecretLiteral } from './literals.js';
import { Base64Detector } from './decoded-base64.js';
import { DecodingDetector } from './decoded-view.js';
import { WholeKeyBlocks } from './pem-blocks.js';
import { redact, type Finding } from './redact.js';
import { translateRe2 } from './re2.js';
import type { RegexRule, Replacement, ScanRule } from './rule.js';
import { quotedMembers } from './quoted-members.js';
import { KUBERNETES_SECRET_RULE, kubernetesSecrets } from './kubernetes-secrets.js';
import { PGPASS_RULE, pgpass } from './pgpass.js';
import { gitleaksDefaultRules } from './rules/builtin.js';
import { piiRules } from './rules/pii.js';
import { secretRules } from './rules/secrets.js';
import { DEFAULT_SENSITIVE_KEYS, keyFilter, keyMatcher } from './sensitive-keys.js';
import { TextStreamMasker, type StreamMasker } from './stream.js';
import { SseMasker } from './sse.js';

export interface Masker {
  /** Rules in force: regex rules, PII scanners and the sensitive-key rule. */
  readonly ruleCount: number;
  /**
   * What the modes share, detection and the sensitive-key rule, when JSON mode is exactly
   * theirs: sliced.ts masks a large JSON body with it. A wrapper that masks JSON its own way
   * (ARM's) leaves it out, and its large bodies are masked as its streams are.
   */
  readonly core?: Core;
  text(input: string): { text: string; findings: Finding[] };
  /** Parsed JSON in, same-shaped JSON out. */
  json(value: unknown, path?: string): { value: unknown; findings: Finding[] };
  /**
   * JSON mode when the body is JSON (or the content type says so and it parses), else text mode;
   * an event stream (text/event-stream) that is not one JSON document is masked as it is streamed.
   */
  auto(body: string, contentType?: string): { text: string; findings: Finding[] };
  /** Incremental text masking (one per stream, or per choice of an LLM delta stream). */
  stream(): StreamMasker;
  /** As stream(), with finding locations named by `locate` (e.g. relative to an SSE line). */
  streamAt(locate: (offset: number) => string): StreamMasker;
  /**
   * This masker, plus each secret's exact value masked wherever it occurs, in every mode, as
   * `[MASKED:<rule>]`; for one answer (e.g. the credential sent for it), so no rule is
   * recompiled. Values shorter than MIN_SECRET_LITERAL are ignored.
   */
  withSecrets(secrets: readonly SecretLiteral[]): Masker;
}

const toReplacement = (r: 'full' | { keep: number } | undefined): Replacement | undefined =>
  r === undefined ? undefined : r === 'full' ? { kind: 'full' } : { kind: 'keep', keep: r.keep };

function customRule(rule: CustomRule): RegexRule {
  const t = translateRe2(rule.regex);
  // The schema has already checked that the regex translates and compiles.
  if (!t.ok) throw new Error(`masking rule ${rule.id}: ${t.reason}`);
  const replacement = toReplacement(rule.replacement);
  return {
    id: rule.id,
    keywords: (rule.keywords ?? []).map((k) => k.toLowerCase()),
    regex: new RegExp(t.source, t.flags),
    ...(rule.secretGroup !== undefined && { secretGroup: rule.secretGroup }),
    ...(rule.entropy !== undefined && { entropy: rule.entropy }),
    ...(replacement && { replacement }),
  };
}

export function createMasker(config?: MaskingConfig | MaskingConfigInput, packs: readonly RulePack[] = []): Masker {
  const cfg = maskingConfigSchema.parse(config ?? {});
  const disabled = new Set(cfg.disabled);
  const override = (id: string) => toReplacement(cfg.replacements[id]);
  const withReplacement = <R extends RegexRule | ScanRule>(rule: R): R => {
    const replacement = override(rule.id) ?? rule.replacement;
    return replacement ? { ...rule, replacement } : rule;
  };

  // The project's rules first (on a tie, the first rule names the span), then the policy's, then
  // gitleaks' default pack, less any rule a pack given here redefines (the same pack, loaded again).
  const packed = packs.flatMap((p) => p.rules);
  const redefined = new Set(packed.map((r) => r.id));
  const gitleaks = gitleaksDefaultRules().filter((r) => !redefined.has(r.id));
  const regexRules = [...secretRules, ...cfg.rules.map(customRule), ...gitleaks, ...packed]
    .filter((r) => !disabled.has(r.id))
    .map(withReplacement);
  const keys = cfg.sensitiveKeys;
  const sensitiveOn = !disabled.has(SENSITIVE_KEY_RULE);
  const names = keys.mode === 'replace' ? keys.names : [...DEFAULT_SENSITIVE_KEYS, ...keys.names];
  const isSensitiveKey = sensitiveOn ? keyMatcher(names, keys.ignore) : undefined;
  const mayBeSensitiveKey = keyFilter(names);
  const sensitiveReplacement = override(SENSITIVE_KEY_RULE) ?? { kind: 'full' as const };

  // The sensitive keys reach text too, as quoted members ("password": "…" in a log line) and
  // assignments (password = "…", DB_PASSWORD=… in an env file); it is the same rule as JSON
  // mode's, and counted once.
  const scanRules = [
    ...piiRules(cfg.pii).filter((r) => !disabled.has(r.id)).map(withReplacement),
    ...(disabled.has(KUBERNETES_SECRET_RULE) ? [] : [kubernetesSecrets(override(KUBERNETES_SECRET_RULE))]),
    ...(disabled.has(PGPASS_RULE) ? [] : [pgpass(override(PGPASS_RULE))]),
    ...(isSensitiveKey
      ? [quotedMembers(names, isSensitiveKey, mayBeSensitiveKey, sensitiveReplacement), assignments(names, isSensitiveKey, mayBeSensitiveKey, sensitiveReplacement)]
      : []),
  ];
  const engine = new Engine(regexRules, scanRules);
  const core: Core = {
    // The rules read escaped secrets decoded too (decoded-view.ts), base64 decoded (decoded-base64.ts), and key blocks whole (pem-blocks.ts).
    engine: new WholeKeyBlocks(new Base64Detector(new DecodingDetector(engine))),
    isSensitiveKey,
    mayBeSensitiveKey,
    sensitiveReplacement,
    ...(!disabled.has(KUBERNETES_SECRET_RULE) && { kubernetesSecret: override(KUBERNETES_SECRET_RULE) ?? { kind: 'full' as const } }),
  };
  return maskerOf(core, engine.ruleCount);
}

/** The modes over a compiled core. */
function maskerOf(core: Core, ruleCount: number): Masker {
  const { engine } = core;
  const text = (input: string) => {
    const findings: Finding[] = [];
    const masked = redact(input, engine.detect(input), (offset) => `offset:${offset}`, findings);
    return { text: masked, findings };
  };

  const masker: Masker = {
    ruleCount,
    core,
    text,
    json(value, path = '$') {
      const findings: Finding[] = [];
      return { value: maskJsonValue(value, core, path, findings), findings };
    },
    auto(body, contentType) {
      const boundary = multipartBoundary(contentType);
      const parts = boundary === undefined ? undefined : maskMultipart(body, boundary, masker);
      if (parts) return parts;
      const { guard, json } = splitGuard(body);
      if (jsonMode(json, contentType)) {
        const masked = maskJsonText(json, core);
        if (masked) return guarded(guard, masked);
      }
      // An event stream read whole (not one JSON document) is masked as it is streamed: a secret split over its deltas is joined.
      if (isEventStream(contentType)) {
        const events = new SseMasker(masker);
        const masked = events.push(body) + events.end();
        return { text: masked, findings: events.findings };
      }
      return text(body);
    },
    stream: () => new TextStreamMasker(engine),
    streamAt: (locate) => new TextStreamMasker(engine, locate),
    withSecrets(secrets) {
      const added = withLiterals(core, secrets);
      return added ? maskerOf(added.core, ruleCount + added.rules) : masker;
    },
  };
  return masker;
}

/**
 * An event stream's content type, which auto() masks event by event, as it is streamed. (Not
 * NDJSON: its lines are as often records of their own, a bulk upload's, as pieces of one answer.)
 */
const EVENT_STREAM = /^\s*text\/event-stream\b/i;
export const isEventStream = (contentType: string | undefined): boolean => contentType !== undefined && EVENT_STREAM.test(contentType);

/**
 * What some servers write before a JSON body, JSON itself after it: a byte order mark (PowerShell's
 * files), an anti-XSSI guard ()]}' as Google's APIs send it, while(1); for(;;);). Read as text, the
 * body's escapes (\u0067hp_…) would hide what JSON mode decodes.
 */
const JSON_GUARD = /^(?:\uFEFF|\)\]\}',?[ \t]*\r?\n?|while\(1\);|for\(;;\);)/;

/** The guard before a JSON body (JSON_GUARD; '' when there is none), and what follows it. */
export function splitGuard(body: string): { guard: string; json: string } {
  const c = body.charCodeAt(0);
  const guard = c === 0xfeff || c === 41 || c === 119 || c === 102 ? (JSON_GUARD.exec(body)?.[0] ?? '') : '';
  return { guard, json: guard === '' ? body : body.slice(guard.length) };
}

/** What masking the JSON after `guard` returned, the guard written back before it. */
export function guarded(guard: string, masked: { text: string; findings: Finding[] }): { text: string; findings: Finding[] } {
  return guard === '' ? masked : { text: guard + masked.text, findings: masked.findings };
}

/** Whether auto() tries JSON mode: the body looks like JSON, or its content type says it is. */
export function jsonMode(body: string, contentType: string | undefined): boolean {
  return looksLikeJsonBody(body) || (contentType !== undefined && /\bjson\b|\+json/i.test(contentType));
}

function looksLikeJsonBody(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    return c === 123 || c === 91 || c === 34;
  }
  return false;
}

