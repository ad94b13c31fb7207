// One timer that rings no later than the earliest time asked of it. A store keeps a single alarm
// for every lock expiry and scheduled enqueue, so closing it clears everything at once.

// setTimeout fires at once for delays past 2^31-1 ms; a far-off alarm rings early and is re-armed.
const MAX_DELAY_MS = 2 ** 31 - 1;

export class Alarm {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;

  constructor(private readonly ring: () => void) {}

  wakeBy(time: number): void {
    if (time >= this.at) return;
    this.cancel();
    this.at = time;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Infinity;
      this.ring();
    }, Math.min(Math.max(time - Date.now(), 0), MAX_DELAY_MS));
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}
