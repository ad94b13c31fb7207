// Masked keys kept apart: {"ghp_A…": 1, "ghp_B…": 2} masks both keys to the same marker, and a
// JSON parser keeps only the last of two equal keys, so a value would be lost.

/** `masked`, or the first of `masked#2`, `masked#3`, … that `taken` does not hold. */
export function distinctKey(masked: string, taken: (key: string) => boolean): string {
  if (!taken(masked)) return masked;
  let n = 2;
  while (taken(`${masked}#${n}`)) n++;
  return `${masked}#${n}`;
}
