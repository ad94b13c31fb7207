import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, settingsSchema } from './config.js';

const key = () => randomBytes(32).toString('base64');

const local = (overrides: Record<string, string | undefined> = {}) => ({
  PORTCULLIS_POLICY: './policy.yaml',
  PORTCULLIS_PUBLIC_URL: 'http://127.0.0.1:7071/',
  PORTCULLIS_LINK_SIGNING_KEY: key(),
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  ServiceBusConnection: 'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=a;SharedAccessKey=b;UseDevelopmentEmulator=true',
  ...overrides,
});

describe('config', () => {
  it('reads a local environment with connection strings and defaults', () => {
    const config = loadConfig(local());
    assert.equal(config.env, 'production');
    assert.equal(config.publicUrl, 'http://127.0.0.1:7071');
    assert.equal(config.maxBodyBytes, 10 * 1024 * 1024);
    assert.equal(config.storage.kind, 'connectionString');
    assert.equal(config.serviceBus.kind, 'connectionString');
    assert.equal(config.linkSigningKey.byteLength, 32);
  });

  it('reads identity-based connections the way Azure Functions names them', () => {
    const config = loadConfig({
      PORTCULLIS_POLICY: 'https://acct.blob.core.windows.net/policy/policy.yaml',
      WEBSITE_HOSTNAME: 'portcullis.azurewebsites.net',
      PORTCULLIS_LINK_SIGNING_KEY: key(),
      AzureWebJobsStorage__accountName: 'acct',
      ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    });
    assert.equal(config.publicUrl, 'https://portcullis.azurewebsites.net');
    assert.deepEqual(config.storage, {
      kind: 'identity',
      blobServiceUri: 'https://acct.blob.core.windows.net',
      tableServiceUri: 'https://acct.table.core.windows.net',
    });
    assert.deepEqual(config.serviceBus, { kind: 'identity', fullyQualifiedNamespace: 'ns.servicebus.windows.net' });
    assert.equal(config.managedIdentityClientId, '00000000-0000-0000-0000-000000000001');
  });

  it('lists every problem in one message', () => {
    try {
      loadConfig({
        PORTCULLIS_ENV: 'staging',
        PORTCULLIS_MAX_BODY_BYTES: '-5',
        PORTCULLIS_LINK_SIGNING_KEY: 'c2hvcnQ=',
        PORTCULLIS_REVIEW_AUTH: 'dev',
      });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.message;
      for (const expected of [
        /PORTCULLIS_ENV/,
        /PORTCULLIS_POLICY: is required/,
        /PORTCULLIS_MAX_BODY_BYTES/,
        /PORTCULLIS_LINK_SIGNING_KEY: must be at least 32 bytes/,
        /AzureWebJobsStorage: set a connection string/,
        /ServiceBusConnection: set a connection string/,
        /PORTCULLIS_PUBLIC_URL: is required/,
        /PORTCULLIS_REVIEW_AUTH: "dev" sign-in is refused/,
      ]) {
        assert.match(text, expected);
      }
      assert.ok(error.problems.length >= 8);
    }
  });

  it('allows the dev sign-in only in development', () => {
    assert.equal(loadConfig(local({ PORTCULLIS_ENV: 'development', PORTCULLIS_REVIEW_AUTH: 'dev' })).reviewAuth, 'dev');
    assert.throws(() => loadConfig(local({ PORTCULLIS_REVIEW_AUTH: 'dev' })), /refused unless PORTCULLIS_ENV=development/);
  });

  it('local.settings.sample.json names exactly the settings the app reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const sample = JSON.parse(await readFile(new URL('../../local.settings.sample.json', import.meta.url), 'utf8')) as {
      Values: Record<string, string>;
    };
    const platformSet = ['WEBSITE_HOSTNAME', 'WEBSITE_AUTH_ENABLED'];
    const read = Object.keys(settingsSchema.shape).filter((name) => !platformSet.includes(name));
    const hostOnly = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsFeatureFlags'];
    assert.deepEqual(Object.keys(sample.Values).filter((n) => !hostOnly.includes(n)).sort(), read.sort());
  });
});

describe('config: telemetry', () => {
  const telemetry = (env: Record<string, string>) => loadConfig(local(env)).telemetry;

  it('is off locally and on (Azure Monitor) where Application Insights is configured', () => {
    assert.equal(telemetry({}).mode, 'off');
    assert.equal(telemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x' }).mode, 'azure');
    assert.equal(telemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x', PORTCULLIS_TELEMETRY: 'off' }).mode, 'off');
    assert.equal(telemetry({ PORTCULLIS_TELEMETRY: 'OTLP' }).mode, 'otlp');
    assert.throws(() => telemetry({ PORTCULLIS_TELEMETRY: 'loud' }), /PORTCULLIS_TELEMETRY/);
  });

  it('samples a share of traces, 0 to 1', () => {
    assert.equal(telemetry({}).sampling, 0.1);
    assert.equal(telemetry({ PORTCULLIS_TRACE_SAMPLING: '1' }).sampling, 1);
    assert.throws(() => telemetry({ PORTCULLIS_TRACE_SAMPLING: '2' }), /PORTCULLIS_TRACE_SAMPLING/);
    assert.throws(() => telemetry({ PORTCULLIS_TRACE_SAMPLING: 'all' }), /PORTCULLIS_TRACE_SAMPLING/);
  });
});

describe('config: Key Vault references', () => {
  it('names a Key Vault reference that App Service left unresolved', () => {
    assert.throws(
      () => loadConfig(local({ PORTCULLIS_LINK_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/link-key/)' })),
      /PORTCULLIS_LINK_SIGNING_KEY: is a Key Vault reference App Service could not resolve/,
    );
  });
});
