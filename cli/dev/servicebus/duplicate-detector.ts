// Service Bus duplicate detection: a message whose messageId was already seen within the window
// is dropped. The window runs from the first sighting; repeats do not extend it.
export class DuplicateDetector {
  // Insertion order is expiry order (one window for all), so expired ids are always at the front.
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when the id was seen within the window; otherwise remembers it. */
  isDuplicate(messageId: unknown, now: number): boolean {
    if (this.windowMs === 0 || messageId === undefined || messageId === null) return false;
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(key);
    }
    const key = Buffer.isBuffer(messageId) ? `binary:${messageId.toString('hex')}` : `${typeof messageId}:${String(messageId)}`;
    if (this.seen.has(key)) return true;
    this.seen.set(key, now + this.windowMs);
    return false;
  }
}
