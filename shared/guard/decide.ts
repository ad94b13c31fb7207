// decide: (principal, connection, operation, policy) → allow | deny | review, with the deciding
// rule and a reason. Pure. Every matching rule is considered; the most restrictive wins
// (deny > review > allow) and, among equals, the first in policy order. No match falls to the
// connection's default, which is deny unless the policy says otherwise. Rules with a `toolCalls`
// match judge the tool calls a model proposes (decideToolCall), never a request.
import type { Tier } from '../connections/credential-schema.js';
import type { ProposedToolCall } from '../connections/tool-calls.js';
import { tierFor, type Operation } from '../connections/operation.js';
import { normalizeRuleText, ruleText } from '../connections/rule-text.js';
import type { Principal } from '../identity/principal.js';
import { jsonPathText, selectJsonPath } from '../policy/json-path.js';
import type { Action, CompiledMatch, CompiledRule, NamedConnection, Policy, ReviewRequirement } from '../policy/compile.js';
import type { TextPattern } from '../policy/glob.js';

/**
 * What `body` patterns answered for an operation's text, worked out ahead (the gateway does it
 * one pattern per turn of the event loop, within the request's inspection budget).
 */
export type KnownTextMatches = ReadonlyMap<TextPattern, boolean>;

export interface Decision {
  action: Action;
  /** The deciding rule's name, or the guard's own: `default`, `connection-groups`. */
  rule: string;
  reason: string;
  review?: ReviewRequirement;
  /**
   * The credential tier the request runs with if carried out: its operation's (read-only: read,
   * else write) unless the deciding rule names one; `admin` only by a review rule's `elevate`,
   * once approved.
   */
  tier: Tier;
}

const RANK: Record<Action, number> = { allow: 1, review: 2, deny: 3 };

export function decide(principal: Principal, connection: NamedConnection, operation: Operation, policy: Policy, known?: KnownTextMatches): Decision {
  const allowedGroups = connection.config.groups;
  if (allowedGroups && !allowedGroups.some((g) => principal.groups.includes(g))) {
    return {
      action: 'deny',
      rule: 'connection-groups',
      reason: `Connection "${connection.name}" is limited to the groups ${allowedGroups.join(', ')}`,
      tier: tierFor(operation),
    };
  }

  // A connection may deny flags outright (an ssh command the parser could not read), whatever the rules say.
  const denied = 'denyFlags' in connection.config ? operation.flags.filter((f) => (connection.config as { denyFlags: string[] }).denyFlags.includes(f)) : [];
  if (denied.length > 0) {
    return { action: 'deny', rule: 'connection-flags', reason: `Connection "${connection.name}" denies ${denied.join(', ')} (${operation.summary})`, tier: tierFor(operation) };
  }

  let winner: CompiledRule | undefined;
  for (const rule of policy.rules) {
    if (rule.match.toolCalls) continue;
    if ((!winner || RANK[rule.action] > RANK[winner.action]) && matches(rule.match, principal, connection.name, operation, known)) {
      winner = rule;
      if (rule.action === 'deny') break;
    }
  }

  if (!winner) {
    const action = connection.config.default;
    return {
      action,
      rule: 'default',
      reason: `No rule matched ${operation.summary}; the default for "${connection.name}" is ${action}`,
      review: action === 'review' ? connection.defaultReview : undefined,
      tier: tierFor(operation),
    };
  }
  return {
    action: winner.action,
    rule: winner.name,
    reason: winner.message ?? `Rule "${winner.name}" decided ${winner.action}`,
    review: winner.review,
    tier: (winner.action === 'review' && winner.review?.elevate) || winner.tier || tierFor(operation),
  };
}

/** The `body` patterns of the request rules that may judge a request on `connection`. */
export function bodyPatterns(connection: NamedConnection, policy: Policy): TextPattern[] {
  return policy.rules.flatMap((rule) =>
    rule.match.body && !rule.match.toolCalls && (!rule.match.connections || rule.match.connections.some((g) => g.test(connection.name))) ? [rule.match.body] : [],
  );
}

/**
 * Whether a rule may hold an answer on `connection` for review because of a tool call it proposes:
 * only then can an approved answer wait for the request to be sent again.
 */
export function mayReviewToolCalls(connection: NamedConnection, policy: Policy): boolean {
  return policy.rules.some((rule) => rule.match.toolCalls && rule.action === 'review' && (!rule.match.connections || rule.match.connections.some((g) => g.test(connection.name))));
}

/**
 * A tool call the model proposes in its answer to `operation`: judged by the rules with a
 * `toolCalls` match (most restrictive wins, as for requests); none matching passes it — the
 * request it answers was already judged.
 */
