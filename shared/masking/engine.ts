// Finds the secret and PII spans in a text. One prefilter pass finds the keywords, which decide
// which regex rules run and where: anchored rules as a sticky regex at each hit, others in
// windows around the hits, widened while a match touches a window's edge. A regex only ever
// runs over a bounded slice of the text (a hit's reach, a window of at most WINDOW_MAX), and a
// hit inside a match already made is skipped: a rule's cost grows linearly with the text
// whatever its regex, even where keywords repeat. The same pass finds
// the scanners' (PII) gates, and each scanner looks only where its gates start. Overlapping
// spans are merged so that nothing detected is left out.
import type { Analysis, Detector } from './core.js';
import { shannonEntropy } from './entropy.js';
import { MAX_SECRET_LENGTH } from './limits.js';
import { IntList, Prefilter, type Hits } from './prefilter.js';
import { captureGroups, keywordLead, leadingLiteral, neededCharacters, notAfter, regexBounds, requiredLiteral, type Needed } from './regex-bounds.js';
import type { RegexRule, Replacement, ScanRule, Span } from './rule.js';

const FULL: Replacement = { kind: 'full' };
/** Texts detect() remembers as clean: at most this long, at most this many. */
const CLEAN_LENGTH = 64;
const CLEAN_ENTRIES = 4096;
const NO_RULES: readonly number[] = [];
const NO_HITS: Hits = { keyword: new Int32Array(0), start: new Int32Array(0), pendingPrefix: 0, gate: new Int32Array(0), gateEnd: new Int32Array(0), gateRun: new Int32Array(0) };
/** First radius of a window around a hit for a rule whose matches have no upper length. */
const OPEN_RADIUS = 256;
/** Longest slice a window rule's regex runs over at once, widening included. */
const WINDOW_MAX = MAX_SECRET_LENGTH + 4 * OPEN_RADIUS;
/** What an anchored rule without a longest match first sees past its hit: a window's reach past its hit. */
const OPEN_REACH = 2 * OPEN_RADIUS;
/** Text an anchored rule sees before its start (lookbehinds) and after its longest match (lookaheads). */
const LOOK_BEHIND = 64;
const LOOK_AHEAD = 64;
/**
 * A leading lazy `[class]{0,n}?` (gitleaks' rules open with one, even two nested) only stretches
 * a match to the left: in a backtracking engine it multiplies the work at every position.
 */
const LAZY_LEAD = /^((?:\(\?:)?)\[(?:\\.|[^\]\\])*\]\{0,\d+\}\?/;

interface Compiled {
  rule: RegexRule;
  order: number;
  /** Where a match starts before its keyword hit, when it is tried at the hits only (sticky). */
  lead: number | undefined;
  exec: RegExp;
  /**
   * The regex with indices (`d` flag), run again at a match only when where its secret group
   * lies cannot be read from the match itself (secretAt): indices cost as much as the match.
   */
  indices: RegExp | undefined;
  groups: number;
  /** Longest match, capped at MAX_SECRET_LENGTH. */
  reach: number;
  /** Its matches have no longest length (or one over MAX_SECRET_LENGTH). */
  open: boolean;
  /**
   * Anchored: characters that a match holds one of, the rarest first (see neededCharacters), at
   * most two. Fields rather than an array: a rule with none and a rule with some would give the
   * loop over hits arrays of two kinds, and V8 would compile it again for each.
   */
  need: Need | undefined;
  need2: Need | undefined;
  /** Anchored: the longest run of one class that every match holds (at least MIN_RUN long), if any. */
  longRun: Needed | undefined;
  /**
   * Anchored, and what it reads is bounded by the regex itself (its longest match, and short
   * lookarounds): it runs on the text as it is, without a slice made for each hit.
   */
  direct: boolean;
  replacement: Replacement;
  /** The rule's `run` class as a table over ASCII. */
  run: Uint8Array | undefined;
  /** Anchored: a literal every match holds after its hit (the rule's `requires`, or read from its regex). */
  required: string | undefined;
  /** Anchored: the ASCII characters whose presence just before a match rules it out (its opening lookbehind). */
  notAfter: Uint8Array | undefined;
  /** Anchored: the literal every match begins with, in the case the regex asks for (leadingLiteral). */
  begins: string | undefined;
}

/** What a rule compiles to in any engine: its analysis, slow to read from its regex. */
type RuleAnalysis = Omit<Compiled, 'rule' | 'order' | 'exec' | 'indices'> & { source: string; flags: string };

/**
 * Analyses by rule: a policy reload compiles the same rules again (rules are never changed once
 * made; a replacement or a new regex is a new rule).
 */
const analyses = new WeakMap<RegexRule, RuleAnalysis>();

function analysisOf(rule: RegexRule): RuleAnalysis {
  let analysis = analyses.get(rule);
  if (analysis === undefined) analyses.set(rule, (analysis = analyse(rule)));
  return analysis;
}

