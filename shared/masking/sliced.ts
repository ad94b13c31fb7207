// Masking a large text without holding the event loop: the text is masked in slices, yielding
// between slices, and the time spent is charged to the request's budget. Over budget, the
// masking stops: the caller refuses the request rather than stall every other one behind it.
// A JSON body keeps JSON mode (sensitive keys, paths): its spans are found slice by slice as a
// stream finds them (holding back what a later slice may complete), then the JSON is walked a
// slice at a time. Any other body is masked through a stream masker.
import type { Core, Detector } from './core.js';
import { jsonWalk } from './json-text.js';
import { STREAM_CONTEXT } from './limits.js';
import { guarded, isEventStream, jsonMode, splitGuard, type Masker } from './masker.js';
import { multipartBoundary } from './multipart.js';
import { SseMasker } from './sse.js';
import type { Finding } from './redact.js';
import type { Span } from './rule.js';

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
 * masker.auto(), in slices for a text longer than SLICE (rules see across slice edges), each
 * slice charged to `budget`, the event loop served between them.
 */
export async function maskSliced(masker: Masker, text: string, contentType: string | undefined, budget: InspectionBudget): Promise<{ text: string; findings: Finding[] }> {
  // Multipart is masked part by part, at once: a field's name must be read with its value.
  if (text.length <= SLICE || multipartBoundary(contentType) !== undefined) return budget.run(() => masker.auto(text, contentType));
  const { guard, json } = splitGuard(text);
  if (masker.core && jsonMode(json, contentType)) {
    const masked = await maskJsonSliced(masker.core, json, budget);
    if (masked) return guarded(guard, masked);
  }
  // An event stream as auto() masks one: event by event, a secret split over its deltas joined.
  const stream = isEventStream(contentType) ? new SseMasker(masker) : masker.stream();
  const out: string[] = [];
  for (let at = 0; at < text.length; at += SLICE) {
    await yieldToLoop();
    out.push(budget.run(() => stream.push(text.slice(at, at + SLICE))));
  }
  out.push(budget.run(() => stream.end()));
  return { text: out.join(''), findings: stream.findings };
}

/** JSON mode over a large body, a slice at a time; undefined when it is not JSON. */
async function maskJsonSliced(core: Core, text: string, budget: InspectionBudget): Promise<{ text: string; findings: Finding[] } | undefined> {
  const walk = jsonWalk(text, core, await detectSliced(core.engine, text, budget));
  for (let at = SLICE; ; at += SLICE) {
    await yieldToLoop();
    if (budget.run(() => walk.step(at))) return walk.result;
  }
}

/**
 * The spans of `text` found a slice at a time, as a stream masker finds them: each slice is
 * analysed with the end of what came before it, and what a later slice may complete is held
 * back into the next one.
 */
async function detectSliced(engine: Detector, text: string, budget: InspectionBudget): Promise<Span[]> {
  const spans: Span[] = [];
  let base = 0; // text before it is done
  for (let end = Math.min(text.length, SLICE); base < text.length; end = Math.min(text.length, end + SLICE)) {
    await yieldToLoop();
    const from = Math.max(0, base - STREAM_CONTEXT);
    const final = end === text.length;
    const buffer = text.slice(from, end);
    const analysis = budget.run(() => engine.analyze(buffer, !final));
    let cut = final ? buffer.length : Math.max(base - from, analysis.holdFrom);
    if (buffer.length - cut > engine.holdLimit) {
      cut = buffer.length - engine.holdLimit;
      const inside = analysis.spans.find((s) => s.start < cut && s.end > cut);
      if (inside) cut = inside.end;
    }
    for (const span of analysis.spans) {
      if (span.end + from <= base || span.start >= cut) continue;
      spans.push({ ...span, start: Math.max(span.start + from, base), end: Math.min(span.end, cut) + from });
    }
    base = Math.max(base, from + cut);
  }
  return spans;
}
