// Starts the OpenTelemetry SDK that telemetry.ts chose. Imported only when telemetry is on: the
// distro and the Node SDK take a while to load, which a process with telemetry off never pays.
import { ManagedIdentityCredential } from '@azure/identity';
import { useAzureMonitor } from '@azure/monitor-opentelemetry';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ConsoleSpanExporter, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';

export function startSdk(mode: 'azure' | 'console' | 'otlp', ratio: number, env: NodeJS.ProcessEnv): void {
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
  } else {
    // Exporters and endpoints from OTEL_* (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_METRICS_EXPORTER…).
    new NodeSDK({ sampler, instrumentations: [] }).start();
  }
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