function analyse(rule: RegexRule): RuleAnalysis {
  const source = rule.anchoredLead !== undefined ? rule.regex.source : withoutLazyLead(rule.regex.source);
  // A rule whose every match begins with one of its keywords, or has one at a fixed offset, is tried at its hits only.
  const lead = rule.anchoredLead ?? keywordLead(source, rule.keywords);
  const { max, look } = regexBounds(source);
  return {
    source,
    flags: rule.regex.flags.replace(/[gyd]/g, '') + (lead !== undefined ? 'y' : 'g'),
    lead,
    groups: captureGroups(rule.regex.source),
    reach: Math.min(max, MAX_SECRET_LENGTH),
    open: max > MAX_SECRET_LENGTH,
    direct: lead !== undefined && max <= MAX_SECRET_LENGTH && look <= LOOK_BEHIND,
    ...firstTwo(lead !== undefined ? rarest(neededCharacters(source, rule.regex.flags), lead + Math.min(...rule.keywords.map((k) => k.length))) : []),
    replacement: rule.replacement ?? FULL,
    run: rule.run && asciiTable(rule.run),
    // Only where a hit's regex reads far (no longest match): a bounded one at a hit costs less than the look.
    longRun: lead !== undefined && max > MAX_SECRET_LENGTH ? oneShape(longestRun(neededCharacters(source, rule.regex.flags))) : undefined,
    required: rule.requires ?? (lead !== undefined ? requiredLiteral(source, rule.regex.flags) : undefined),
    notAfter: lead !== undefined ? notAfter(source, rule.regex.flags) : undefined,
    begins: lead !== undefined ? leadingLiteral(source, rule.regex.flags) : undefined,
  };
}

export class Engine implements Detector {
  readonly holdLimit = MAX_SECRET_LENGTH;
  private readonly compiled: Compiled[];
  private readonly prefilter: Prefilter;
  /** For each keyword (prefilter index), the compiled rules that use it. */
  private readonly rulesOfKeyword: number[][];
  private readonly unkeyed: number[];
  /** For each gate (prefilter index), the scanner it belongs to. */
  private readonly scannerOfGate: number[];
  /** No gate starts, for each scanner. */
  private readonly noStarts: Int32Array[];
  /** Each scanner's gate starts, kept from one text to the next: a run of gate characters starts one at every offset. */
  private readonly startLists: IntList[];
  /** Each rule's hits (groupHits), kept from one text to the next, and the rules that had some in the last. */
  private readonly hitLists: IntList[] = [];
  private readonly withHits: number[] = [];
  /** The findings of the text being analyzed, kept from one text to the next. */
  private readonly found = new Findings();
  private readonly line = new LineAround();
  /** Short texts found clean (detect), bounded: hostile input cannot grow it. */
  private readonly clean = new Set<string>();
  /** Per gate, the last offset gateStarts looked at; and its answer, one list per scanner: kept from one text to the next. */
  private readonly seenOfGate: Int32Array;
  private readonly startViews: Int32Array[];
  /** For each finding's order (regex rules, then scanners), its rule's id and replacement. */
  private readonly labels: Label[];

  constructor(
    regexRules: readonly RegexRule[],
    private readonly scanRules: readonly ScanRule[],
  ) {
    this.compiled = regexRules.map((rule, order) => {
      const a = analysisOf(rule);
      // Every property set, undefined or not, in one order: the loops over hits see one shape of rule.
      return {
        rule,
        order,
        lead: a.lead,
        // Regexes of its own for each engine: a regex keeps where it last matched.
        exec: new RegExp(a.source, a.flags),
        indices: a.groups > 0 && rule.secretGroup !== 0 ? new RegExp(a.source, a.flags + 'd') : undefined,
        groups: a.groups,
        reach: a.reach,
        open: a.open,
        direct: a.direct,
        need: a.need,
        need2: a.need2,
        replacement: a.replacement,
        run: a.run,
        longRun: a.longRun,
        required: a.required,
        notAfter: a.notAfter,
        begins: a.begins,
      };
    });
    const keywordIndex = new Map<string, number>();
    this.rulesOfKeyword = [];
    this.unkeyed = [];
    this.compiled.forEach((c, index) => {
      const keywords = [...new Set(c.rule.keywords.map((k) => k.toLowerCase()).filter((k) => k.length > 0))];
      if (keywords.length === 0) this.unkeyed.push(index);
      for (const k of keywords) {
        let at = keywordIndex.get(k);
        if (at === undefined) {
          at = keywordIndex.size;
          keywordIndex.set(k, at);
          this.rulesOfKeyword.push([]);
        }
        this.rulesOfKeyword[at]!.push(index);
      }
    });
    this.scannerOfGate = scanRules.flatMap((rule, index) => rule.gates.map(() => index));
    this.noStarts = scanRules.map(() => new Int32Array(0));
    this.startLists = scanRules.map(() => new IntList());
    this.prefilter = new Prefilter([...keywordIndex.keys()], scanRules.flatMap((rule) => rule.gates));
    this.seenOfGate = new Int32Array(this.scannerOfGate.length);
    this.startViews = scanRules.map(() => new Int32Array(0));
    this.labels = [
      ...this.compiled.map((c) => ({ rule: c.rule.id, replacement: c.replacement, yields: false })),
      ...scanRules.map((rule) => ({ rule: rule.id, replacement: rule.replacement ?? FULL, yields: rule.yields === true })),
    ];
  }

