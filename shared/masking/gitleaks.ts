// Loads a gitleaks-format TOML rule pack: `[[rules]]` with regex, keywords, entropy,
// secretGroup and allowlists (legacy `[rules.allowlist]` and `[[rules.allowlists]]`), the
// global `[allowlist]` and `[[allowlists]]` (with targetRules). Regexes are translated from
// RE2 (see re2.ts); a rule that cannot be used is reported with the reason, never thrown.
// File paths are meaningless for a response body, so path-only rules are skipped and
// path conditions never hold.
import { parse } from 'smol-toml';
import { z } from 'zod';
import { backtrackingReason } from './backtracking.js';
import { translateRe2 } from './re2.js';
import type { RegexRule } from './rule.js';
import { secretMayHoldWhitespace } from './secret-extent.js';

export interface RulePack {
  source: string;
  rules: RegexRule[];
  skipped: { id: string; reason: string }[];
  /** Rules that load, with a part that could not be used (an allowlist regex, say). */
  warnings: { id: string; reason: string }[];
}

const stringList = z.array(z.string());

const allowlistSchema = z.looseObject({
  description: z.string().optional(),
  condition: z.enum(['OR', 'AND', 'or', 'and']).optional(),
  regexTarget: z.enum(['secret', 'match', 'line']).optional(),
  regexes: stringList.optional(),
  stopwords: stringList.optional(),
  paths: stringList.optional(),
  commits: stringList.optional(),
  targetRules: stringList.optional(),
});

const ruleSchema = z.looseObject({
  id: z.string().min(1),
  regex: z.string().optional(),
  path: z.string().optional(),
  keywords: stringList.optional(),
  entropy: z.number().optional(),
  secretGroup: z.number().int().min(0).optional(),
  allowlist: allowlistSchema.optional(),
  allowlists: z.array(allowlistSchema).optional(),
  required: z.unknown().optional(),
});

type RawAllowlist = z.infer<typeof allowlistSchema>;

interface Allowlist {
  test(secret: string, match: string, line: () => string): boolean;
}

/** Compiles an allowlist; undefined when it can never hold for a body (path or commit conditions). */
function compileAllowlist(raw: RawAllowlist, problems: string[]): Allowlist | undefined {
  const and = raw.condition?.toUpperCase() === 'AND';
  const hasPathTerms = (raw.paths?.length ?? 0) > 0 || (raw.commits?.length ?? 0) > 0;
  if (and && hasPathTerms) return undefined;
  const regexes: RegExp[] = [];
  for (const source of raw.regexes ?? []) {
    const t = translateRe2(source);
    if (!t.ok) {
      problems.push(`allowlist regex ${JSON.stringify(source)} not used: ${t.reason}`);
      continue;
    }
    try {
      regexes.push(new RegExp(t.source, t.flags));
    } catch (error) {
      problems.push(`allowlist regex ${JSON.stringify(source)} not used: ${(error as Error).message}`);
    }
  }
  const stopwords = (raw.stopwords ?? []).map((w) => w.toLowerCase());
  const shortestStopword = Math.min(...stopwords.map((w) => w.length));
  if (regexes.length === 0 && stopwords.length === 0) return undefined;
  const target = raw.regexTarget ?? 'secret';
  const any = combined(regexes);
  return {
    // Loops, not some(): a text dense with candidates judges one every few characters.
    test(secret, match, line) {
      const subject = target === 'secret' ? secret : target === 'match' ? matchWithLead(match, line) : line();
      let byRegex = false;
      for (let i = 0; i < any.length && !byRegex; i++) byRegex = any[i]!.test(subject);
      if (!and && byRegex) return true;
      let byStopword = false;
      // Lowered, a secret keeps its length unless it holds İ (the one character that lowers
      // to two): shorter than every stopword, it holds none, and is not copied to find out.
      if (stopwords.length > 0 && (secret.length >= shortestStopword || secret.includes('\u0130'))) {
        const lower = secret.toLowerCase();
        for (let i = 0; i < stopwords.length && !byStopword; i++) byStopword = lower.includes(stopwords[i]!);
      }
      if (!and) return byStopword;
      return (regexes.length === 0 || byRegex) && (stopwords.length === 0 || byStopword);
    },
  };
}

/**
 * The end gitleaks' generator gives most token rules: a quote, white space, ';', an escaped
 * line end or the end of the line, which suits files. In a response body a token is as often
 * followed by ',', ')', ']', '}', '<', '>', '|', '&' (JSON, markup, query strings) or a
 * sentence's final '.'; these end it too. The generic rule keeps its own (code follows values).
 */
