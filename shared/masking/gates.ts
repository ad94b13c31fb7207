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

  // Classes: ASCII codes grouped by which positions accept them; everything else is class 0.
  const classOf = new Uint8Array(65536);
  const bySignature = new Map<string, number>([['', 0]]);
  for (let c = 0; c < 128; c++) {
    const bits = gates.map((g) => g.map((p) => p.chars[c]).join('')).join('|');
    const signature = bits.includes('1') ? bits : '';
    let cls = bySignature.get(signature);
    if (cls === undefined) bySignature.set(signature, (cls = bySignature.size));
    classOf[c] = cls;
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
  // A DFA state is a set of positions, closed over optional ones; every state holds each gate's
  // start, since a gate may start anywhere.
  const close = (moved: number[]): number[] => {
    const marked = new Uint8Array(positions.length);
    for (const b of base) marked[b] = 1;
    for (const m of moved) marked[m] = 1;
    const set: number[] = [];
    for (let id = 0; id < positions.length; id++) {
      if (!marked[id]) continue;
      set.push(id);
      if (positions[id]!.optional) marked[id + 1] = 1;
    }
    return set;
  };

  const index = new Map<string, number>();
  const states: number[][] = [];
  const add = (set: number[]) => {
    const key = set.join(',');
    let s = index.get(key);
    if (s === undefined) {
      if (states.length >= MAX_STATES) throw new Error('gate automaton too large');
      index.set(key, (s = states.length));
      states.push(set);
    }
    return s;
  };
  add(close([]));
  const next: number[] = [];
  for (let s = 0; s < states.length; s++) {
    for (let cls = 0; cls < width; cls++) {
      const c = classOf.indexOf(cls);
      const moved = c < 128 ? states[s]!.filter((id) => positions[id]!.chars[c]).map((id) => id + 1) : [];
      next[s * width + cls] = add(close(moved));
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
