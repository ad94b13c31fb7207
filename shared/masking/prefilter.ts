// One pass over the text finds every keyword of the regex rules (keywords.ts) and every gate of
// the scanners (gates.ts), running the product of the two automata (dfa.ts): one table read per
// character. A product too large for that (many custom keywords) is run as two passes.
//
// The loop is bound by the latency of the table read, one character after another, so each
// block of text is split into four lanes walked side by side: the processor overlaps their
// reads. A lane starts in the root state one keyword (or gate) length before its first
// character, which brings it to the exact state by then. The text is copied into a typed array
// first: reading it is much cheaper than charCodeAt. (A RegExp alternation of the keywords,
// plain or as a trie, measured no faster than the single-lane DFA.)
import { Buffer } from 'node:buffer';
import { IDLE, product, type Product } from './dfa.js';
import { compileGates, type GateAutomaton } from './gates.js';
import { compileKeywords, type KeywordAutomaton } from './keywords.js';

const LANES = 4;
/** Texts up to this long are copied into the scratch buffer by a loop. */
const SHORT = 256;
/** Characters copied and scanned at a time: the scratch buffer stays small. */
const BLOCK = 1 << 16;
/** Largest product table run in one pass, by default (entries, 4 bytes each). */
const MAX_PRODUCT = 1 << 21;
const scratch = new Uint16Array(BLOCK);
const scratchBytes = Buffer.from(scratch.buffer);
/** Per lane, the offsets and states where a block's lane reports, recorded in lane order after it (scans do not nest). */
const laneHits = [0, 1, 2, 3].map(() => new Int32Array(2 * BLOCK));
const laneCount = [0, 0, 0, 0];

/** Most values a list keeps room for when it is emptied for reuse (4 MB). */
const KEPT_ROOM = 1 << 20;
const FIRST_ROOM = 64;
const NO_ROOM = new Int32Array(0);

/**
 * A growing list of offsets in a typed array: a text dense with keywords has a hit every few
 * characters, and as JavaScript arrays the hits cost the collector more than linearly.
 */
