// The adversarial section of the masking bench: for each rule on its own, the inputs that
// stress a regex (test/support/masking.ts adversarialInputs: keywords repeated, separators without
// values, unterminated quotes, long runs of a value class) and the PII scanners' own; the worst
// rule's MB/s and the shape that made it slow; and every rule at once on the inputs that stress
// the reading of base64 (runs that each decode to text, or only look like base64).
import { Engine } from '../../shared/masking/engine.js';
import type { Masker } from '../../shared/masking/index.js';
import type { RegexRule, ScanRule } from '../../shared/masking/rule.js';
import { adversarialInputs, base64AdversarialInputs, piiAdversarialInputs } from '../../test/support/masking.js';

const MB = 1 << 20;

export interface Speed {
  rule: string;
  shape: string;
  /** MB per second of the process's CPU time: on a shared machine, wall time measures the neighbours too. */
  mbps: number;
  /** MB per second of wall time, for the same shape. */
  wallMbps: number;
}

/** Fastest of `runs` runs, in seconds of CPU time and of wall time: noise only ever slows a run down. */
function fastest(run: () => unknown, runs: number): { cpu: number; wall: number } {
  let cpu = Infinity;
  let wall = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const used = process.cpuUsage();
    run();
    const spent = process.cpuUsage(used);
    wall = Math.min(wall, (performance.now() - start) / 1000);
    cpu = Math.min(cpu, (spent.user + spent.system) / 1e6);
  }
  // A run too short for the CPU clock counts as a microsecond.
  return { cpu: Math.max(cpu, 1e-6), wall };
}

/** Each rule's slowest shape at `size` characters (by CPU time), slowest rule first. */
export function adversarialSpeeds(regexRules: readonly RegexRule[], scanRules: readonly ScanRule[], size: number, runs = 3): Speed[] {
  const speeds: Speed[] = [];
  const measure = (id: string, engine: Engine, inputs: { shape: string; text: string }[]) => {
    let worst: Speed = { rule: id, shape: '-', mbps: Infinity, wallMbps: Infinity };
    for (const { shape, text } of inputs) {
      const { cpu, wall } = fastest(() => engine.detect(text), runs);
      const mbps = text.length / MB / cpu;
      if (mbps < worst.mbps) worst = { rule: id, shape, mbps, wallMbps: text.length / MB / wall };
    }
    speeds.push(worst);
  };
  for (const rule of regexRules) measure(rule.id, new Engine([rule], []), adversarialInputs(rule.keywords, size));
  for (const rule of scanRules) measure(rule.id, new Engine([], [rule]), piiAdversarialInputs(size));
  return speeds.sort((a, b) => a.mbps - b.mbps);
}

/** The whole masker (text mode) on each shape that stresses its reading of base64, slowest first. */
export function base64Speeds(masker: Masker, size: number, runs = 3): Speed[] {
  return base64AdversarialInputs(size)
    .map(({ shape, text }) => {
      const { cpu, wall } = fastest(() => masker.text(text), runs);
      return { rule: 'base64 reading', shape, mbps: text.length / MB / cpu, wallMbps: text.length / MB / wall };
    })
    .sort((a, b) => a.mbps - b.mbps);
}
