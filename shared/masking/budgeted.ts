// A masker whose whole-value calls (a prompt on its way out, an answer on its way back, an
// event of a stream) are charged to one request's inspection budget: once the budget is spent,
// the call throws InspectionBudgetExceeded and the caller refuses or cuts the answer instead of
// letting one request take the gateway's time from every other one. Streams are masked chunk by
// chunk, between turns of the event loop, and their stream maskers are not charged.
import type { Masker } from './masker.js';
import type { InspectionBudget } from './sliced.js';

export function budgeted(masker: Masker, budget: InspectionBudget): Masker {
  return {
    ruleCount: masker.ruleCount,
    text: (input) => budget.run(() => masker.text(input)),
    json: (value, path) => budget.run(() => masker.json(value, path)),
    auto: (body, contentType) => budget.run(() => masker.auto(body, contentType)),
    stream: () => masker.stream(),
    streamAt: (locate) => masker.streamAt(locate),
    withSecrets: (secrets) => budgeted(masker.withSecrets(secrets), budget),
  };
}
