// What a list shows of one item (a tool, a prompt, a resource): every decision its call could
// get, whatever the call's arguments. A listing has no arguments, so a rule that looks at them
// (`arguments`, `body`, or the agent's `headers`) may or may not match a call: it counts as one
// that may. An item is hidden only when every outcome is deny, and marked as needing approval
// when review is one of them; a client that only calls what it was shown (Claude Code) can then
// make every call the policy allows.
import type { Operation } from '../../connections/operation.js';
import { decide, matches } from '../../guard/decide.js';
import type { Principal } from '../../identity/index.js';
import type { Visibility } from '../../connections/mcp/answers.js';
import type { Action, CompiledMatch, NamedConnection, Policy } from '../../policy/compile.js';

const RANK: Record<Action, number> = { allow: 1, review: 2, deny: 3 };

/** What a call decides by, that a listing does not know. */
const PER_CALL = ['arguments', 'body', 'headers'] as const satisfies ReadonlyArray<keyof CompiledMatch>;

/** The actions a call of the listed item may be decided with (`operation` is the call without its arguments). */
export function possibleOutcomes(principal: Principal, connection: NamedConnection, operation: Operation, policy: Policy): Set<Action> {
  // The connection's own gates (groups, denied flags) and its default, as no rule matched.
  const bare = decide(principal, connection, operation, { ...policy, rules: [] });
  if (bare.rule !== 'default') return new Set([bare.action]);
  let surely: Action | undefined;
  const maybe: Action[] = [];
  for (const rule of policy.rules) {
    if (rule.match.toolCalls) continue;
    const perCall = PER_CALL.some((field) => rule.match[field] !== undefined);
    const rest = perCall ? { ...rule.match, arguments: undefined, body: undefined, headers: undefined } : rule.match;
    if (!matches(rest, principal, connection.name, operation)) continue;
    if (!perCall) surely = surely === undefined || RANK[rule.action] > RANK[surely] ? rule.action : surely;
    else maybe.push(rule.action);
  }
  // The most restrictive matching rule decides: with one that always matches, only stricter ones
  // change the outcome; with none, the default stands when no per-call rule matches.
  const floor = surely ?? bare.action;
  return new Set([floor, ...maybe.filter((action) => surely === undefined || RANK[action] > RANK[surely])]);
}

export function visibility(outcomes: Set<Action>): Visibility {
  if (outcomes.has('review')) return 'review';
  return outcomes.has('allow') ? 'show' : 'hide';
}
