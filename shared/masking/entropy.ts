// Shannon entropy in bits per character: what the entropy thresholds of rules are measured in.
// Counted in a typed array for ASCII (a rule's candidates nearly always are), in a map beyond.
const ascii = new Int32Array(128);

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
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128 && ascii[c]! > 0) {
      const p = ascii[c]! / n;
      bits -= p * Math.log2(p);
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
