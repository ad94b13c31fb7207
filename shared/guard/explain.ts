// explain: the same judgement as decide, with its working shown — every rule, whether it matched,
// the first field of its match that did not (and why), and why the winner won. Pure, and off the
// hot path: the gateway calls decide; `portcullis policy explain` and `policy test` call this.
// One source of truth: each field is tested by decide's own `matches` over a match holding only
// that field, and the decision itself is decide's.
import type { Operation } from '../connections/operation.js';
import type { Principal } from '../identity/principal.js';
import type { Action, CompiledMatch, CompiledRule, NamedConnection, Policy } from '../policy/compile.js';
import type { MatchDocument } from '../policy/schema.js';
import { decide, matches, type Decision } from './decide.js';

export interface RuleTrace {
  name: string;
  action: Action;
  matched: boolean;
  /** The first field of the match that did not fit, as the policy names it, and why: `method`, `GET not in [POST]`. */
  mismatch?: { field: string; why: string };
}

export interface Explanation {
  /** The connection's group gate, when it has one: checked before any rule. */
  gate?: { groups: string[]; passed: boolean };
  rules: RuleTrace[];
  decision: Decision;
  /** Why the decision is what it is, in a sentence. */
  why: string;
}

/** The fields of a compiled match that are conditions (coverAll only says how lists apply). */
type MatchField = Exclude<keyof CompiledMatch, 'coverAll'>;

/** One field of a match on its own, with what says how it applies. */
const only = (match: CompiledMatch, key: MatchField): CompiledMatch => ({ [key]: match[key], coverAll: match.coverAll });

/** Fields in the order decide's `matches` tests them, with the name the policy gives them. */
const FIELDS: Array<[MatchField, keyof MatchDocument]> = [
  ['connections', 'connections'],
  ['groups', 'groups'],
  ['issuers', 'issuers'],
  ['subjects', 'subjects'],
  ['kind', 'kind'],
  ['claims', 'claims'],
  ['methods', 'method'],
  ['paths', 'path'],
  ['query', 'query'],
  ['headers', 'headers'],
  ['body', 'body'],
  ['actions', 'actions'],
  ['resources', 'resources'],
  ['flags', 'flags'],
  ['arguments', 'arguments'],
  ['toolCalls', 'toolCalls'],
  ['commands', 'command'],
];

export function explain(principal: Principal, connection: NamedConnection, operation: Operation, policy: Policy): Explanation {
  const decision = decide(principal, connection, operation, policy);
  const rules = policy.rules.map((rule) => traceRule(rule, principal, connection.name, operation));
  const groups = connection.config.groups;
  const gate = groups ? { groups, passed: groups.some((g) => principal.groups.includes(g)) } : undefined;
  return { gate, rules, decision, why: whyDecided(decision, rules, connection, gate) };
}

function traceRule(rule: CompiledRule, principal: Principal, connection: string, op: Operation): RuleTrace {
  const matched = matches(rule.match, principal, connection, op);
  const trace: RuleTrace = { name: rule.name, action: rule.action, matched };
  for (const [key, field] of FIELDS) {
    if (rule.match[key] === undefined) continue;
    if (matches(only(rule.match, key), principal, connection, op)) continue;
    trace.mismatch = { field, why: why(rule, key, field, principal, connection, op) };
    break;
  }
  // Each field is decide's own test, so a whole match fails exactly when one field does.
  if (matched === (trace.mismatch !== undefined)) throw new Error(`explain disagrees with decide on rule "${rule.name}"`);
  return trace;
}

