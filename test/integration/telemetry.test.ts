// Telemetry through the local stack: with PORTCULLIS_TELEMETRY=api the runtime records through the
// process's OpenTelemetry SDK (here one exporting to memory, every trace sampled): a trace per
// request whose children are the pipeline's steps, and the metrics — decisions by action,
// connection and rule, masking findings by rule, session-log append latency. With telemetry off
// (the default locally) nothing reaches the SDK.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { secretSamples } from '../support/masking.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { json, startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${DEV_ISSUER_POLICY}
connections:
  api: { kind: http, upstream: "\${TEST_UPSTREAM}", groups: [agents] }
rules:
  - { name: no-admin, match: { connections: api, path: /admin/** }, action: deny, message: not for agents }
  - { name: agents-read, match: { connections: api, method: GET }, action: allow }
`;

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const contextManager = new AsyncLocalStorageContextManager().enable();

let stack: TestStack;
let upstream: TestUpstream;
let token: string;
const secret = secretSamples()['github-token']!();

const call = (path: string) => fetch(`${stack.url}/api/proxy/api${path}`, { headers: { authorization: `Bearer ${token}` } });

before(async () => {
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  upstream = await startTestUpstream();
  upstream.route('/leak', (_req, res) => json(res, 200, { note: `deploy with ${secret}` }));
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url, PORTCULLIS_TELEMETRY: 'api', PORTCULLIS_TRACE_SAMPLING: '1' } });
  token = await stack.token('agent-1', ['agents']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
  trace.disable();
  metrics.disable();
  context.disable();
});

/** The points of one metric, by their attributes. */
async function points(name: string): Promise<Array<DataPoint<unknown>>> {
  await reader.forceFlush();
  const latest = metricExporter.getMetrics().at(-1);
  const metric = latest?.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as Array<DataPoint<unknown>>;
}

describe('telemetry', () => {
  it('traces a request with the pipeline steps as its children', async () => {
    spans.reset();
    const res = await call('/items');
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const finished = spans.getFinishedSpans();
    const root = finished.find((span) => span.name === 'portcullis.request');
    assert.ok(root, `a request span among ${finished.map((s) => s.name).join(', ')}`);
    assert.equal(root.attributes['portcullis.connection'], 'api');
    const children = finished.filter((span) => span.parentSpanContext?.spanId === root.spanContext().spanId).map((span) => span.name);
    for (const step of ['portcullis.identify', 'portcullis.decide', 'portcullis.record', 'portcullis.forward']) {
      assert.ok(children.includes(step), `${step} among the request's children: ${children.join(', ')}`);
    }
    assert.ok(finished.every((span) => span.spanContext().traceId === root.spanContext().traceId), 'one trace per request');
  });

  it('counts decisions by action, connection and rule, findings by rule, and times the appends', async () => {
    await (await call('/items')).arrayBuffer();
    assert.equal((await call('/admin/users')).status, 403);
    await (await call('/leak')).arrayBuffer();
    const decisions = await points('portcullis.decisions');
    const count = (action: string, rule: string) =>
      decisions.find((p) => p.attributes.action === action && p.attributes.rule === rule && p.attributes.connection === 'api')?.value;
    assert.ok(Number(count('allow', 'agents-read')) >= 2);
    assert.equal(count('deny', 'no-admin'), 1);
    const findings = await points('portcullis.masking.findings');
    assert.ok(findings.some((p) => p.attributes.rule === 'github-token' && p.attributes.event === 'response' && Number(p.value) >= 1));
    const appends = await points('portcullis.recording.append.duration');
    const strict = appends.find((p) => p.attributes.mode === 'strict')?.value as { count: number } | undefined;
    assert.ok(strict && strict.count >= 4, 'every append timed');
  });
});
