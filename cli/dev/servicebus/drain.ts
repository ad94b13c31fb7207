// Credit bookkeeping rhea keeps on a sending link but does not expose, and two fixes to how it
// answers a receiver's drain request, without which the SDK waits, times out and drops the link
// (losing every lock on it).

interface SenderInternals {
  credit: number;
  delivery_count: number;
  _draining: boolean;
  _drained: boolean;
  _get_drain(): boolean;
  set_drained(drained: boolean): void;
  connection: { _register(): void };
}

/** The credit a receiver has granted that no transfer has used yet. */
export function creditOf(sender: object): number {
  return (sender as SenderInternals).credit;
}

/**
 * rhea flags a drain as done only while credit is left, so a drain request that crossed the
 * transfers using the last credit would never be answered. This answers it too.
 */
export function answerEveryDrain(sender: object): void {
  (sender as SenderInternals)._get_drain = function (this: SenderInternals) {
    if (!(this._draining && this._drained)) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    return true;
  };
}

/** Tells the receiver its drain is done: the rest of its credit is used up, with nothing to send. */
export function completeDrain(sender: object): void {
  const link = sender as SenderInternals;
  link.set_drained(true);
  // set_drained only marks the flow as due; nothing writes it until the connection next has work.
  link.connection._register();
}