  /** Rules in force, by id: scanners that share one (the sensitive keys' in text) are one rule. */
  get ruleCount(): number {
    return this.compiled.length + new Set(this.scanRules.map((rule) => rule.id)).size;
  }

  /** The merged spans of every finding in `text`. */
  detect(text: string): Span[] {
    // Keys and short values repeat from one JSON document (or streamed event) to the next: one
    // found clean is not read again. Detection is a function of the text alone.
    if (text.length <= CLEAN_LENGTH && this.clean.has(text)) return [];
    const spans = this.analyze(text, false).spans;
    if (spans.length === 0 && text.length <= CLEAN_LENGTH) {
      if (this.clean.size >= CLEAN_ENTRIES) this.clean.clear();
      this.clean.add(text);
    }
    return spans;
  }

  analyze(text: string, withHold: boolean): Analysis {
    const found = this.found;
    found.clear();
    const hits = this.prefilter.keywords.length + this.scannerOfGate.length > 0 ? this.prefilter.scan(text) : NO_HITS;
    const ruled = hits.start.length > 0 ? this.groupHits(hits) : NO_RULES;
    for (const index of ruled) {
      const c = this.compiled[index]!;
      const starts = this.hitLists[index]!.done();
      if (c.lead !== undefined) this.runAnchored(c, text, starts, found);
      else this.runWindows(c, text, starts, found);
    }
    for (const index of this.unkeyed) this.runWhole(this.compiled[index]!, text, found);
    const starts = this.gateStarts(text, hits);
    this.scanRules.forEach((rule, index) => {
      if (starts[index]!.length === 0) return;
      const order = this.compiled.length + index;
      rule.scan(text, starts[index]!, (start, end) => found.push(start, end, order));
    });
    const spans = found.merged(text, this.labels);
    // Not kept alive by the engine until the next text.
    this.line.set('', 0, 0);
    return { spans, holdFrom: withHold ? this.holdFrom(text, hits, ruled, spans) : text.length };
  }

  /** For each scanner, the offsets where one of its gates starts, ascending. */
  private gateStarts(text: string, hits: Hits): Int32Array[] {
    if (hits.gate.length === 0) return this.noStarts;
    const starts = this.startLists;
    for (const list of starts) list.clear();
    const { minLength, maxLength, canStart } = this.prefilter.gates;
    // Per gate, the offsets looked at so far: the windows of one gate's hits slide forward, so
    // each offset is looked at once per gate (a run of gate characters hits at every offset).
    const seen = this.seenOfGate.fill(-1);
    for (let h = 0; h < hits.gate.length; h++) {
      const gate = hits.gate[h]!;
      const end = hits.gateEnd[h]!;
      const list = starts[this.scannerOfGate[gate]!]!;
      // The matches end at `end` and the run's other ends after it; where one starts, its first
      // character can start the gate.
      const last = end + hits.gateRun[h]! - 1 - minLength[gate]!;
      for (let at = Math.max(0, end - maxLength[gate]!, seen[gate]! + 1); at <= last; at++) {
        const c = text.charCodeAt(at);
        if (c < 128 && canStart[gate * 128 + c] && (list.length === 0 || at !== list.data[list.length - 1])) list.push(at);
      }
      if (last > seen[gate]!) seen[gate] = last;
    }
    const views = this.startViews;
    for (let k = 0; k < starts.length; k++) views[k] = ascending(starts[k]!.done());
    return views;
  }

  /**
   * Each rule's hits, in its list of hitLists; returns the rules that have some (valid until the
   * next text). Typed lists, kept from one text to the next: a text dense with keywords has a hit
   * every few characters; and no array as long as the rules is made for each text (a streamed
   * delta is a text, and most rules have no hit in it).
   */
  private groupHits(hits: Hits): readonly number[] {
    const lists = this.hitLists;
    for (const index of this.withHits) lists[index]!.clear();
    this.withHits.length = 0;
    for (let h = 0; h < hits.start.length; h++) {
      const start = hits.start[h]!;
      for (const index of this.rulesOfKeyword[hits.keyword[h]!]!) {
        const list = (lists[index] ??= new IntList());
        if (list.length === 0) this.withHits.push(index);
        if (list.length === 0 || list.data[list.length - 1] !== start) list.push(start);
      }
    }
    return this.withHits;
  }

