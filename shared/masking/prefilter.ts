// Aho–Corasick over the keywords of every rule, as a dense DFA over the keywords' own
// alphabet (ASCII case folded). One pass finds every keyword occurrence, so the cost of a
// text with none of them does not grow with the number of rules. Transitions hold the next
// state premultiplied by the row width, negated (~) when that state ends a keyword, so the
// inner loop is one table read and one sign test per character.

export interface KeywordHits {
  /** Keyword index of each hit, in text order of the hit's end. */
  keyword: Int32Array;
  /** Start offset of each hit. */
  start: Int32Array;
  count: number;
  /** Characters at the end of the text that are a proper prefix of some keyword (a hit may still be forming). */
  pendingPrefix: number;
}

export class KeywordPrefilter {
  private readonly classOf = new Uint8Array(65536);
  private readonly width: number;
  private readonly delta: Int32Array;
  /** Keyword indexes ending at each state: outputStart[state] .. outputStart[state + 1]. */
  private readonly outputStart: Int32Array;
  private readonly outputList: Int32Array;
  private readonly depth: Int32Array;
  private readonly keywordLength: Int32Array;

  constructor(readonly keywords: readonly string[]) {
    const lowered = keywords.map((k) => k.toLowerCase());
    let classes = 1;
    for (const k of lowered) {
      for (const ch of k) {
        const code = ch.charCodeAt(0);
        if (this.classOf[code]) continue;
        if (classes > 255) throw new Error('keyword alphabet too large');
        this.classOf[code] = classes;
        const upper = ch.toUpperCase();
        if (upper.length === 1 && upper !== ch) this.classOf[upper.charCodeAt(0)] = classes;
        classes++;
      }
    }
    this.width = classes;
    this.keywordLength = Int32Array.from(lowered, (k) => k.length);

    // Trie.
    const goto: number[][] = [new Array(classes).fill(-1)];
    const out: number[][] = [[]];
    const depth: number[] = [0];
    lowered.forEach((k, index) => {
      if (k.length === 0) return;
      let s = 0;
      for (const ch of k) {
        const c = this.classOf[ch.charCodeAt(0)]!;
        if (goto[s]![c] === -1) {
          goto[s]![c] = goto.length;
          goto.push(new Array(classes).fill(-1));
          out.push([]);
          depth.push(depth[s]! + 1);
        }
        s = goto[s]![c]!;
      }
      out[s]!.push(index);
    });

    // Failure links, breadth first, folded into a complete transition table.
    const fail = new Array<number>(goto.length).fill(0);
    const queue: number[] = [];
    for (let c = 0; c < classes; c++) {
      const t = goto[0]![c]!;
      if (t === -1) goto[0]![c] = 0;
      else queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      out[s]!.push(...out[fail[s]!]!);
      for (let c = 0; c < classes; c++) {
        const t = goto[s]![c]!;
        if (t === -1) goto[s]![c] = goto[fail[s]!]![c]!;
        else {
          fail[t] = goto[fail[s]!]![c]!;
          queue.push(t);
        }
      }
    }

    this.delta = new Int32Array(goto.length * classes);
    goto.forEach((row, s) =>
      row.forEach((t, c) => (this.delta[s * classes + c] = out[t]!.length > 0 ? ~(t * classes) : t * classes)),
    );
    this.outputStart = new Int32Array(goto.length + 1);
    const flat: number[] = [];
    out.forEach((list, s) => {
      this.outputStart[s] = flat.length;
      flat.push(...list);
    });
    this.outputStart[goto.length] = flat.length;
    this.outputList = Int32Array.from(flat);
    this.depth = Int32Array.from(depth);
  }

  scan(text: string): KeywordHits {
    const { classOf, delta, outputStart, outputList, keywordLength, width } = this;
    let keyword: Int32Array = new Int32Array(64);
    let start: Int32Array = new Int32Array(64);
    let count = 0;
    let state = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      state = delta[state + classOf[text.charCodeAt(i)]!]!;
      if (state >= 0) continue;
      state = ~state;
      const s = state / width;
      for (let o = outputStart[s]!, last = outputStart[s + 1]!; o < last; o++) {
        if (count === keyword.length) {
          keyword = grow(keyword);
          start = grow(start);
        }
        const k = outputList[o]!;
        keyword[count] = k;
        start[count] = i + 1 - keywordLength[k]!;
        count++;
      }
    }
    return { keyword, start, count, pendingPrefix: this.depth[state / width]! };
  }
}

function grow(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
