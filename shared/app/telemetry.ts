// Starts the OpenTelemetry SDK the settings ask for (PORTCULLIS_TELEMETRY and
// PORTCULLIS_TRACE_SAMPLING, validated in shared/platform/config.ts): off costs nothing; any other
// mode loads the SDK once per process, and requests go unrecorded until it has loaded.
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/log.js';
import { createTelemetry, noTelemetry, type Telemetry } from '../platform/telemetry.js';

/** The SDK is process-wide: started once, whatever number of runtimes the process creates. */
let sdk: Promise<Telemetry> | undefined;

export function startTelemetry({ mode, sampling: ratio }: Config['telemetry'], env: NodeJS.ProcessEnv, log: Logger): Telemetry {
  if (mode === 'off') return noTelemetry;
  if (mode === 'api') return createTelemetry();
  sdk ??= import('./telemetry-sdk.js').then(({ startSdk }) => {
    startSdk(mode, ratio, env);
    log.info('telemetry on', { mode, sampling: ratio });
    // Instruments are made once the SDK is there: a meter taken before would stay a no-op.
    return createTelemetry();
  });
  // Until the SDK has loaded (a moment after start), requests go unrecorded rather than wait.
  let current = noTelemetry;
  sdk.then(
    (started) => (current = started),
    (error: unknown) => log.error('telemetry could not start', { error: String(error) }),
  );
  return {
    get enabled() {
      return current.enabled;
    },
    span: (name, fn, attributes) => current.span(name, fn, attributes),
    events: (events) => current.events(events),
    appended: (mode, ms, failed) => current.appended(mode, ms, failed),
    approvalOpened: () => current.approvalOpened(),
    approvalClosed: (status, seconds) => current.approvalClosed(status, seconds),
  };
}
