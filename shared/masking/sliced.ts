// Masking a large text without holding the event loop: the text is masked in slices through a
// stream masker (which holds back what a later slice may complete), yielding between slices,
// and the time spent is charged to the request's budget. Over budget, the masking stops: the
// caller refuses the request rather than stall every other one behind it.
import type { Finding } from './redact.js';
import type { Masker } from './masker.js';

/** Text up to this length is masked in one call (JSON mode included); longer, in slices of it. */
export const SLICE = 64 * 1024;

export class InspectionBudgetExceeded extends Error {
  override name = 'InspectionBudgetExceeded';
  constructor(readonly budgetMs: number) {
    super(`inspecting the body took more than its budget of ${budgetMs} ms`);
  }
}

/** The time one request's inspection may take, summed over the slices it was done in. */
export class InspectionBudget {
  private spent = 0;
  constructor(readonly limitMs: number) {}

  /** Runs `work` and charges its time; throws once the budget is spent. */
  run<T>(work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.charge(performance.now() - start);
    }
  }

  /** Charges time measured elsewhere; throws once the budget is spent. */
  charge(ms: number): void {
    this.spent += ms;
    if (this.spent > this.limitMs) throw new InspectionBudgetExceeded(this.limitMs);
  }
}

export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * masker.auto(), in slices for a text longer than SLICE: a long body is masked as text (rules
 * see across slice edges), each slice charged to `budget`, the event loop served between them.
 */
export async function maskSliced(masker: Masker, text: string, contentType: string | undefined, budget: InspectionBudget): Promise<{ text: string; findings: Finding[] }> {
  if (text.length <= SLICE) return budget.run(() => masker.auto(text, contentType));
  const stream = masker.stream();
  const out: string[] = [];
  for (let at = 0; at < text.length; at += SLICE) {
    await yieldToLoop();
    out.push(budget.run(() => stream.push(text.slice(at, at + SLICE))));
  }
  out.push(budget.run(() => stream.end()));
  return { text: out.join(''), findings: stream.findings };
}
