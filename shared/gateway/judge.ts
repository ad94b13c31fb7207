// classify → decide: the judgement every request gets, live (pipeline.ts) or offline (offline.ts,
// for `portcullis policy test` and `explain`), so both run the very same functions.
import type { AgentRequest } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import { kinds } from '../connections/registry.js';
import { ruleText } from '../connections/rule-text.js';
import { bodyPatterns, decide, type Decision } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import { SLICE, yieldToLoop, type InspectionBudget } from '../masking/index.js';
import type { NamedConnection, Policy } from '../policy/compile.js';
import type { TextPattern } from '../policy/glob.js';

export interface Judgement {
  operation: Operation;
  decision: Decision;
}

/**
 * With a budget (the live path), the time classifying and deciding take is charged to the
 * request's inspection budget, and a long text is matched against the policy's `body` patterns
 * one pattern per turn of the event loop, so that a large prompt never holds other requests
 * behind it; over the budget, InspectionBudgetExceeded.
 */
export async function classifyAndDecide(
  request: AgentRequest,
  principal: Principal,
  connection: NamedConnection,
  policy: Policy,
  budget?: InspectionBudget,
): Promise<Judgement> {
  const started = performance.now();
  const operation = await kinds[connection.config.kind].classify(request, connection);
  if (!budget) return { operation, decision: decide(principal, connection, operation, policy) };
  budget.charge(performance.now() - started);
  const known = await matchAhead(bodyPatterns(connection, policy), ruleText(operation), budget);
  return { operation, decision: budget.run(() => decide(principal, connection, operation, policy, known)) };
}

async function matchAhead(patterns: TextPattern[], text: string, budget: InspectionBudget): Promise<Map<TextPattern, boolean>> {
  const known = new Map<TextPattern, boolean>();
  if (text.length <= SLICE) return known;
  for (const pattern of new Set(patterns)) {
    await yieldToLoop();
    known.set(pattern, budget.run(() => pattern.test(text)));
  }
  return known;
}