  private runAnchored(c: Compiled, text: string, hits: Int32Array, found: Findings) {
    const lead = c.lead!;
    const required = c.required;
    const starts = isAscending(hits) ? hits : hits.slice().sort();
    let next = -2;
    let covered = -1;
    const need = c.need && new NextMember(c.need, text);
    const need2 = c.need2 && new NextMember(c.need2, text);
    const longRun = c.longRun && new NextRun(c.longRun, text);
    const run = c.run;
    const before = c.notAfter;
    const begins = c.begins;
    // The run of `run` characters that holds the last candidate: [runStart, runEnd).
    let runStart = -1;
    let runEnd = -1;
    for (let h = 0; h < starts.length; h++) {
      const at = starts[h]! - lead;
      if (at < 0 || at < covered) continue;
      if (begins !== undefined && !text.startsWith(begins, at)) continue;
      if (before !== undefined && at > 0) {
        const c = text.charCodeAt(at - 1);
        if (c < 128 && before[c] === 1) continue;
      }
      if (required !== undefined) {
        if (next !== -1 && next < at) next = text.indexOf(required, at);
        if (next === -1 || next - at > c.reach) continue;
      }
      if (need !== undefined && !need.within(at, c.reach)) continue;
      if (need2 !== undefined && !need2.within(at, c.reach)) continue;
      if (longRun !== undefined && !longRun.within(at + longRun.offset, at + c.reach)) continue;
      if (run !== undefined) {
        // Within the last run, the same run goes on: each character is read once.
        if (at < runStart || at >= runEnd) {
          runStart = at;
          runEnd = at;
          for (; runEnd < text.length; runEnd++) {
            const ch = text.charCodeAt(runEnd);
            if (ch >= 128 || run[ch] !== 1) break;
          }
        }
        if (runEnd - at > c.reach) continue;
      }
      if (c.direct) {
        c.exec.lastIndex = at;
        const m = c.exec.exec(text);
        if (m) covered = this.accept(c, text, m, 0, found);
        continue;
      }
      // The regex sees a bounded slice: however it backtracks, a hit costs at most its length.
      // A rule without a longest match first sees OPEN_REACH past its hit, as a window would;
      // longer while its match reaches the slice's end, or while it finds none and no other
      // hit lies in what it read (so that no character is read at that length for two hits).
      const from = Math.max(0, at - LOOK_BEHIND);
      const following = h + 1 < starts.length ? starts[h + 1]! - lead : Infinity;
      for (let reach = c.open ? OPEN_REACH : c.reach; ; reach = Math.min(c.reach, reach * 4)) {
        const to = Math.min(text.length, at + reach + LOOK_AHEAD);
        const slice = from === 0 && to === text.length ? text : text.slice(from, to);
        c.exec.lastIndex = at - from;
        const m = c.exec.exec(slice);
        const wider = reach < c.reach && to < text.length && (m ? from + m.index + m[0].length + LOOK_AHEAD >= to : following >= at + reach);
        if (wider) continue;
        if (m) covered = from + this.accept(c, slice, m, from, found);
        break;
      }
    }
  }

  private runWindows(c: Compiled, text: string, starts: Int32Array, found: Findings) {
    const bounded = Number.isFinite(c.reach) && c.reach < MAX_SECRET_LENGTH;
    const radius = bounded ? c.reach : OPEN_RADIUS;
    // A regex without a longest match may read to the window's end from every position it
    // tries (`curl[^\n]*…`): its windows stay a few radii long, so a position costs that much.
    const cluster = bounded ? WINDOW_MAX / 2 : 4 * OPEN_RADIUS;
    // Hits come in order of their end: out of order only where keywords differ in length.
    const sorted = isAscending(starts) ? starts : starts.slice().sort();
    let i = 0;
    while (i < sorted.length) {
      let from = Math.max(0, sorted[i]! - radius);
      let to = Math.min(text.length, sorted[i]! + radius * 2);
      // Hits close together share a window, up to a bounded size: the next window overlaps it.
      while (++i < sorted.length && sorted[i]! - radius <= to && to - from < cluster) {
        to = Math.min(text.length, sorted[i]! + radius * 2);
      }
      // A hit whose own window lies within the region read (widened, maybe) needs no other.
      const end = this.runRegion(c, text, from, to, found);
      while (i < sorted.length && (sorted[i]! < to || sorted[i]! + radius * 2 <= end)) i++;
    }
  }

  /** Runs a window rule over text[from, to), widened while a match touches an edge that is not the text's; returns the end read. */
  private runRegion(c: Compiled, text: string, from: number, to: number, found: Findings): number {
    // The spans of the last run are kept unless it widens: a window is read once, as a rule.
    const mark = found.length;
    for (;;) {
      found.truncate(mark);
      const touches = this.runWindow(c, text, from, to, found);
      const room = WINDOW_MAX - (to - from);
      if (touches.start && from > 0 && room > 0) from = Math.max(0, from - Math.min(room, to - from));
      else if (touches.end && to < text.length && room > 0) to = Math.min(text.length, to + Math.min(room, to - from));
      else return to;
    }
  }

