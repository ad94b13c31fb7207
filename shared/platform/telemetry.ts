// Operability through OpenTelemetry's API: a trace of each request with the pipeline's steps as
// spans, and the gateway's metrics. Which SDK exports them (the Azure Monitor distro in Azure, the
// console or OTLP locally) is chosen once at the composition root (telemetry-setup.ts); this module
// only records. Off, it is `noTelemetry`: each call returns at once and builds nothing.
import { metrics, SpanStatusCode, trace, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';

/** A session event as far as metrics read it (the gateway's EventInput fits). */
export interface TelemetryEvent {
  type: string;
  connection?: string;
  decision?: { action: string; rule: string | null };
  findings?: ReadonlyArray<{ rule: string }>;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Runs `fn` in a span `portcullis.<name>`, a child of the active one (a trace per request). */
  span<T>(name: string, fn: () => Promise<T>, attributes?: Attributes): Promise<T>;
  /** Events handed to the session log: decisions by action, connection and rule; findings by rule. */
  events(events: readonly TelemetryEvent[]): void;
  /** One append to the session log: how long it took, and whether it failed. */
  appended(mode: string, ms: number, failed: boolean): void;
  /** An approval opened (now pending). */
  approvalOpened(): void;
  /** An approval left pending (approved, denied, expired…) after `seconds`. */
  approvalClosed(status: string, seconds: number): void;
}

const noop = () => undefined;

export const noTelemetry: Telemetry = {
  enabled: false,
  span: (_name, fn) => fn(),
  events: noop,
  appended: noop,
  approvalOpened: noop,
  approvalClosed: noop,
};

/** Telemetry recorded through the given tracer and meter (by default, the process's global ones). */
export function createTelemetry(tracer: Tracer = trace.getTracer('portcullis'), meter: Meter = metrics.getMeter('portcullis')): Telemetry {
  const decisions = meter.createCounter('portcullis.decisions', { description: 'Decisions recorded, by action, connection and rule' });
  const findings = meter.createCounter('portcullis.masking.findings', { description: 'Secrets and PII masked, by rule and event type' });
  const appendFailures = meter.createCounter('portcullis.recording.failures', { description: 'Session-log appends that failed, by recording mode' });
  const appendLatency = meter.createHistogram('portcullis.recording.append.duration', { description: 'Session-log append latency', unit: 'ms' });
  const pending = meter.createUpDownCounter('portcullis.approvals.pending', { description: 'Approvals waiting for a reviewer' });
  const toDecision = meter.createHistogram('portcullis.approvals.decision.duration', { description: 'Time from an approval opening to its outcome', unit: 's' });
  return {
    enabled: true,
    span: (name, fn, attributes) =>
      tracer.startActiveSpan(`portcullis.${name}`, { attributes }, async (span) => {
        try {
          return await fn();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : String(error) });
          throw error;
        } finally {
          span.end();
        }
      }),
    events(events) {
      for (const event of events) {
        if (event.decision) decisions.add(1, { action: event.decision.action, connection: event.connection ?? '', rule: event.decision.rule ?? '' });
        for (const finding of event.findings ?? []) findings.add(1, { rule: finding.rule, event: event.type });
      }
    },
    appended(mode, ms, failed) {
      appendLatency.record(ms, { mode });
      if (failed) appendFailures.add(1, { mode });
    },
    approvalOpened: () => pending.add(1),
    approvalClosed(status, seconds) {
      pending.add(-1);
      toDecision.record(seconds, { status });
    },
  };
}
