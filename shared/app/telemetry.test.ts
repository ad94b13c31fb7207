// Which telemetry the environment asks for, and what the recorder of metrics counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { memoryLogger } from '../platform/log.js';
import { createTelemetry, noTelemetry } from '../platform/telemetry.js';
import { startTelemetry } from './telemetry.js';

describe('startTelemetry', () => {
  it('off, records nothing and costs nothing', async () => {
    assert.equal(startTelemetry({ mode: 'off', sampling: 1 }, {}, memoryLogger()), noTelemetry);
    assert.equal(await noTelemetry.span('x', async () => 7), 7);
  });
});

describe('createTelemetry', () => {
  const setup = () => {
    const spans = new InMemorySpanExporter();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const telemetry = createTelemetry(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer('test'),
      new MeterProvider({ readers: [reader] }).getMeter('test'),
    );
    const metric = async (name: string) => {
      await reader.forceFlush();
      return exporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((scope) => scope.metrics)
        .find((m) => m.descriptor.name === name)?.dataPoints;
    };
    return { telemetry, spans, metric };
  };

  it('counts approvals pending and times their decision', async () => {
    const { telemetry, metric } = setup();
    telemetry.approvalOpened();
    telemetry.approvalOpened();
    telemetry.approvalClosed('approved', 42);
    assert.equal((await metric('portcullis.approvals.pending'))?.[0]?.value, 1);
    const decided = (await metric('portcullis.approvals.decision.duration'))?.find((p) => p.attributes.status === 'approved')?.value as { count: number; sum: number };
    assert.deepEqual([decided.count, decided.sum], [1, 42]);
  });

  it('marks a step that throws as failed, and rethrows', async () => {
    const { telemetry, spans } = setup();
    await assert.rejects(telemetry.span('forward', async () => Promise.reject(new TypeError('boom'))), TypeError);
    const [span] = spans.getFinishedSpans();
    assert.equal(span?.name, 'portcullis.forward');
    assert.equal(span?.status.code, 2);
  });

  it('counts recording failures by mode', async () => {
    const { telemetry, metric } = setup();
    telemetry.appended('best-effort', 3, true);
    telemetry.appended('best-effort', 1, false);
    assert.equal((await metric('portcullis.recording.failures'))?.[0]?.value, 1);
  });
});