  /** Runs the rule over text[from, to), recording spans in `found`; reports whether a match touches an edge. */
  private runWindow(c: Compiled, text: string, from: number, to: number, found: Findings) {
    const window = from === 0 && to === text.length ? text : text.slice(from, to);
    const touches = { start: false, end: false };
    c.exec.lastIndex = 0;
    for (let m = c.exec.exec(window); m !== null; m = c.exec.exec(window)) {
      if (m[0].length === 0) {
        c.exec.lastIndex++;
        continue;
      }
      if (m.index === 0) touches.start = true;
      if (m.index + m[0].length === window.length) touches.end = true;
      this.accept(c, window, m, from, found);
    }
    return touches;
  }

  /** A rule without keywords: overlapping windows over the whole text, each as long as its longest match. */
  private runWhole(c: Compiled, text: string, found: Findings) {
    const overlap = Math.min(c.reach, MAX_SECRET_LENGTH);
    const step = Math.max(WINDOW_MAX - overlap, OPEN_RADIUS);
    for (let from = 0; from < text.length; from += step) {
      const to = Math.min(text.length, from + WINDOW_MAX);
      this.runWindow(c, text, from, to, found);
      if (to === text.length) break;
    }
  }

  /** Turns a match into a span if its secret passes the rule's gates; returns the match's end. */
  private accept(c: Compiled, text: string, m: RegExpExecArray, offset: number, found: Findings): number {
    const matchEnd = m.index + m[0].length;
    const { rule } = c;
    let start = m.index;
    let secret = m[0];
    // The secret group (unset: the first non-empty one, else the whole match); an empty one is no finding.
    if (c.groups > 0 && rule.secretGroup !== 0) {
      let group = rule.secretGroup ?? 0;
      if (group === 0) for (let g = 1; g <= c.groups && group === 0; g++) if (m[g] !== undefined && m[g]!.length > 0) group = g;
      if (group > 0) {
        const value = m[group];
        if (value === undefined || value.length === 0) return matchEnd;
        start = secretAt(c, text, m, group);
        secret = value;
      }
    }
    const end = start + secret.length;
    if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return matchEnd;
    if (rule.allow) {
      this.line.set(text, start, end);
      if (rule.allow(secret, m[0], this.line.get)) return matchEnd;
    }
    found.push(start + offset, end + offset, c.order);
    return matchEnd;
  }

  private holdFrom(text: string, hits: Hits, ruled: readonly number[], spans: Span[]): number {
    const n = text.length;
    // A keyword may be forming at the very end, and the last word may still grow into a token:
    // this covers every rule whose secrets hold no whitespace ('word' and 'line' extents).
    let hold = Math.min(n - hits.pendingPrefix, wordStart(text, n, n - MAX_SECRET_LENGTH));
    // Rules whose secrets may span whitespace or lines hold from each hit whose match could
    // still reach the end, unless a span found from it has already ended.
    for (const index of ruled) {
      const c = this.compiled[index]!;
      if ((c.rule.extent ?? 'block') !== 'block') continue;
      const lead = c.lead ?? 0;
      for (const hit of this.hitLists[index]!.done()) {
        if (hit - lead + c.reach < n) continue;
        if (spans.some((span) => span.start <= hit && span.end > hit && span.end < n)) continue;
        hold = Math.min(hold, wordStart(text, hit - lead, hit - c.reach));
      }
    }
    for (const rule of this.scanRules) hold = Math.min(hold, rule.holdFrom(text));
    // Never cut through a span found so far: it is emitted masked, whole.
    for (const span of spans) if (span.start < hold && span.end > hold) hold = span.start;
    return Math.max(0, hold);
  }
}

/** Most characters a hit's gap is followed for (NextMember.passes): a hit costs at most that. */
const GAP_READ = 64;
/** Needed characters worth looking for before a regex runs: at most two, of the fewest characters. */
const MAX_NEEDED = 2;
const MAX_NEEDED_CHARS = 40;

/**
 * How common a character is in text, roughly: a need of few characters can still be one found
 * everywhere (a space, a dash), where a need of a letter in both cases is rarely near.
 */
const COMMONNESS = (() => {
  const weight = new Uint8Array(128).fill(1);
  for (let c = 97; c <= 122; c++) weight[c] = 4;
  for (let c = 48; c <= 57; c++) weight[c] = 2;
  for (const c of '-.,/:=_"') weight[c.charCodeAt(0)] = 2;
  for (const c of [9, 10, 13]) weight[c] = 4;
  weight[32] = 16;
  return weight;
})();

/** The first two needs, each in one shape (see Compiled's need). */
function firstTwo(needs: Needed[]): { need: Need | undefined; need2: Need | undefined } {
  return { need: withFinder(oneShape(needs[0])), need2: withFinder(oneShape(needs[1])) };
}

/** A need with every property set, in one order: objects of one map wherever they came from. */
function oneShape(need: Needed | undefined): Needed | undefined {
  return need && { offset: need.offset, ascii: need.ascii, beyond: need.beyond, end: need.end, gap: need.gap, count: need.count ?? 0 };
}