const TOKEN_END = /\(\?:\[`'"\\s;\]\|\\\\\[(?:nr|nN-NrR-R)\]\|\$\)$/;
const WIDER_END = String.raw`(?:[\x60'"\s;,)\]}<>|&]|\\[nr]|\.(?![A-Za-z0-9_-])|$)`;
const widenTokenEnd = (source: string) => source.replace(TOKEN_END, WIDER_END);

/**
 * The match as gitleaks sees it: the engine drops a rule's leading lazy `[…]{0,n}?` (it only
 * stretches a match leftwards), so a match-target allowlist that names the key (publicKey,
 * key_id) is tested on the match with up to 64 characters of its line before it.
 */
function matchWithLead(match: string, line: () => string): string {
  const text = line();
  const at = text.indexOf(match);
  return at === -1 ? match : text.slice(Math.max(0, at - 64), at + match.length);
}

/**
 * The allowlist's regexes as one alternation per set of flags where they can be (no
 * backreference): a candidate is tested once or twice, not once per regex (the global
 * allowlist holds about twenty, some case-insensitive).
 */
function combined(regexes: RegExp[]): RegExp[] {
  const byFlags = new Map<string, RegExp[]>();
  for (const r of regexes) byFlags.set(r.flags, [...(byFlags.get(r.flags) ?? []), r]);
  return [...byFlags].flatMap(([flags, same]) => {
    if (same.length < 2 || same.some((r) => /\\(?:[1-9]|k<)/.test(r.source))) return same;
    try {
      return [new RegExp(same.map((r) => `(?:${r.source})`).join('|'), flags)];
    } catch {
      return same;
    }
  });
}

function anyHolds(lists: readonly Allowlist[], secret: string, match: string, line: () => string): boolean {
  for (let i = 0; i < lists.length; i++) if (lists[i]!.test(secret, match, line)) return true;
  return false;
}

const describeIssues = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ');

export function loadGitleaksPack(tomlText: string, source = 'gitleaks pack'): RulePack {
  let doc: Record<string, unknown>;
  try {
    doc = parse(tomlText) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new Error(`${source}: not valid TOML: ${message}`);
  }
  const pack: RulePack = { source, rules: [], skipped: [], warnings: [] };

  // Global allowlists: the legacy table applies to every rule, [[allowlists]] to targetRules or all.
  const globalProblems: string[] = [];
  const global: { targets: Set<string> | undefined; list: Allowlist }[] = [];
  const rawGlobals: unknown[] = [
    ...(doc.allowlist !== undefined ? [doc.allowlist] : []),
    ...(Array.isArray(doc.allowlists) ? doc.allowlists : []),
  ];
  for (const raw of rawGlobals) {
    const parsed = allowlistSchema.safeParse(raw);
    if (!parsed.success) {
      pack.warnings.push({ id: '(global allowlist)', reason: describeIssues(parsed.error) });
      continue;
    }
    const list = compileAllowlist(parsed.data, globalProblems);
    if (list) global.push({ targets: parsed.data.targetRules ? new Set(parsed.data.targetRules) : undefined, list });
  }
  for (const reason of globalProblems) pack.warnings.push({ id: '(global allowlist)', reason });

  const rawRules = doc.rules === undefined ? [] : Array.isArray(doc.rules) ? doc.rules : [doc.rules];
  rawRules.forEach((raw, index) => {
    const fallbackId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `rules[${index}]`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      pack.skipped.push({ id: fallbackId, reason: `malformed: ${describeIssues(parsed.error)}` });
      return;
    }
    const rule = parsed.data;
    const skip = (reason: string) => pack.skipped.push({ id: rule.id, reason });
    if (rule.regex === undefined) {
      skip(rule.path !== undefined ? 'matches file paths only; a body has no path' : 'has no regex');
      return;
    }
    if (rule.path !== undefined) {
      skip(`applies only to files whose path matches ${JSON.stringify(rule.path)}; a body has no path`);
      return;
    }
    if (rule.required !== undefined) {
      skip('composite rule ([[rules.required]]) is not supported');
      return;
    }
    const backtracks = backtrackingReason(rule.regex);
    if (backtracks) {
      skip(`regex: ${backtracks}`);
      return;
    }
    const t = translateRe2(rule.regex);
    if (!t.ok) {
      skip(`regex: ${t.reason}`);
      return;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(rule.id === 'generic-api-key' ? t.source : widenTokenEnd(t.source), t.flags);
    } catch (error) {
      skip(`regex: JavaScript rejects the translation: ${(error as Error).message}`);
      return;
    }
    const groups = new RegExp(`${t.source}|`, t.flags).exec('')!.length - 1;
    if (rule.secretGroup !== undefined && rule.secretGroup > groups) {
      skip(`secretGroup ${rule.secretGroup} but the regex has ${groups} group(s)`);
      return;
    }
    const problems: string[] = [];
    const lists = [...(rule.allowlist ? [rule.allowlist] : []), ...(rule.allowlists ?? [])]
      .map((raw) => compileAllowlist(raw, problems))
      .filter((l): l is Allowlist => l !== undefined);
    lists.push(...global.filter((g) => !g.targets || g.targets.has(rule.id)).map((g) => g.list));
    for (const reason of problems) pack.warnings.push({ id: rule.id, reason });

    pack.rules.push({
      id: rule.id,
      keywords: (rule.keywords ?? []).map((k) => k.toLowerCase()),
      regex,
      // gitleaks: 0 or unset means "the first non-empty group".
      ...(rule.secretGroup ? { secretGroup: rule.secretGroup } : {}),
      ...(rule.entropy !== undefined ? { entropy: rule.entropy } : {}),
      // A stream need hold back only the last word for a secret that holds no whitespace.
      ...(secretMayHoldWhitespace(regex, rule.secretGroup || undefined) ? {} : { extent: 'line' as const }),
      ...(lists.length > 0 ? { allow: (secret, match, line) => anyHolds(lists, secret, match, line) } : {}),
    });
  });
  return pack;
}
