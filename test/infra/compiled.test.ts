// infra/ through the real Bicep compiler (scripts/bicep.ts finds or fetches it): main.bicep
// compiles and every .bicep file lints with no error and no warning under infra/bicepconfig.json's
// strict rules, and main.parameters.json fits the compiled template's parameters. Skipped, saying
// why, only when no Bicep CLI can be had here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { findBicep } from '../../scripts/bicep.js';
import { BUILT_IN_ROLES, repoRoot } from './app-facts.js';
import { checkParameters, type TemplateParameter } from './parameters.js';

const run = promisify(execFile);
const bicep = await findBicep();
const skip = bicep.skip ? `no Bicep CLI: ${bicep.skip}` : false;

interface Diagnostic {
  file: string;
  line: number;
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
}

/** `path(line,col) : Warning rule-name: message` lines of the CLI's default diagnostics format. */
function parseDiagnostics(text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.*)\((\d+),\d+\) : (Error|Warning|Info) ([^:]+): (.*)$/.exec(line.trim());
    if (m) out.push({ file: m[1]!.replace(repoRoot, '').replace(/^\//, ''), line: Number(m[2]), level: m[3] as Diagnostic['level'], code: m[4]!, message: m[5]! });
  }
  return out;
}

async function bicepRun(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(bicep.path!, args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

function summary(what: string, diagnostics: Diagnostic[]): string {
  const count = (level: string) => diagnostics.filter((d) => d.level === level).length;
  const lines = diagnostics.map((d) => `  ${d.file}:${d.line} ${d.level} ${d.code}: ${d.message}`);
  return [`${what}: ${count('Error')} errors, ${count('Warning')} warnings`, ...lines].join('\n');
}

// Both at once: each CLI start is slow on a loaded machine.
const results = bicep.path
  ? Promise.all([bicepRun(['build', 'infra/main.bicep', '--stdout']), bicepRun(['lint', '--pattern', 'infra/**/*.bicep'])])
  : undefined;

describe('infra/ compiled by the Bicep CLI', { skip }, () => {
  test('main.bicep compiles with 0 errors and 0 warnings', async (t) => {
    const [build] = await results!;
    const diagnostics = parseDiagnostics(build.stderr);
    const text = summary('bicep build', diagnostics);
    t.diagnostic(text.split('\n')[0]!);
    console.log(text);
    assert.equal(build.code, 0, `bicep build failed:\n${build.stderr}`);
    assert.deepEqual(diagnostics, [], text);
    assert.ok(JSON.parse(build.stdout).resources, 'bicep build printed no template');
  });

  test('every .bicep file lints with 0 errors and 0 warnings under infra/bicepconfig.json', async (t) => {
    const [, lint] = await results!;
    const diagnostics = parseDiagnostics(lint.stderr + lint.stdout);
    const text = summary('bicep lint', diagnostics);
    t.diagnostic(text.split('\n')[0]!);
    console.log(text);
    assert.deepEqual(diagnostics, [], text);
    assert.equal(lint.code, 0, `bicep lint failed:\n${lint.stderr}`);
  });

  test('main.parameters.json gives only declared parameters, every required one, and values that fit', async () => {
    const [build] = await results!;
    const template = JSON.parse(build.stdout) as { parameters: Record<string, TemplateParameter> };
    const file = JSON.parse(readFileSync(join(repoRoot, 'infra', 'main.parameters.json'), 'utf8'));
    assert.deepEqual(checkParameters(template, file), []);
  });

  test('each of armConnections gets a reader and a writer identity beside the gateway, attached to the app, with Reader and Contributor on its own resource group', async () => {
    const [build] = await results!;
    type Deployment = { name: string; copy?: { count: string }; resourceGroup?: string; subscriptionId?: string; properties: { parameters: Record<string, { value: unknown }>; template: { variables?: Record<string, any>; resources: unknown } } };
    const template = JSON.parse(build.stdout) as { parameters: Record<string, unknown>; resources: Deployment[] | Record<string, Deployment>; outputs: Record<string, unknown> };
    const deployments = Object.values(template.resources);
    const named = (prefix: string) => deployments.find((d) => d.name.startsWith(`[format('${prefix}-{0}`) && d.name.includes(`parameters('armConnections')[copyIndex()].name`));
    const identities = named('armIdentities');
    const roles = named('armRoles');
    assert.ok(identities && roles, 'armIdentities and armRoles deploy once per arm connection');
    assert.equal(identities.copy?.count, "[length(parameters('armConnections'))]");
    const api = deployments.find((d) => d.name === 'api')!;
    assert.equal(identities.resourceGroup, api.resourceGroup, 'the identities live in the gateway\'s resource group');
    assert.equal(roles.resourceGroup, "[parameters('armConnections')[copyIndex()].resourceGroup]", 'the roles are given on the connection\'s resource group');
    const assignments = Object.values(roles.properties.template.resources as Record<string, { type: string; properties?: { roleDefinitionId?: string } }>)
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
      .map((r) => /variables\('roles'\)\.(\w+)/.exec(r.properties!.roleDefinitionId!)![1]!)
      .map((key) => roles.properties.template.variables!.roles[key]);
    assert.deepEqual(assignments, [BUILT_IN_ROLES.Reader, BUILT_IN_ROLES.Contributor]);
    assert.match(JSON.stringify(api.properties.parameters.connectionIdentityIds), /armIdentityPrefixes.*-reader.*-writer/, 'both are attached to the app');
    assert.ok(template.outputs.ARM_CONNECTION_IDENTITIES, 'their client ids are an output');
  });
});

// The ARM JSON `bicep build` printed, walked through its nested deployments (languageVersion 2.0:
// resources keyed by symbol, or an array).
type ArmResource = { type: string; name: string; properties?: any; copy?: unknown; condition?: unknown };
type ArmTemplate = { parameters?: Record<string, TemplateParameter & { allowedValues?: unknown[] }>; resources: ArmResource[] | Record<string, ArmResource> };

/** Every resource of `type` in the template and its nested deployments, each with the template it sits in. */
function armResources(template: ArmTemplate, type: string): { resource: ArmResource; template: ArmTemplate; deployment?: ArmResource }[] {
  const found: { resource: ArmResource; template: ArmTemplate; deployment?: ArmResource }[] = [];
  const walk = (t: ArmTemplate, deployment?: ArmResource) => {
    for (const r of Object.values(t.resources)) {
      if (r.type === 'Microsoft.Resources/deployments') walk(r.properties.template as ArmTemplate, r);
      else if (r.type === type) found.push({ resource: r, template: t, deployment });
    }
  };
  walk(template);
  return found;
}

/** The values ARM lets through for an int parameter: its allowed values, or every value of its range. */
function admittedInts(param: TemplateParameter): number[] {
  if (param.allowedValues) return param.allowedValues as number[];
  const lo = param.minValue ?? -Infinity;
  const hi = param.maxValue ?? Infinity;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [NaN];
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

// RetentionInDays values Microsoft.Insights/components accepts; any other fails the deployment.
const APP_INSIGHTS_RETENTION = [30, 60, 90, 120, 180, 270, 365, 550, 730];

describe('the compiled template', { skip }, () => {
  const template = async () => JSON.parse((await results!)[0].stdout) as ArmTemplate;

  test('Application Insights gets a retention it accepts for every value LOG_RETENTION_DAYS may take', async () => {
    const main = await template();
    const [component] = armResources(main, 'Microsoft.Insights/components');
    assert.ok(component, 'no Application Insights component');
    const retention = String(component.resource.properties.RetentionInDays);
    const param = /^\[parameters\('(\w+)'\)\]$/.exec(retention)?.[1];
    assert.ok(param, `RetentionInDays is ${retention}, not a module parameter`);
    const inModule = component.template.parameters![param]!;
    const fromMain = main.parameters!.logRetentionDays!;
    for (const [where, p] of [['main.bicep logRetentionDays', fromMain], [`monitoring.bicep ${param}`, inModule]] as const) {
      const refused = admittedInts(p).filter((days) => !APP_INSIGHTS_RETENTION.includes(days));
      assert.deepEqual(refused.slice(0, 5), [], `${where} admits ${refused.length} value(s) Application Insights refuses, e.g. ${refused.slice(0, 5).join(', ')}`);
      assert.ok(admittedInts(p).every((days) => days >= 365), `${where} admits less than the 365-day WORM period`);
    }
    assert.ok(admittedInts(fromMain).every((days) => admittedInts(inModule).includes(days)), 'main.bicep admits a value the monitoring module refuses');
  });

  test('the Log Analytics workspace holding the audit logs refuses writes with its shared keys', async () => {
    const workspaces = armResources(await template(), 'Microsoft.OperationalInsights/workspaces');
    assert.equal(workspaces.length, 1);
    assert.equal(workspaces[0]!.resource.properties.features?.disableLocalAuth, true);
  });

  test('the arm connections\' role deployments in a shared resource group are named per environment, within 64 characters', async () => {
    const main = await template();
    const roles = Object.values(main.resources).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name.startsWith("[format('armRoles-"));
    assert.ok(roles, 'no armRoles deployment');
    const m = /^\[format\('([^']*)', (.*)\)\]$/.exec(roles.name);
    assert.ok(m, roles.name);
    const args = m[2]!.split(', ');
    assert.ok(args.includes("variables('resourceToken')"), `${roles.name}: two environments naming a connection alike collide in its resource group`);
    // The longest name: a 40-character connection name (the armConnection type's limit), a 13-character token.
    const longest = m[1]!.replace(/\{(\d+)\}/g, (_, i: string) => (args[Number(i)] === "variables('resourceToken')" ? 'x'.repeat(13) : 'c'.repeat(40)));
    assert.ok(longest.length <= 64, `${longest} is ${longest.length} characters; deployment names take 64`);
  });
});

describe('checkParameters', () => {
  const template = {
    parameters: {
      environmentName: { type: 'string', minLength: 1 },
      maximumInstanceCount: { type: 'int', defaultValue: 100, minValue: 40, maxValue: 1000 },
      nodeVersion: { type: 'string', defaultValue: '22', allowedValues: ['22'] },
      locked: { type: 'bool', defaultValue: false },
    },
  };

  test('accepts a file that fits', () => {
    const file = { parameters: { environmentName: { value: '${AZURE_ENV_NAME}' }, maximumInstanceCount: { value: '${MAX=100}' }, locked: { value: '${L=false}' } } };
    assert.deepEqual(checkParameters(template, file), []);
  });

  test('names an undeclared parameter, a missing required one, and defaults that do not fit', () => {
    const file = {
      parameters: {
        maximumInstanceCount: { value: '${MAX=1}' },
        nodeVersion: { value: '${NODE=20}' },
        locked: { value: '${L=maybe}' },
        typo: { value: 'x' },
      },
    };
    const problems = checkParameters(template, file);
    assert.ok(problems.some((p) => p.startsWith('typo is given')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('environmentName is required')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('below the minimum 40')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('nodeVersion: "20" is not one of')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('locked: "maybe" is not a bool')), problems.join('\n'));
  });
});

describe('parseDiagnostics', () => {
  test('reads the CLI\'s diagnostic lines', () => {
    const d = parseDiagnostics(`${repoRoot}/infra/main.bicep(12,7) : Warning no-unused-params: Parameter "x" is declared but never used.\n`);
    assert.deepEqual(d, [{ file: 'infra/main.bicep', line: 12, level: 'Warning', code: 'no-unused-params', message: 'Parameter "x" is declared but never used.' }]);
  });
});