/**
 * A need looked for by a regex, with its gap's own when it has one. The analysis, regexes
 * included, is shared by every engine made from the rule: each use sets lastIndex first.
 */
interface Need extends Needed {
  /** Finds the next of its characters (global: set lastIndex, then test). */
  finder: RegExp;
  /** Finds the next character that no element of its gap holds, when it has a gap. */
  outside: RegExp | undefined;
}

function withFinder(need: Needed | undefined): Need | undefined {
  if (need === undefined) return undefined;
  const gap = need.gap;
  return {
    ...need,
    finder: classFinder((c) => need.ascii[c] === 1, need.beyond),
    outside: gap && classFinder((c) => gap.ascii[c] === 0, gap.beyond === 0),
  };
}

/**
 * A global regex that finds the next character of a set (over code units, as charCodeAt reads
 * them). Irregexp scans in native code, several times as fast as a loop over charCodeAt, which
 * matters where a rule's keywords come every line and its needed character rarely.
 */
function classFinder(member: (c: number) => boolean, beyond: boolean): RegExp {
  let set = '';
  for (let c = 0; c < 128; c++) if (member(c)) set += `\\u${c.toString(16).padStart(4, '0')}`;
  if (beyond) set += '\\u0080-\\uffff';
  return new RegExp(`[${set}]`, 'g');
}

/** The needs past `keyword` characters (the hit itself holds those before), rarest first. */
function rarest(needs: Needed[], keyword: number): Needed[] {
  const size = (n: Needed) => n.ascii.reduce((a, b) => a + b, 0);
  const commonness = (n: Needed) => n.ascii.reduce((sum, member, c) => sum + member * COMMONNESS[c]!, 0);
  // Of the needs of one set, the furthest: a hit is then asked for it over less of its reach.
  const seen = new Set<string>();
  return needs
    .filter((n) => n.offset >= keyword && size(n) <= MAX_NEEDED_CHARS)
    .sort((a, b) => commonness(a) - commonness(b) || b.offset - a.offset)
    .filter((n) => {
      const key = `${n.ascii.join('')}${n.beyond}${n.end}`;
      return !seen.has(key) && seen.add(key);
    })
    .slice(0, MAX_NEEDED);
}

/** A run of one class shorter than this is not worth looking for before a regex runs. */
const MIN_RUN = 8;

function longestRun(needs: Needed[]): Needed | undefined {
  let best: Needed | undefined;
  for (const need of needs) if ((need.count ?? 0) >= MIN_RUN && !need.end && need.count! > (best?.count ?? 0)) best = need;
  return best;
}

/**
 * Finds, for hits in ascending order, whether `count` characters of a needed class lie one after
 * another within a hit's reach (a secret's value: 48 hex digits, 40 base64 characters…): prose
 * dense with a rule's keywords has none, and its hits are skipped unread by the regex. Each
 * character is read once per rule.
 */
class NextRun {
  /** The last run read that is long enough: [start, end). */
  private start = -1;
  private end = -1;
  /** Everything before this was read. */
  private read = 0;
  readonly offset: number;
  constructor(
    private readonly need: Needed,
    private readonly text: string,
  ) {
    this.offset = need.offset;
  }

  /** Whether `count` consecutive members lie within [from, limit). */
  within(from: number, limit: number): boolean {
    const count = this.need.count!;
    const { ascii, beyond } = this.need;
    const text = this.text;
    const n = text.length;
    for (;;) {
      if (this.end >= 0 && Math.max(this.start, from) + count <= this.end) return Math.max(this.start, from) + count <= Math.min(limit, n);
      let i = Math.max(this.read, from);
      if (i >= n || i >= limit) return false;
      // Bounds checked before each read: a read past the end would cost a recompilation in V8.
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c < 128 ? ascii[c] === 1 : beyond) break;
      }
      let j = i;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (!(c < 128 ? ascii[c] === 1 : beyond)) break;
      }
      this.read = j;
      if (j - i >= count) {
        this.start = i;
        this.end = j;
      }
    }
  }
}

/**
 * Finds, for hits in ascending order, whether a needed character lies within a hit's reach.
 * Each character is read at most once per rule, by a regex (see classFinder).
 */
class NextMember {
  /** Offset of the first member from the last search's start (-1: none searched yet). */
  private found = -1;
  /** Everything before this was read. */
  private read = 0;
  /** The first character from the last search's start that no element of the gap holds (-1: none searched; the text's length: none). */
  private outside = -1;
  constructor(
    private readonly need: Need,
    private readonly text: string,
  ) {}

  /** Whether a match starting at `at`, at most `reach` long, can hold one of the characters. */
  within(at: number, reach: number): boolean {
    const from = at + this.need.offset;
    const limit = Math.min(this.text.length, at + reach);
    if (this.need.end && this.text.length <= at + reach) return true;
    if (this.found >= from) return this.found < limit && this.reachable(at, limit);
    const start = Math.max(from, this.read);
    if (start >= limit) return false;
    // The next member, however far: hits up to it need no other search.
    const finder = this.need.finder;
    finder.lastIndex = start;
    if (!finder.test(this.text)) {
      this.read = this.text.length;
      return false;
    }
    this.found = finder.lastIndex - 1;
    this.read = this.found + 1;
    return this.found < limit && this.reachable(at, limit);
  }

