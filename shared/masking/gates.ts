// Gates: short patterns that every candidate of a scanner (PII) begins with, compiled into one
// DFA (see dfa.ts) that the prefilter runs with its keyword automaton, in the same pass. The DFA
// reports where a gate match ends; the match started between its shortest and longest length
// before, and the scanner tries its pattern only there. A gate is a tiny regex: literals, `\d`,
// `\.`-style escapes, ASCII classes `[...]` and the quantifiers `?`, `{n}`, `{m,n}`; it must
// start with a required character.
import type { Dfa } from './dfa.js';

interface Step {
  chars: Uint8Array; // membership over ASCII
  min: number;
  max: number;
}

/** Reports the gates that end at each state. */
export interface GateAutomaton extends Dfa {
  minLength: Int32Array;
  maxLength: Int32Array;
  /** Whether code unit `c` can start gate `g`: canStart[g * 128 + c] (ASCII only). */
  canStart: Uint8Array;
}

/** Guards against a gate list whose automaton would be too large to scan quickly. */
const MAX_STATES = 4096;

function parse(pattern: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const escape = (ch: string, into: Uint8Array) => {
    if (ch === 'd') into.fill(1, 48, 58);
    else into[ch.charCodeAt(0)] = 1;
  };
  while (i < pattern.length) {
    const chars = new Uint8Array(128);
    const ch = pattern[i++]!;
    if (ch === '\\') escape(pattern[i++]!, chars);
    else if (ch === '[') {
      while (pattern[i] !== ']') {
        if (i >= pattern.length) throw new Error(`gate ${pattern}: unclosed class`);
        const from = pattern[i++]!;
        if (from === '\\') {
          escape(pattern[i++]!, chars);
          continue;
        }
        if (pattern[i] === '-' && pattern[i + 1] !== ']') {
          const to = pattern[i + 1]!;
          i += 2;
          chars.fill(1, from.charCodeAt(0), to.charCodeAt(0) + 1);
        } else chars[from.charCodeAt(0)] = 1;
      }
      i++;
    } else if ('?{}()|*+.^$'.includes(ch)) throw new Error(`gate ${pattern}: unsupported ${ch}`);
    else chars[ch.charCodeAt(0)] = 1;
    let min = 1;
    let max = 1;
    if (pattern[i] === '?') {
      min = 0;
      i++;
    } else if (pattern[i] === '{') {
      const m = /^\{(\d+)(?:,(\d+))?\}/.exec(pattern.slice(i))!;
      min = Number(m[1]);
      max = m[2] === undefined ? min : Number(m[2]);
      i += m[0].length;
    }
    steps.push({ chars, min, max });
  }
  if (steps.length === 0 || steps[0]!.min === 0) throw new Error(`gate ${pattern}: must start with a required character`);
  return steps;
}

const compiled = new Map<string, GateAutomaton>();

/** The DFA for "some gate ends here"; built once per list of gates (the scanners' are fixed). */
export function compileGates(patterns: readonly string[]): GateAutomaton {
  const key = patterns.join('\n');
  let automaton = compiled.get(key);
  if (!automaton) compiled.set(key, (automaton = build(patterns)));
  return automaton;
}

