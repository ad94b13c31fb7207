// Aho–Corasick over the keywords of the regex rules, as a dense DFA (see dfa.ts) over the
// keywords' own alphabet, ASCII case folded: one pass finds every occurrence of every keyword,
// so the cost of a text with none of them does not grow with the number of rules.
import type { Dfa } from './dfa.js';

export interface KeywordAutomaton extends Dfa {
  /** Characters matched at each state: how much of a keyword may be forming there. */
  depth: Int32Array;
  keywordLength: Int32Array;
}

export function compileKeywords(keywords: readonly string[]): KeywordAutomaton {
  const classOf = new Uint8Array(65536);
  const lowered = keywords.map((k) => k.toLowerCase());
  let classes = 1;
  for (const k of lowered) {
    for (const ch of k) {
      const code = ch.charCodeAt(0);
      if (classOf[code]) continue;
      if (classes > 255) throw new Error('keyword alphabet too large');
      classOf[code] = classes;
      const upper = ch.toUpperCase();
      if (upper.length === 1 && upper !== ch) classOf[upper.charCodeAt(0)] = classes;
      classes++;
    }
  }

  // Trie.
  const goto: number[][] = [new Array(classes).fill(-1)];
  const out: number[][] = [[]];
  const depth: number[] = [0];
  lowered.forEach((k, index) => {
    if (k.length === 0) return;
    let s = 0;
    for (const ch of k) {
      const c = classOf[ch.charCodeAt(0)]!;
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

  const delta = new Int32Array(goto.length * classes);
  goto.forEach((row, s) => row.forEach((t, c) => (delta[s * classes + c] = out[t]!.length > 0 ? ~(t * classes) : t * classes)));
  const outputStart = new Int32Array(goto.length + 1);
  const flat: number[] = [];
  out.forEach((list, s) => {
    outputStart[s] = flat.length;
    flat.push(...list);
  });
  outputStart[goto.length] = flat.length;
  return {
    classOf,
    width: classes,
    delta,
    outputStart,
    outputList: Int32Array.from(flat),
    depth: Int32Array.from(depth),
    keywordLength: Int32Array.from(lowered, (k) => k.length),
  };
}