export class IntList {
  // No room until a value comes: most texts a gateway masks (a header, a JSON string) have no
  // hit, and each typed array's memory is allocated apart and collected late.
  data = NO_ROOM;
  length = 0;
  push(value: number) {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = value;
  }
  /** Empties the list for reuse, keeping its room unless that is large. */
  clear() {
    this.length = 0;
    if (this.data.length > KEPT_ROOM) this.data = NO_ROOM;
  }
  /** Makes room for `extra` more values, so that a loop can write them into `data` directly. */
  reserve(extra: number) {
    if (this.length + extra <= this.data.length) return;
    const grown = new Int32Array(Math.max(this.data.length * 2, this.length + extra, FIRST_ROOM));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  done(): Int32Array {
    return this.length === 0 ? NO_ROOM : this.data.subarray(0, this.length);
  }
}

export interface Hits {
  /** Keyword index of each hit, in text order of the hit's end. */
  keyword: Int32Array;
  /** Start offset of each hit. */
  start: Int32Array;
  /** Characters at the end of the text that are a proper prefix of some keyword (a hit may still be forming). */
  pendingPrefix: number;
  /**
   * Gate index of each run of gate hits, in text order of the hits' ends. A run of gate
   * characters ends a gate at every offset: the hits of one gate at consecutive ends are one
   * entry, so that such a run costs a counter, not a list entry per character.
   */
  gate: Int32Array;
  /** End offset of each run's first hit. */
  gateEnd: Int32Array;
  /** Number of hits in each run: its gate ends at gateEnd, gateEnd + 1, …, gateEnd + gateRun - 1. */
  gateRun: Int32Array;
}

interface Recording {
  keyword: IntList;
  start: IntList;
  gate: IntList;
  gateEnd: IntList;
  gateRun: IntList;
}

function mostOutputs(dfa: KeywordAutomaton): number {
  let most = 0;
  for (let s = 0; s + 1 < dfa.outputStart.length; s++) most = Math.max(most, dfa.outputStart[s + 1]! - dfa.outputStart[s]!);
  return most;
}

function note(lane: number, at: number, state: number) {
  const n = laneCount[lane]!;
  laneHits[lane]![n] = at;
  laneHits[lane]![n + 1] = state;
  laneCount[lane] = n + 2;
}

/**
 * Runs the four lanes over scratch[0, 4q), the first from `state`; returns the last lane's state
 * at its end. Its own function, ending at its loop: V8 compiles the loop while it runs (on
 * stack), with the feedback it has by then, and code after the loop not yet run would
 * deoptimise that compiled loop at its exit on every block, not once.
 */
function runLanes(classOf: Uint8Array, delta: Int32Array, q: number, warmUp: number, state: number): number {
  const text = scratch;
  const q2 = 2 * q;
  const q3 = 3 * q;
  let s0 = state;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  // The warm-up's sign fix is branch-free: a branch not yet taken would deoptimise the loop when it is.
  for (let i = q - warmUp; i < q; i++) {
    s1 = delta[s1 + classOf[text[i]!]!]!;
    s2 = delta[s2 + classOf[text[i + q]!]!]!;
    s3 = delta[s3 + classOf[text[i + q2]!]!]!;
    // A report is the state's complement: s ^ (s >> 31) is ~s for it and s otherwise.
    s1 ^= s1 >> 31;
    s2 ^= s2 >> 31;
    s3 ^= s3 >> 31;
  }
  for (let i = 0; i < q; i++) {
    // The common case, nothing reported, stays in this inner loop (which compiles tighter).
    for (; i < q; i++) {
      s0 = delta[s0 + classOf[text[i]!]!]!;
      s1 = delta[s1 + classOf[text[i + q]!]!]!;
      s2 = delta[s2 + classOf[text[i + q2]!]!]!;
      s3 = delta[s3 + classOf[text[i + q3]!]!]!;
      if ((s0 | s1 | s2 | s3) < 0) break;
    }
    if (s0 < 0) note(0, i, (s0 = ~s0));
    if (s1 < 0) note(1, i + q, (s1 = ~s1));
    if (s2 < 0) note(2, i + q2, (s2 = ~s2));
    if (s3 < 0) note(3, i + q3, (s3 = ~s3));
  }
  return s3;
}

export class Prefilter {
  readonly gates: GateAutomaton;
  private readonly automaton: KeywordAutomaton;
  /** The automata as run, keywords first: their product, or each on its own. */
  private readonly passes: Product[];
  /** Characters a lane reads before its own: at least the longest keyword or gate. */
  private readonly warmUp: number;
  /** Most keywords that end at one offset. */
  private readonly mostKeywords: number;
  /**
   * The lists a scan records into, kept from one scan to the next (a scan's Hits are views of
   * them, read before the next scan): a text dense with keywords grew them from nothing, and
   * their copies were most of the collector's work.
   */
  private readonly recording: Recording = { keyword: new IntList(), start: new IntList(), gate: new IntList(), gateEnd: new IntList(), gateRun: new IntList() };
  /** Each pass's state between blocks of one scan. */
  private readonly states: Int32Array;

  constructor(
    readonly keywords: readonly string[],
    gates: readonly string[] = [],
    maxProduct = MAX_PRODUCT,
  ) {
    this.automaton = compileKeywords(keywords);
    this.gates = compileGates(gates);
    const both = product(this.automaton, this.gates, maxProduct);
    this.passes = both ? [both] : [product(this.automaton, IDLE, Infinity)!, product(IDLE, this.gates, Infinity)!];
    this.warmUp = Math.max(1, ...this.automaton.keywordLength, ...this.gates.maxLength);
    this.mostKeywords = mostOutputs(this.automaton);
    this.states = new Int32Array(this.passes.length);
  }

