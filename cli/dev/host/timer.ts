// Runs timer triggers on their NCRONTAB schedules (UTC). A run that throws is logged; the
// schedule carries on, as in Azure.
import type { Timer } from '@azure/functions';
import { InvocationContext } from '../../../shared/platform/azure-functions.js';
import type { TimerFunction } from '../../../shared/platform/triggers.js';
import type { Logger } from '../../../shared/platform/log.js';
import { invocationLog } from './invocation-log.js';
import { parseNcrontab } from './ncrontab.js';

export interface RunningTimers {
  close(): Promise<void>;
}

export function startTimers(functions: TimerFunction[], log: Logger, now: () => Date = () => new Date()): RunningTimers {
  const timeouts = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let closed = false;
  for (const fn of functions) {
    const schedule = parseNcrontab(fn.schedule);
    let last = now();
    const arm = () => {
      if (closed) return;
      const next = schedule.next(now());
      const timeout = setTimeout(() => {
        timeouts.delete(timeout);
        const fired = now();
        const timer: Timer = {
          isPastDue: fired.getTime() - next.getTime() > 1000,
          schedule: { adjustForDST: false },
          scheduleStatus: { last: last.toISOString(), next: schedule.next(fired).toISOString(), lastUpdated: fired.toISOString() },
        };
        last = fired;
        const run = fn
          .handler(timer, new InvocationContext({ functionName: fn.name, logHandler: invocationLog(log, { function: fn.name }) }))
          .catch((error: unknown) => log.error('timer function failed', { function: fn.name, error: String(error) }))
          .finally(() => running.delete(run));
        running.add(run);
        arm();
      }, Math.max(0, next.getTime() - now().getTime()));
      timeouts.add(timeout);
    };
    arm();
  }
  return {
    async close() {
      closed = true;
      for (const t of timeouts) clearTimeout(t);
      await Promise.allSettled([...running]);
    },
  };
}