export function decideToolCall(principal: Principal, connection: NamedConnection, operation: Operation, call: ProposedToolCall, policy: Policy): Decision {
  let winner: CompiledRule | undefined;
  let input: string | undefined;
  for (const rule of policy.rules) {
    const target = rule.match.toolCalls;
    if (!target || (winner && RANK[rule.action] <= RANK[winner.action])) continue;
    if (target.names && !target.names.some((g) => g.test(normalizeRuleText(call.name)))) continue;
    if (target.input && !target.input.test((input ??= toolInputText(call.input)))) continue;
    if (!matches(rule.match, principal, connection.name, operation)) continue;
    winner = rule;
    if (rule.action === 'deny') break;
  }
  if (!winner) return { action: 'allow', rule: 'default', reason: `No tool-call rule matched a call of "${call.name}"`, tier: tierFor(operation) };
  return {
    action: winner.action,
    rule: winner.name,
    reason: winner.message ?? `Rule "${winner.name}" decided ${winner.action} for a call of "${call.name}"`,
    review: winner.review,
    tier: tierFor(operation),
  };
}

/**
 * The text a tool-call rule's `input` sees: the input as JSON, then each of its string values on a
 * line of its own, so that a command reads as the shell will run it (no JSON escapes), normalised
 * as request text is.
 */
export function toolInputText(input: unknown): string {
  if (typeof input === 'string') return normalizeRuleText(input);
  const strings: string[] = [];
  const stack = [input];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') strings.push(value);
    else if (value !== null && typeof value === 'object') stack.push(...Object.values(value).reverse());
  }
  return normalizeRuleText([JSON.stringify(input) ?? '', ...strings].join('\n'));
}

export function matches(match: CompiledMatch, principal: Principal, connection: string, op: Operation, known?: KnownTextMatches): boolean {
  if (match.connections && !match.connections.some((g) => g.test(connection))) return false;
  if (match.groups && !match.groups.some((g) => principal.groups.includes(g))) return false;
  if (match.issuers && !match.issuers.includes(principal.issuer)) return false;
  if (match.subjects && !match.subjects.some((g) => g.test(principal.subject))) return false;
  if (match.kind && principal.kind !== match.kind) return false;
  if (match.claims && !match.claims.every(({ name, globs }) => claimValues(principal.claims[name]).some((v) => globs.some((g) => g.test(v))))) {
    return false;
  }
  if (match.methods && !match.methods.includes(op.method)) return false;
  if (match.paths && !match.paths.some((g) => g.test(op.path))) return false;
  if (match.query && !match.query.test(op.query)) return false;
  if (match.headers && !match.headers.every(({ name, pattern }) => op.headers[name] !== undefined && pattern.test(op.headers[name]))) {
    return false;
  }
  if (match.body && !(known?.get(match.body) ?? match.body.test(ruleText(op)))) return false;
  if (match.actions && !covers(match.coverAll, op.actions, (a) => match.actions!.some((g) => g.test(a)))) return false;
  if (match.resources && !covers(match.coverAll, op.resources, (r) => match.resources!.some((g) => g.test(r)))) return false;
  if (match.flags && !match.flags.some((f) => op.flags.includes(f))) return false;
  if (match.arguments) {
    // Without arguments (a list, or another kind) an arguments match never applies.
    if (op.arguments === undefined) return false;
    if (!match.arguments.every(({ path, pattern }) => selectJsonPath(op.arguments, path).some((v) => pattern.test(jsonPathText(v))))) return false;
  }
  if (match.commands && !covers(match.coverAll, op.commands ?? [], (command) => match.commands!.some((c) => commandMatches(c, command)))) return false;
  return true;
}

/**
 * An allow rule covers a list only when it covers each item, and there is one: an operation that
 * also does what the rule does not name is not allowed by it. Deny and review rules need one.
 */
function covers<T>(all: boolean | undefined, items: readonly T[], matched: (item: T) => boolean): boolean {
  return all ? items.length > 0 && items.every(matched) : items.some(matched);
}

function commandMatches(match: NonNullable<CompiledMatch['commands']>[number], command: NonNullable<Operation['commands']>[number]): boolean {
  const name = command.program.slice(command.program.lastIndexOf('/') + 1);
  if (match.programs && !match.programs.some((g) => g.test(name) || g.test(command.program))) return false;
  return !match.args || match.args.test(command.args.join(' '));
}

function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => typeof v !== 'object').map(String);
  if (value === undefined || value === null || typeof value === 'object') return [];
  return [String(value)];
}