  /**
   * Whether the first needed character from the hit (`found`) can be reached through the gap:
   * no further than the gap's longest, and before any character none of its elements holds
   * (each read once for ascending hits); then as the elements come, in order (passes).
   */
  private reachable(at: number, limit: number): boolean {
    const gap = this.need.gap;
    if (gap === undefined) return true;
    const found = this.found;
    if (found > at + gap.longest) return false;
    if (this.outside < at) {
      const outside = this.need.outside!;
      // Hits ascend: the last search ended before this one starts, and none reads a character twice.
      outside.lastIndex = at;
      this.outside = outside.test(this.text) ? outside.lastIndex - 1 : this.text.length;
    }
    if (this.outside >= at && this.outside < found) return false;
    return this.passes(at, limit);
  }

  /**
   * Whether the text from `at` can pass through the elements before the needed one (its gap)
   * to one of its characters, before `limit`. Each character goes to the first element, from
   * the current one on, that holds it and has room: a match puts it in that element or a later
   * one, so this never rules out a match. At most GAP_READ characters are read for a hit.
   */
  private passes(at: number, limit: number): boolean {
    const { ascii, beyond, max } = this.need.gap!;
    const need = this.need.ascii;
    const needBeyond = this.need.beyond;
    const from = at + this.need.offset;
    const text = this.text;
    const stop = Math.min(limit, at + GAP_READ);
    let element = 0;
    let count = 0;
    for (let i = at; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (i >= from && (c < 128 ? need[c] === 1 : needBeyond)) return true;
      // The elements that can take it: this one while it has room, or a later one.
      let next = (c < 128 ? ascii[c]! : beyond) & (-1 << element);
      if (count >= max[element]!) next &= ~(1 << element);
      if (next === 0) return false;
      const first = 31 - Math.clz32(next & -next);
      if (first === element) count++;
      else {
        element = first;
        count = 1;
      }
    }
    // Stopped before the match's longest end: read no further, the regex decides.
    return stop < limit;
  }
}

function withoutLazyLead(source: string): string {
  for (let m = LAZY_LEAD.exec(source); m; m = LAZY_LEAD.exec(source)) source = (m[1] ?? '') + source.slice(m[0].length);
  return source;
}

/**
 * Where group `group` (non-empty) of match `m` starts in `text`: where its value occurs in the
 * match, when it occurs there once; else as the regex with indices reports it, run again at
 * the match (a regex tried at one position matches there as it did).
 */
function secretAt(c: Compiled, text: string, m: RegExpExecArray, group: number): number {
  const value = m[group]!;
  const at = m[0].indexOf(value);
  if (at !== -1 && m[0].indexOf(value, at + 1) === -1) return m.index + at;
  const indices = c.indices!;
  indices.lastIndex = m.index;
  return indices.exec(text)!.indices![group]![0];
}

function isAscending(list: Int32Array): boolean {
  for (let i = 1; i < list.length; i++) if (list[i]! < list[i - 1]!) return false;
  return true;
}

/** `list` sorted ascending without repeats (gate windows overlap and interleave). */
function ascending(list: Int32Array): Int32Array {
  let sorted = true;
  for (let i = 1; i < list.length && sorted; i++) sorted = list[i]! > list[i - 1]!;
  if (sorted) return list;
  const typed = list.slice().sort();
  let n = 0;
  for (let i = 0; i < typed.length; i++) if (i === 0 || typed[i] !== typed[n - 1]) typed[n++] = typed[i]!;
  return typed.subarray(0, n);
}

function asciiTable(member: RegExp): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = member.test(String.fromCharCode(c)) ? 1 : 0;
  return table;
}

/**
 * The line around a candidate, for the allow filters that read it (`get`): one for every
 * candidate an engine judges, made only when read, not a function made for each.
 */
class LineAround {
  private text = '';
  private start = 0;
  private end = 0;
  private line: string | undefined;

  set(text: string, start: number, end: number) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.line = undefined;
  }

  readonly get = (): string => {
    if (this.line === undefined) {
      const from = this.text.lastIndexOf('\n', this.start - 1) + 1;
      const to = this.text.indexOf('\n', this.end);
      this.line = this.text.slice(from, to === -1 ? this.text.length : to);
    }
    return this.line;
  };
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11;

