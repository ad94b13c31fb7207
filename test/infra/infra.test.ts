// The structural check of infra/ and azure.yaml (no Bicep compiler can run here): the real infra
// passes every check of test/infra/check.ts, and what the checks rely on is itself derived from
// the app's code. breaks.test.ts shows each check failing on a broken copy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { appFacts, appSources, BUILT_IN_PERMISSIONS, BUILT_IN_ROLES, CLIENT_ROLES, NEEDS, permissionMatches, repoRoot, requiredRoles } from './app-facts.js';
import { checkInfra, formatProblems } from './check.js';

const infraDir = join(repoRoot, 'infra');
const facts = appFacts();

describe('infra/', () => {
  test('passes every structural check', () => {
    const problems = checkInfra(infraDir, facts);
    assert.deepEqual(problems, [], `\n${formatProblems(problems)}`);
  });

  test('derives the required settings from the config schema, and the secrets from their descriptions', () => {
    const required = facts.settings.filter((s) => s.required).map((s) => s.name);
    assert.ok(required.includes('PORTCULLIS_POLICY'));
    assert.ok(required.includes('PORTCULLIS_LINK_SIGNING_KEY'));
    assert.ok(!required.includes('PORTCULLIS_ENV'), 'a setting with a default is not required');
    const secrets = facts.settings.filter((s) => s.secret).map((s) => s.name);
    assert.deepEqual(secrets.sort(), ['PORTCULLIS_LINK_SIGNING_KEY', 'PORTCULLIS_TEAMS_WEBHOOK_URL']);
  });

  test('maps every Azure client the app constructs to the roles it needs', () => {
    assert.ok(facts.clients.length > 0, 'found no Azure SDK client in functions/ and shared/');
    for (const client of facts.clients) {
      assert.ok(client.name in CLIENT_ROLES, `${client.name} (${client.file}) has no entry in CLIENT_ROLES in test/infra/app-facts.ts`);
    }
    const needs = new Set(requiredRoles(facts).map((n) => n.need));
    for (const need of [NEEDS.blobData, NEEDS.hostBlobData, NEEDS.tableData, NEEDS.send, NEEDS.secretRead, NEEDS.keyRead, NEEDS.keySign, NEEDS.telemetry]) {
      assert.ok(needs.has(need), `${need.name} should be required by the code as it is`);
    }
  });

  test('the app creates no container: infra/app/storage.bicep creates them all, and its identity cannot', () => {
    const creating = appSources().filter((path) => /\.createIfNotExists\(|\.createContainer\(|getContainerClient\([^)]*\)\.create\(/.test(readFileSync(path, 'utf8')));
    assert.deepEqual(creating.map((path) => relative(repoRoot, path)), []);
  });

  test('knows each built-in role by a distinct id', () => {
    const ids = Object.values(BUILT_IN_ROLES);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('grants each need with the built-in role it names, and matches permissions as Azure does', () => {
    for (const need of Object.values(NEEDS)) {
      const role = BUILT_IN_PERMISSIONS[need.builtIn];
      assert.ok(role, `${need.builtIn} has no permissions in BUILT_IN_PERMISSIONS`);
      for (const action of need.actions) assert.ok(role.actions.some((p) => permissionMatches(p, action)), `${need.builtIn} lacks ${action}`);
      for (const action of need.dataActions) assert.ok(role.dataActions.some((p) => permissionMatches(p, action)), `${need.builtIn} lacks ${action}`);
    }
    assert.ok(permissionMatches('Microsoft.ServiceBus/*/send/action', 'Microsoft.ServiceBus/namespaces/messages/send/action'));
    assert.ok(permissionMatches('microsoft.insights/register/action', 'Microsoft.Insights/Register/Action'));
    assert.ok(!permissionMatches('Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/read/extra'));
    assert.ok(!permissionMatches('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'));
  });

  test('main.parameters.json takes every value from the azd environment', () => {
    const json = JSON.parse(readFileSync(join(infraDir, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> };
    for (const [name, { value }] of Object.entries(json.parameters)) {
      assert.match(String(value), /^\$\{[A-Z_][A-Z0-9_]*(=[^}]*)?\}$/, `${name} should be \${AZD_VARIABLE} or \${AZD_VARIABLE=default}`);
    }
    assert.equal(json.parameters.environmentName?.value, '${AZURE_ENV_NAME}');
    assert.equal(json.parameters.location?.value, '${AZURE_LOCATION}');
    assert.equal(json.parameters.principalId?.value, '${AZURE_PRINCIPAL_ID}');
  });
});

describe('azure.yaml', () => {
  const yaml = parseYaml(readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')) as {
    name: string;
    services: Record<string, { project: string; language: string; host: string }>;
    hooks?: Record<string, Record<string, { run: string; shell: string }>>;
  };

  test('declares the api service as a TypeScript Function App at the repository root', () => {
    assert.equal(yaml.name, 'portcullis');
    assert.deepEqual(yaml.services, { api: { project: '.', language: 'ts', host: 'function' } });
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    assert.ok(pkg.scripts.build, 'azd builds TypeScript with npm run build');
    assert.match(pkg.main, /^dist\//);
  });

  test('runs hooks that exist', () => {
    for (const [hook, platforms] of Object.entries(yaml.hooks ?? {})) {
      for (const [platform, { run }] of Object.entries(platforms)) {
        assert.ok(existsSync(join(repoRoot, run)), `${hook} (${platform}) runs ${run}, which does not exist`);
      }
    }
  });

  test('the postprovision hook is valid sh and never puts a secret on a command line', () => {
    const script = join(infraDir, 'hooks', 'postprovision.sh');
    const result = spawnSync('sh', ['-n', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    for (const name of ['postprovision.sh', 'postprovision.ps1']) {
      const text = readFileSync(join(infraDir, 'hooks', name), 'utf8');
      assert.doesNotMatch(text, /secret set[^\n]*--value/, `${name}: pass secrets with --file, not --value (visible in the process list)`);
      assert.match(text, /secret set[\s\S]*?-o none/, `${name}: 'az keyvault secret set' prints the value unless -o none`);
    }
  });
});
