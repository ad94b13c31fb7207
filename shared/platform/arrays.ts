// Appending one array to another without spreading it into arguments: `a.push(...b)` throws
// RangeError once `b` has more items than the stack holds arguments (about 100,000), which an
// answer full of findings reaches.

export function pushAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}
