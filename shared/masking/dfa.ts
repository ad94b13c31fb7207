// DFAs as the prefilter runs them: each UTF-16 code unit maps to a class, and each transition
// holds the next state premultiplied by the row width, negated (~) when that state reports
// something (a keyword or a gate ends there), so a step is a table read and a sign test.

export interface Dfa {
  classOf: Uint8Array;
  width: number;
  delta: Int32Array;
  /** What each state reports: outputList[outputStart[state] .. outputStart[state + 1]). */
  outputStart: Int32Array;
  outputList: Int32Array;
}

/** A DFA that stays in its one state and reports nothing. */
export const IDLE: Dfa = {
  classOf: new Uint8Array(65536),
  width: 1,
  delta: Int32Array.of(0),
  outputStart: Int32Array.of(0, 0),
  outputList: new Int32Array(0),
};

/** A DFA that runs two at once; `stateA` and `stateB` give each of its states' states in them. */
export interface Product {
  classOf: Uint8Array;
  width: number;
  delta: Int32Array;
  stateA: Int32Array;
  stateB: Int32Array;
}

/**
 * The product of two DFAs over the pairs of states that text can reach together, or undefined
 * when its table would exceed `maxEntries`. Such a table is large, but text keeps to a few of
 * its rows, and one table read per character costs less than two.
 */
export function product(a: Dfa, b: Dfa, maxEntries: number): Product | undefined {
  // Classes: the pairs of the two DFAs' classes that some code unit has.
  const classOf = new Uint8Array(65536);
  const classOfPair = new Int32Array(a.width * b.width).fill(-1);
  const classA: number[] = [];
  const classB: number[] = [];
  for (let c = 0; c < 65536; c++) {
    const pair = a.classOf[c]! * b.width + b.classOf[c]!;
    if (classOfPair[pair]! < 0) {
      if (classA.length > 255) return undefined;
      classOfPair[pair] = classA.length;
      classA.push(a.classOf[c]!);
      classB.push(b.classOf[c]!);
    }
    classOf[c] = classOfPair[pair]!;
  }
  const width = classA.length;
  const statesB = b.delta.length / b.width;

  // Breadth first from the pair of start states; a state is numbered when first reached.
  const stateOf = new Map<number, number>([[0, 0]]);
  const stateA = [0];
  const stateB = [0];
  let delta = new Int32Array(1024);
  for (let s = 0; s < stateA.length; s++) {
    if ((s + 1) * width > maxEntries) return undefined;
    if ((s + 1) * width > delta.length) {
      const bigger = new Int32Array(delta.length * 2);
      bigger.set(delta);
      delta = bigger;
    }
    const rowA = stateA[s]! * a.width;
    const rowB = stateB[s]! * b.width;
    for (let cls = 0; cls < width; cls++) {
      const ta = a.delta[rowA + classA[cls]!]!;
      const tb = b.delta[rowB + classB[cls]!]!;
      const sa = (ta < 0 ? ~ta : ta) / a.width;
      const sb = (tb < 0 ? ~tb : tb) / b.width;
      const key = sa * statesB + sb;
      let t = stateOf.get(key);
      if (t === undefined) {
        stateOf.set(key, (t = stateA.length));
        stateA.push(sa);
        stateB.push(sb);
      }
      delta[s * width + cls] = ta < 0 || tb < 0 ? ~(t * width) : t * width;
    }
  }
  return { classOf, width, delta: delta.slice(0, stateA.length * width), stateA: Int32Array.from(stateA), stateB: Int32Array.from(stateB) };
}