  /** The keywords and gates in `text`; what it returns is valid until the next scan. */
  scan(text: string): Hits {
    // Most texts a gateway masks are short (a JSON string, a streamed delta): what a scan costs
    // before its first character is most of what it costs them, so nothing is allocated here.
    const hits = this.recording;
    hits.keyword.clear();
    hits.start.clear();
    hits.gate.clear();
    hits.gateEnd.clear();
    hits.gateRun.clear();
    const states = this.states;
    states.fill(0);
    for (let from = 0; from < text.length; from += BLOCK) {
      const length = Math.min(BLOCK, text.length - from);
      // A short text is copied a character at a time: Buffer.write costs more than that to call.
      if (length <= SHORT) for (let i = 0; i < length; i++) scratch[i] = text.charCodeAt(from + i);
      else scratchBytes.write(length === text.length ? text : text.slice(from, from + length), 0, 'utf16le');
      for (let p = 0; p < this.passes.length; p++) states[p] = this.scanBlock(this.passes[p]!, length, from, states[p]!, hits);
    }
    const keywords = this.passes[0]!;
    return {
      keyword: hits.keyword.done(),
      start: hits.start.done(),
      pendingPrefix: this.automaton.depth[keywords.stateA[states[0]! / keywords.width]!]!,
      gate: hits.gate.done(),
      gateEnd: hits.gateEnd.done(),
      gateRun: hits.gateRun.done(),
    };
  }

  /** Runs `pass` over scratch[0, n), at text offset `offset`, from `state`; returns the state at its end. */
  private scanBlock(pass: Product, n: number, offset: number, state: number, hits: Recording): number {
    const { classOf, delta } = pass;
    const text = scratch;
    // Lane l covers [l * q, (l + 1) * q); the last lane also takes the remainder.
    const q = n >= LANES * 2 * this.warmUp ? Math.floor(n / LANES) : 0;
    let s3 = q === 0 ? state : runLanes(classOf, delta, q, this.warmUp, state);
    for (let i = LANES * q; i < n; i++) {
      s3 = delta[s3 + classOf[text[i]!]!]!;
      if (s3 < 0) note(3, i, (s3 = ~s3));
    }
    for (let lane = 0; lane < LANES; lane++) {
      this.record(pass, laneHits[lane]!, laneCount[lane]!, offset, hits);
      laneCount[lane] = 0;
    }
    return s3;
  }

  /**
   * Adds the keywords and gates reported in a lane: `found` holds `count / 2` pairs of an offset
   * (the last character of what ends there) and the state of `pass` there. Dense reports (a run
   * of gate characters reports at every offset) extend the last gate run; room is made once per
   * lane, and the lists are written directly.
   */
  private record(pass: Product, found: Int32Array, count: number, offset: number, hits: Recording) {
    if (count === 0) return;
    const { outputStart, outputList, keywordLength } = this.automaton;
    const { stateA, stateB, width } = pass;
    const gates = this.gates;
    const reports = count / 2;
    hits.keyword.reserve(reports * this.mostKeywords);
    hits.start.reserve(reports * this.mostKeywords);
    const keyword = hits.keyword.data;
    const start = hits.start.data;
    // Gate entries are made room for as they come: most reports only extend a run.
    let gate = hits.gate.data;
    let gateEnd = hits.gateEnd.data;
    let gateRun = hits.gateRun.data;
    let nk = hits.keyword.length;
    let ng = hits.gate.length;
    for (let h = 0; h < count; h += 2) {
      const end = offset + found[h]! + 1;
      const state = found[h + 1]! / width;
      const k = stateA[state]!;
      for (let o = outputStart[k]!, last = outputStart[k + 1]!; o < last; o++) {
        const word = outputList[o]!;
        keyword[nk] = word;
        start[nk++] = end - keywordLength[word]!;
      }
      const g = stateB[state]!;
      for (let o = gates.outputStart[g]!, last = gates.outputStart[g + 1]!; o < last; o++) {
        const which = gates.outputList[o]!;
        if (ng > 0 && gate[ng - 1] === which && gateEnd[ng - 1]! + gateRun[ng - 1]! === end) {
          gateRun[ng - 1]!++;
          continue;
        }
        if (ng === gate.length) {
          hits.gate.length = hits.gateEnd.length = hits.gateRun.length = ng;
          hits.gate.reserve(1);
          hits.gateEnd.reserve(1);
          hits.gateRun.reserve(1);
          ({ data: gate } = hits.gate);
          ({ data: gateEnd } = hits.gateEnd);
          ({ data: gateRun } = hits.gateRun);
        }
        gate[ng] = which;
        gateEnd[ng] = end;
        gateRun[ng++] = 1;
      }
    }
    hits.keyword.length = hits.start.length = nk;
    hits.gate.length = hits.gateEnd.length = hits.gateRun.length = ng;
  }

}
