// Which OpenTelemetry SDK the process exports through, chosen once from the environment:
//
//   PORTCULLIS_TELEMETRY      azure (the default when APPLICATIONINSIGHTS_CONNECTION_STRING is set):
//                             the Azure Monitor distro to Application Insights;
//                             console / otlp: the Node SDK to stdout / to OTEL_EXPORTER_OTLP_ENDPOINT;
//                             api: whatever SDK the process registered itself (tests);
//                             off (the default otherwise): nothing is recorded, at no cost.
//   PORTCULLIS_TRACE_SAMPLING the share of requests traced, 0–1 (default 0.1); metrics count every request.
import type { Logger } from '../platform/log.js';
import { createTelemetry, noTelemetry, type Telemetry } from '../platform/telemetry.js';

const MODES = ['off', 'azure', 'console', 'otlp', 'api'] as const;
type Mode = (typeof MODES)[number];

export function telemetryMode(env: NodeJS.ProcessEnv): Mode {
  const asked = env.PORTCULLIS_TELEMETRY?.trim().toLowerCase();
  if (!asked) return env.APPLICATIONINSIGHTS_CONNECTION_STRING ? 'azure' : 'off';
  if (!(MODES as readonly string[]).includes(asked)) throw new Error(`PORTCULLIS_TELEMETRY must be one of ${MODES.join(', ')}`);
  return asked as Mode;
}

export function samplingRatio(env: NodeJS.ProcessEnv): number {
  const ratio = Number(env.PORTCULLIS_TRACE_SAMPLING ?? 0.1);
  if (!(ratio >= 0 && ratio <= 1)) throw new Error('PORTCULLIS_TRACE_SAMPLING must be a number from 0 to 1');
  return ratio;
}

/** The SDK is process-wide: started once, whatever number of runtimes the process creates. */
let sdk: Promise<Telemetry> | undefined;

export function startTelemetry(env: NodeJS.ProcessEnv, log: Logger): Telemetry {
  const mode = telemetryMode(env);
  if (mode === 'off') return noTelemetry;
  if (mode === 'api') return createTelemetry();
  const ratio = samplingRatio(env);
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
