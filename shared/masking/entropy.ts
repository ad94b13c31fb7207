// Shannon entropy in bits per character: what the entropy thresholds of rules are measured in.
// Counted in a typed array for ASCII (a rule's candidates nearly always are), in a map beyond.
const ascii = new Int32Array(128);

/** Longest value whose terms are kept in a table: candidates are judged one every few characters in a dense text. */
const TABLE_MAX = 256;
/**
 * terms[n][count]: p * log2(p) for p = count / n, computed as the loop below computes it, so
 * a value's entropy is the same number with or without the table.
 */
const terms: (Float64Array | undefined)[] = [];

function termsFor(n: number): Float64Array {
  let row = terms[n];
  if (row === undefined) {
    row = new Float64Array(n + 1);
    for (let count = 1; count <= n; count++) {
      const p = count / n;
      row[count] = p * Math.log2(p);
    }
    terms[n] = row;
  }
  return row;
}

export function shannonEntropy(value: string): number {
  const n = value.length;
  if (n === 0) return 0;
  let others: Map<number, number> | undefined;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) ascii[c]!++;
    else (others ??= new Map()).set(c, (others.get(c) ?? 0) + 1);
  }
  let bits = 0;
  const row = n <= TABLE_MAX ? termsFor(n) : undefined;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128 && ascii[c]! > 0) {
      if (row !== undefined) bits -= row[ascii[c]!]!;
      else {
        const p = ascii[c]! / n;
        bits -= p * Math.log2(p);
      }
      ascii[c] = 0;
    }
  }
  if (others) {
    for (const count of others.values()) {
      const p = count / n;
      bits -= p * Math.log2(p);
    }
  }
  return bits;
}
