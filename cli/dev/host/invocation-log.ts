// Routes an InvocationContext's log calls (context.info/warn/error…) to the host's logger, as the
// Functions host routes them to Application Insights.
import type { LogHandler } from '@azure/functions';
import type { LogFields, Logger } from '../../../shared/platform/log.js';

export function invocationLog(log: Logger, fields: LogFields): LogHandler {
  return (level, ...args) => {
    const message = args.map((a) => (a instanceof Error ? a.stack ?? a.message : String(a))).join(' ');
    if (level === 'error' || level === 'critical') log.error(message, fields);
    else if (level === 'warning') log.warn(message, fields);
    else if (level !== 'none') log.info(message, fields);
  };
}