/** Subset construction over character classes. */
function build(patterns: readonly string[]): GateAutomaton {
  // Each gate expanded into single-character positions, the optional ones marked.
  const gates = patterns.map((p) => parse(p).flatMap((s) => Array.from({ length: s.max }, (_, k) => ({ chars: s.chars, optional: k >= s.min }))));

  // Classes: ASCII codes grouped by which positions accept them; everything else is class 0, which
  // no position accepts.
  const classOf = new Uint8Array(65536);
  const bySignature = new Map<string, number>([['', 0]]);
  const sample: number[] = [];
  for (let c = 0; c < 128; c++) {
    const bits = gates.map((g) => g.map((p) => p.chars[c]).join('')).join('|');
    const signature = bits.includes('1') ? bits : '';
    let cls = bySignature.get(signature);
    if (cls === undefined) bySignature.set(signature, (cls = bySignature.size));
    classOf[c] = cls;
    sample[cls] ??= c;
  }
  const width = bySignature.size;

  // Positions numbered across the gates: gate g matched k characters is base[g] + k.
  const base: number[] = [];
  const positions: { chars: Uint8Array; optional: boolean; gate: number; final: boolean }[] = [];
  gates.forEach((g, gate) => {
    base.push(positions.length);
    for (const p of g) positions.push({ ...p, gate, final: false });
    positions.push({ chars: new Uint8Array(128), optional: false, gate, final: true });
  });
  const count = positions.length;
  const accepts = new Uint8Array(count * width);
  positions.forEach((p, id) => {
    for (let cls = 1; cls < width; cls++) accepts[id * width + cls] = p.chars[sample[cls]!]!;
  });

  // A DFA state is a set of positions, closed over optional ones. Every state holds each gate's
  // start (a gate may start anywhere) and their closure, `starts`; a state is known by the
  // positions it holds beyond them, so that a transition costs what it moves, not every position.
  const seen = new Int32Array(count);
  let round = 0;
  const closeInto = (id: number, into: number[]) => {
    for (; id < count && seen[id] !== round; id++) {
      seen[id] = round;
      into.push(id);
      if (!positions[id]!.optional) break;
    }
  };
  round++;
  const starts: number[] = [];
  for (const b of base) closeInto(b, starts);
  const isStart = new Uint8Array(count);
  for (const id of starts) isStart[id] = 1;
  // Where the starts move on each class, the same from every state.
  const fromStarts = Array.from({ length: width }, (_, cls) => starts.filter((id) => accepts[id * width + cls]).map((id) => id + 1));

  const index = new Map<string, number>();
  const states: number[][] = [];
  const add = (extra: number[]) => {
    const key = extra.join(',');
    let s = index.get(key);
    if (s === undefined) {
      if (states.length >= MAX_STATES) throw new Error('gate automaton too large');
      index.set(key, (s = states.length));
      states.push(extra);
    }
    return s;
  };
  add([]);
  const next: number[] = [];
  // On a class none of a state's extra positions accepts, it moves where the state of no extras
  // does (the starts alone): only the classes its extras accept are worked out. Most states hold a
  // few positions, each accepting a class or two of dozens.
  const accepted = new Uint8Array(width);
  for (let s = 0; s < states.length; s++) {
    const extra = states[s]!;
    accepted.fill(s === 0 ? 1 : 0);
    for (const id of extra) for (let cls = 0; cls < width; cls++) accepted[cls] |= accepts[id * width + cls]!;
    for (let cls = 0; cls < width; cls++) {
      if (accepted[cls] === 0) {
        next[s * width + cls] = next[cls]!;
        continue;
      }
      round++;
      const closed: number[] = [];
      for (const id of fromStarts[cls]!) closeInto(id, closed);
      for (const id of extra) if (accepts[id * width + cls]) closeInto(id + 1, closed);
      next[s * width + cls] = add(closed.filter((id) => !isStart[id]).sort((x, y) => x - y));
    }
  }

  const ending = states.map((set) => set.filter((id) => positions[id]!.final).map((id) => positions[id]!.gate));
  const delta = Int32Array.from(next, (t) => (ending[t]!.length > 0 ? ~(t * width) : t * width));
  const outputStart = new Int32Array(states.length + 1);
  const flat: number[] = [];
  ending.forEach((list, s) => {
    outputStart[s] = flat.length;
    flat.push(...list);
  });
  outputStart[states.length] = flat.length;

  const canStart = new Uint8Array(gates.length * 128);
  gates.forEach((g, k) => canStart.set(g[0]!.chars, k * 128));
  return {
    classOf,
    width,
    delta,
    outputStart,
    outputList: Int32Array.from(flat),
    minLength: Int32Array.from(gates, (g) => g.filter((p) => !p.optional).length),
    maxLength: Int32Array.from(gates, (g) => g.length),
    canStart,
  };
}