function why(rule: CompiledRule, key: MatchField, field: keyof MatchDocument, principal: Principal, connection: string, op: Operation): string {
  const written = rule.source?.[field];
  const shown = (fallback: Array<string | RegExp>) => `[${(written === undefined ? fallback : listOf(written)).map(String).join(', ')}]`;
  const m = rule.match;
  switch (key) {
    case 'connections':
      return `${connection} not in ${shown(m.connections!)}`;
    case 'groups':
      return `[${principal.groups.join(', ')}] has none of ${shown(m.groups!)}`;
    case 'issuers':
      return `${principal.issuer} not in ${shown(m.issuers!)}`;
    case 'subjects':
      return `${quote(principal.subject)} matches none of ${shown(m.subjects!)}`;
    case 'kind':
      return `${principal.kind}, not ${m.kind}`;
    case 'claims': {
      const failing = m.claims!.find((claim) => !matches({ claims: [claim] }, principal, connection, op))!;
      const globs: Array<string | RegExp> = listOf<string | RegExp>(rule.source?.claims?.[failing.name] ?? failing.globs);
      const value = principal.claims[failing.name];
      const wanted = `[${globs.map(String).join(', ')}]`;
      return value === undefined ? `${failing.name} is absent (wanted ${wanted})` : `${failing.name}: ${JSON.stringify(value)} matches none of ${wanted}`;
    }
    case 'methods':
      return `${op.method} not in ${shown(m.methods!)}`;
    case 'paths':
      return `${op.path || '(none)'} matches none of ${shown(m.paths!)}`;
    case 'query':
      return `${quote(op.query)} does not match /${rule.source?.query ?? m.query!.source}/`;
    case 'headers': {
      const failing = m.headers!.find((header) => !matches({ headers: [header] }, principal, connection, op))!;
      const pattern = Object.entries(rule.source?.headers ?? {}).find(([name]) => name.toLowerCase() === failing.name)?.[1] ?? failing.pattern.source;
      const value = op.headers[failing.name];
      return value === undefined ? `${failing.name} is absent (wanted /${pattern}/)` : `${failing.name}: ${quote(value)} does not match /${pattern}/`;
    }
    case 'body':
      // The text may hold what masking would hide: its size is shown, never its content.
      return `the text (${op.text.length} characters) does not match /${rule.source?.body ?? m.body!.source}/`;
    case 'actions':
      return m.coverAll
        ? `not every action of [${op.actions.join(', ')}] matches ${shown(m.actions!)} (an allow rule must cover them all)`
        : `[${op.actions.join(', ')}] match none of ${shown(m.actions!)}`;
    case 'resources':
      return m.coverAll
        ? `not every resource of [${op.resources.join(', ')}] matches ${shown(m.resources!)} (an allow rule must cover them all)`
        : `[${op.resources.join(', ')}] match none of ${shown(m.resources!)}`;
    case 'flags':
      return `[${op.flags.join(', ')}] has none of ${shown(m.flags!)}`;
    case 'arguments': {
      // Like the body, the arguments may hold secrets: the path that failed is named, not the value.
      const failing = m.arguments!.find((arg) => !matches({ arguments: [arg] }, principal, connection, op))!;
      const path = Object.keys(rule.source?.arguments ?? {})[m.arguments!.indexOf(failing)] ?? '(path)';
      return op.arguments === undefined ? 'the request has no arguments' : `arguments at ${path} do not match /${failing.pattern.source}/`;
    }
    case 'toolCalls':
      return 'a rule on the tool calls a model proposes, not on requests';
    case 'commands':
      // Arguments may hold what masking would hide: the programs are shown, never the arguments.
      return m.coverAll
        ? `not every program of [${(op.commands ?? []).map((c) => c.program).join(', ')}] matches ${JSON.stringify(rule.source?.command)} (an allow rule must cover them all)`
        : `none of the programs [${(op.commands ?? []).map((c) => c.program).join(', ')}] matches ${JSON.stringify(rule.source?.command)}`;
  }
}

function whyDecided(decision: Decision, rules: RuleTrace[], connection: NamedConnection, gate: Explanation['gate']): string {
  if (gate && !gate.passed) {
    return `the principal is in none of the groups [${gate.groups.join(', ')}] that connection ${connection.name} is limited to; rules are not consulted`;
  }
  const matched = rules.filter((r) => r.matched);
  if (decision.rule === 'connection-flags') return `${decision.reason}; rules are not consulted`;
  if (decision.rule === 'default') {
    const set = connection.config.default;
    return `no rule matched; the default of connection ${connection.name} is ${set}${set === 'deny' ? ' (deny unless the policy sets another default)' : ''}`;
  }
  const others = matched.filter((r) => r.name !== decision.rule);
  const weaker = others.filter((r) => r.action !== decision.action);
  const equal = others.filter((r) => r.action === decision.action);
  const parts: string[] = [];
  if (others.length === 0) parts.push('the only rule that matched');
  if (weaker.length > 0) parts.push(`${decision.action} beats ${[...new Set(weaker.map((r) => r.action))].join(' and ')} (deny > review > allow) over ${weaker.map((r) => r.name).join(', ')}`);
  if (equal.length > 0) parts.push(`first in policy order among the ${decision.action} rules that matched (also ${equal.map((r) => r.name).join(', ')})`);
  return parts.join('; ');
}

const listOf = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const quote = (text: string) => JSON.stringify(text);
