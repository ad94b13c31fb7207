// Which OpenTelemetry SDK the process exports through, chosen once from the environment:
//
//   PORTCULLIS_TELEMETRY      azure (the default when APPLICATIONINSIGHTS_CONNECTION_STRING is set):
//                             the Azure Monitor distro to Application Insights;
//                             console / otlp: the Node SDK to stdout / to OTEL_EXPORTER_OTLP_ENDPOINT;
//                             api: whatever SDK the process registered itself (tests);
//                             off (the default otherwise): nothing is recorded, at no cost.
//   PORTCULLIS_TRACE_SAMPLING the share of requests traced, 0–1 (default 0.1); metrics count every request.
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ConsoleSpanExporter, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { Logger } from '../platform/log.js';
import { createTelemetry, noTelemetry, type Telemetry } from '../platform/telemetry.js';

const MODES = ['off', 'azure', 'console', 'otlp', 'api'] as const;
type Mode = (typeof MODES)[number];

/** The SDK is process-wide: started once, whatever number of runtimes the process creates. */
let started: Mode | undefined;

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

export function startTelemetry(env: NodeJS.ProcessEnv, log: Logger): Telemetry {
  const mode = telemetryMode(env);
  if (mode === 'off') return noTelemetry;
  if (started === undefined) {
    const ratio = samplingRatio(env);
    const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    if (mode === 'azure') {
      // The distro's own spans for the Azure SDK's calls (storage, Service Bus) are kept; the
      // pipeline's spans stand for the incoming request, so node:http is not instrumented.
      useAzureMonitor({
        azureMonitorExporterOptions: { credential: entraCredential(env) },
        samplingRatio: ratio,
        instrumentationOptions: { http: { enabled: false } },
      });
    } else if (mode === 'console') {
      new NodeSDK({
        sampler,
        traceExporter: new ConsoleSpanExporter(),
        metricReader: new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() }),
        instrumentations: [],
      }).start();
    } else if (mode === 'otlp') {
      // Exporters and endpoints from OTEL_* (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_METRICS_EXPORTER=otlp…).
      new NodeSDK({ sampler, instrumentations: [] }).start();
    }
    started = mode;
    log.info('telemetry on', { mode, sampling: ratio });
  }
  return createTelemetry();
}

/**
 * The component takes Entra-authenticated ingestion only (infra/app/api.bicep): the identity named
 * by APPLICATIONINSIGHTS_AUTHENTICATION_STRING (`ClientId=…;Authorization=AAD`), as the Functions
 * host reads it.
 */
function entraCredential(env: NodeJS.ProcessEnv): ManagedIdentityCredential | undefined {
  const setting = env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING;
  if (!setting || !/Authorization=AAD/i.test(setting)) return undefined;
  const clientId = /ClientId=([^;]+)/i.exec(setting)?.[1];
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}