/** Start of the whitespace-free run that contains offset `at`, looking back no further than `floor`. */
function wordStart(text: string, at: number, floor: number): number {
  let i = Math.min(at, text.length);
  const stop = Math.max(0, floor);
  while (i > stop && !isSpace(text.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * Sorted, non-overlapping spans; overlapping ones become their union (the first rule's id), but a
 * span that yields (a scanner's guess at where a value ends, assignments.ts: "token: xoxb-…
 * (rotate it)") gives way to another rule's finding inside it, which is what is masked of it.
 * Edges are moved off backslash escapes, so that masking inside JSON text stays valid JSON.
 */
export function merge(text: string, spans: Span[]): Span[] {
  if (spans.length === 0) return spans;
  const aligned = spans.map((s) => alignToEscapes(text, s));
  aligned.sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
  const out: Span[] = [aligned[0]!];
  for (let i = 1; i < aligned.length; i++) {
    const span = aligned[i]!;
    const last = out[out.length - 1]!;
    if (span.start < last.end) {
      if (last.yields && !span.yields) out[out.length - 1] = span;
      else if (span.end > last.end && (!span.yields || last.yields)) out[out.length - 1] = { ...last, end: span.end };
    } else {
      out.push(span);
    }
  }
  return out;
}

/** What names the spans of a rule (by its order). */
interface Label {
  rule: string;
  replacement: Replacement;
  yields: boolean;
}

const spanOf = (start: number, end: number, order: number, label: Label): Span => ({
  start,
  end,
  rule: label.rule,
  replacement: label.replacement,
  order,
  ...(label.yields && { yields: true }),
});

/**
 * The findings of one text as columns: where each starts and ends, and its rule's order (which
 * names the rule). A text dense with findings (a keyword repeated, a value after each) made an
 * object for each, most of them merged away; only the merged spans are objects.
 */
class Findings {
  private readonly start = new IntList();
  private readonly end = new IntList();
  private readonly order = new IntList();

  get length(): number {
    return this.start.length;
  }

  push(start: number, end: number, order: number) {
    this.start.push(start);
    this.end.push(end);
    this.order.push(order);
  }

  /** Drops the findings from `length` on (a window read again, wider). */
  truncate(length: number) {
    this.start.length = this.end.length = this.order.length = length;
  }

  clear() {
    this.start.clear();
    this.end.clear();
    this.order.clear();
  }

  /** As merge() does for objects, labelled by order. */
  merged(text: string, labels: readonly Label[]): Span[] {
    const n = this.start.length;
    if (n === 0) return [];
    const start = this.start.data;
    const end = this.end.data;
    const order = this.order.data;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const s = alignStart(text, start[i]!);
      start[i] = s;
      end[i] = alignEnd(text, s, end[i]!);
      // As merge() sorts: by start, the longest first, then by order.
      if (i > 0 && sorted) {
        const d = start[i - 1]! - s || end[i]! - end[i - 1]! || order[i - 1]! - order[i]!;
        sorted = d <= 0;
      }
    }
    let index: Int32Array | undefined;
    if (!sorted) {
      index = new Int32Array(n);
      for (let i = 0; i < n; i++) index[i] = i;
      index.sort((a, b) => start[a]! - start[b]! || end[b]! - end[a]! || order[a]! - order[b]! || a - b);
    }
    const out: Span[] = [];
    let lastEnd = -1;
    let last: Span | undefined;
    for (let k = 0; k < n; k++) {
      const i = index === undefined ? k : index[k]!;
      const label = labels[order[i]!]!;
      if (last !== undefined && start[i]! < lastEnd) {
        if (last.yields && !label.yields) {
          last = out[out.length - 1] = spanOf(start[i]!, end[i]!, order[i]!, label);
          lastEnd = end[i]!;
        } else if (end[i]! > lastEnd && (!label.yields || last.yields)) last.end = lastEnd = end[i]!;
        continue;
      }
      last = spanOf(start[i]!, end[i]!, order[i]!, label);
      lastEnd = end[i]!;
      out.push(last);
    }
    return out;
  }
}

function escapeStartsAt(text: string, i: number): boolean {
  let run = 0;
  while (i - run >= 0 && text.charCodeAt(i - run) === 92) run++;
  return run % 2 === 1;
}

/** A span's start moved off the character after an escaping backslash (or inside \uXXXX): to the backslash. */
function alignStart(text: string, start: number): number {
  for (let back = 1; back <= 5 && start - back >= 0; back++) {
    const b = start - back;
    if (text.charCodeAt(b) !== 92 || !escapeStartsAt(text, b)) continue;
    const length = text.charCodeAt(b + 1) === 117 ? 6 : 2;
    return b + length > start ? b : start;
  }
  return start;
}

/** A span's end inside an escape: moved past the rest of it. */
function alignEnd(text: string, start: number, end: number): number {
  for (let back = 1; back <= 6 && end - back >= start; back++) {
    const b = end - back;
    if (text.charCodeAt(b) !== 92 || !escapeStartsAt(text, b)) continue;
    const length = text.charCodeAt(b + 1) === 117 ? 6 : 2;
    return b + length > end ? Math.min(text.length, b + length) : end;
  }
  return end;
}

function alignToEscapes(text: string, span: Span): Span {
  const start = alignStart(text, span.start);
  const end = alignEnd(text, start, span.end);
  return start === span.start && end === span.end ? span : { ...span, start, end };
}
