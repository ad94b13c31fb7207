// The adversarial section of the masking bench: for each rule on its own, the inputs that
// stress a regex (test/support/masking.ts adversarialInputs: keywords repeated, separators without
// values, unterminated quotes, long runs of a value class) and the PII scanners' own; the worst
// rule's MB/s and the shape that made it slow.
import { Engine } from '../../shared/masking/engine.js';
import type { RegexRule, ScanRule } from '../../shared/masking/rule.js';
import { adversarialInputs, piiAdversarialInputs } from '../../test/support/masking.js';

const MB = 1 << 20;

export interface Speed {
  rule: string;
  shape: string;
  mbps: number;
}

/** Fastest of `runs` runs, in seconds: noise only ever slows a run down. */
function fastest(run: () => unknown, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

/** Each rule's slowest shape at `size` characters, slowest rule first. */
export function adversarialSpeeds(regexRules: readonly RegexRule[], scanRules: readonly ScanRule[], size: number, runs = 3): Speed[] {
  const speeds: Speed[] = [];
  const measure = (id: string, engine: Engine, inputs: { shape: string; text: string }[]) => {
    let worst: Speed = { rule: id, shape: '-', mbps: Infinity };
    for (const { shape, text } of inputs) {
      const mbps = text.length / MB / fastest(() => engine.detect(text), runs);
      if (mbps < worst.mbps) worst = { rule: id, shape, mbps };
    }
    speeds.push(worst);
  };
  for (const rule of regexRules) measure(rule.id, new Engine([rule], []), adversarialInputs(rule.keywords, size));
  for (const rule of scanRules) measure(rule.id, new Engine([], [rule]), piiAdversarialInputs(size));
  return speeds.sort((a, b) => a.mbps - b.mbps);
}
