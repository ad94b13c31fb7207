// The structural check of infra/: what a Bicep compiler cannot tell us and a deployment would only
// reveal in Azure. checkInfra(dir) reads the Bicep text and main.parameters.json under `dir` and
// returns every drift that matters, each as a Problem naming the check, the file and the fix:
//
//   module-paths     every module, import and load*Content path exists (no registry modules)
//   module-params    module calls pass only declared parameters, and every required one
//   parameters       every parameter in main.parameters.json is declared in main.bicep
//   app-settings     the Function App sets every setting the config schema requires (with the
//                    cross-setting rules of loadConfig), identity-based connections only, no
//                    unknown setting, PORTCULLIS_ENV=production
//   secret-settings  secret settings are Key Vault references resolved with the app's identity
//   identity         the app runs as one user-assigned identity, used for every connection
//   roles            that identity holds every permission the code needs (by the clients it
//                    creates), from built-in roles or custom role definitions in the Bicep
//   role-ids         infra/core/security/roles.bicep maps each role to its right id
//   least-privilege  no built-in role broader than the narrowest one for some need, no custom-role
//                    permission no code path needs, none at group scope
//   secret-outputs   no output exposes a key, connection string or secret value
//   immutability     `sessions` has version-level WORM with protected append writes, retention
//                    from a parameter
//   storage-layout   the containers, tables and queue the app uses exist, the queue as declared
//   lockdown         shared keys, SAS/local auth (Service Bus, Application Insights, Log Analytics)
//                    and vault access policies are off
//   review-auth      App Service Authentication covers /api/review/* and no other app route
//   network          a network-isolated mode exists: the storage account and Key Vault can refuse
//                    public traffic (not hard-wired to Enabled/Allow), private endpoints reach blob,
//                    table, queue and vault, and the Function App can join a subnet
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  ALLOWED_BUILT_IN_ROLES,
  appFacts,
  BUILT_IN_PERMISSIONS,
  BUILT_IN_ROLES,
  NEEDED_PERMISSIONS,
  permissionMatches,
  PLATFORM_PROVIDED,
  PLATFORM_SETTINGS,
  PRODUCTION_SETTINGS,
  requiredRoles,
  type AppFacts,
  type Permissions,
  type RoleName,
} from './app-facts.js';
import {
  arrayItems,
  callArguments,
  objectEntries,
  parseBicepFile,
  stringLiteral,
  ternary,
  valueAt,
  type BicepFile,
  type Module,
  type Resource,
} from './bicep.js';

export type Check =
  | 'module-paths'
  | 'module-params'
  | 'parameters'
  | 'app-settings'
  | 'secret-settings'
  | 'identity'
  | 'roles'
  | 'role-ids'
  | 'least-privilege'
  | 'secret-outputs'
  | 'immutability'
  | 'storage-layout'
  | 'lockdown'
  | 'review-auth'
  | 'network';

export interface Problem {
  check: Check;
  /** File relative to the infra directory. */
  file: string;
  message: string;
}

export const formatProblems = (problems: Problem[]) => problems.map((p) => `${p.file}: [${p.check}] ${p.message}`).join('\n');

const ROLES_FILE = 'core/security/roles.bicep';
const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

interface Infra {
  dir: string;
  files: Map<string, BicepFile>;
  main: BicepFile;
  problems: Problem[];
}

interface ModuleCall {
  caller: BicepFile;
  module: Module;
  target: BicepFile;
  params: Map<string, string>;
}

/** Checks the infra directory (the folder holding main.bicep) against the app's code. */
export function checkInfra(dir: string, facts: AppFacts = appFacts()): Problem[] {
  const files = new Map<string, BicepFile>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.bicep')) files.set(resolve(path), parseBicepFile(path));
    }
  };
  walk(dir);
  const main = files.get(resolve(dir, 'main.bicep'));
  if (!main) return [{ check: 'module-paths', file: 'main.bicep', message: 'main.bicep is missing' }];
  const infra: Infra = { dir, files, main, problems: [] };

  const calls = checkModules(infra);
  checkParameters(infra);
  const site = findSite(infra);
  const identity = site ? traceIdentity(infra, site, calls) : undefined;
  if (site) {
    checkAppSettings(infra, site, facts, identity, calls);
    checkReviewAuth(infra, site, facts);
  }
  checkRoleIds(infra);
  checkRoles(infra, facts, identity, calls);
  checkOutputs(infra);
  checkImmutability(infra, facts);
  checkStorageLayout(infra, facts);
  checkLockdown(infra);
  checkNetwork(infra, site);
  return infra.problems;
}

const rel = (infra: Infra, file: BicepFile) => relative(infra.dir, file.path);

function problem(infra: Infra, check: Check, file: BicepFile | string, message: string) {
  infra.problems.push({ check, file: typeof file === 'string' ? file : rel(infra, file), message });
}

const resourcesOfType = (infra: Infra, type: string) =>
  [...infra.files.values()].flatMap((file) => file.resources.filter((r) => r.type === type && !r.existing).map((resource) => ({ file, resource })));

const isIdentifier = (text: string | undefined) => text !== undefined && /^[A-Za-z_]\w*$/.test(text.trim());

const isTrue = (text: string | undefined) => text?.trim() === 'true';

// ---- Modules -------------------------------------------------------------------------------------

function checkModules(infra: Infra): ModuleCall[] {
  const calls: ModuleCall[] = [];
  for (const file of infra.files.values()) {
    const here = dirname(file.path);
    for (const ref of file.references) {
      if (!existsSync(resolve(here, ref.path))) {
        problem(infra, 'module-paths', file, `line ${ref.line}: ${ref.kind === 'import' ? 'import' : 'load'} of '${ref.path}', which does not exist`);
      }
    }
    for (const module of file.modules) {
      if (/^(br|ts)[:/]/.test(module.path)) {
        problem(infra, 'module-paths', file, `line ${module.line}: module ${module.symbol} comes from a registry ('${module.path}'); use a local module so this check can read it`);
        continue;
      }
      const path = resolve(here, module.path);
      const target = infra.files.get(path);
      if (!target) {
        problem(infra, 'module-paths', file, `line ${module.line}: module ${module.symbol} references '${module.path}', which does not exist`);
        continue;
      }
      const params = objectEntries(valueAt(module.body, 'params') ?? '{}');
      calls.push({ caller: file, module, target, params });
      const declared = new Map(target.params.map((p) => [p.name, p]));
      for (const name of params.keys()) {
        if (!declared.has(name)) {
          problem(infra, 'module-params', file, `module ${module.symbol} passes ${name}, which ${module.path} does not declare`);
        }
      }
      for (const param of target.params) {
        if (param.defaultValue === undefined && !params.has(param.name)) {
          problem(infra, 'module-params', file, `module ${module.symbol} does not pass ${param.name}, which ${module.path} requires`);
        }
      }
    }
  }
  return calls;
}

function checkParameters(infra: Infra) {
  const path = join(infra.dir, 'main.parameters.json');
  if (!existsSync(path)) {
    problem(infra, 'parameters', 'main.parameters.json', 'main.parameters.json is missing');
    return;
  }
  let json: { parameters?: Record<string, unknown> };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problem(infra, 'parameters', 'main.parameters.json', `not valid JSON: ${(error as Error).message}`);
    return;
  }
  const declared = new Set(infra.main.params.map((p) => p.name));
  for (const name of Object.keys(json.parameters ?? {})) {
    if (!declared.has(name)) problem(infra, 'parameters', 'main.parameters.json', `parameter ${name} is not declared in main.bicep`);
  }
}

// ---- The Function App and its identity ------------------------------------------------------------

interface Site {
  file: BicepFile;
  resource: Resource;
}

function findSite(infra: Infra): Site | undefined {
  const sites = resourcesOfType(infra, 'Microsoft.Web/sites');
  if (sites.length !== 1) {
    problem(infra, 'app-settings', 'main.bicep', `expected one Function App (Microsoft.Web/sites), found ${sites.length}`);
    return undefined;
  }
  return sites[0];
}

/** The calls that deploy `file`, resolved to the expression passed for `param`. */
const argumentsFor = (calls: ModuleCall[], file: BicepFile, param: string) =>
  calls.filter((c) => c.target === file).map((c) => ({ call: c, value: c.params.get(param) }));

/** The module symbol whose target file declares a user-assigned identity, when `expr` reads one of its outputs. */
function identityModuleOf(calls: ModuleCall[], caller: BicepFile, expression: string | undefined, output: string): string | undefined {
  const m = expression?.trim().match(/^(\w+)\.outputs\.(\w+)$/);
  if (!m || m[2] !== output) return undefined;
  const call = calls.find((c) => c.caller === caller && c.module.symbol === m[1]);
  return call?.target.resources.some((r) => r.type === IDENTITY_TYPE && !r.existing) ? m[1] : undefined;
}

interface Identity {
  /** Symbol of the identity module in the file that deploys the site. */
  symbol: string;
  caller: BicepFile;
  /** Parameter of the site's file holding the identity's resource id. */
  idParam: string;
}

function traceIdentity(infra: Infra, site: Site, calls: ModuleCall[]): Identity | undefined {
  const identity = valueAt(site.resource.body, 'identity');
  const type = stringLiteral(valueAt(identity ?? '{}', 'type'));
  // An object literal, or union() of literals and computed parts (the arm connections' identities,
  // which hold no role the app needs): the literals' keys are the identities checked here.
  const identities = (valueAt(identity ?? '{}', 'userAssignedIdentities') ?? '{}').trim();
  const literals = (callArguments(identities, 'union') ?? [identities]).map((part) => part.trim()).filter((part) => part.startsWith('{'));
  const assigned = literals.flatMap((literal) => [...objectEntries(literal).keys()]);
  const params = assigned.map((key) => key.match(/^\$\{(\w+)\}$/)?.[1]);
  // The identity the app runs as is the one its Key Vault references resolve with; any other one
  // assigned (the reviewers' sign-in credential) holds no role.
  const runtime = valueAt(site.resource.body, 'properties.keyVaultReferenceIdentity')?.trim();
  const idParam = params.length === 1 ? params[0] : params.find((p) => p !== undefined && p === runtime);
  if (type !== 'UserAssigned' || !idParam) {
    problem(infra, 'identity', site.file, 'the Function App must run as a user-assigned identity (identity.type UserAssigned; with more than one, properties.keyVaultReferenceIdentity names the runtime one)');
    return undefined;
  }
  const passed = argumentsFor(calls, site.file, idParam);
  const symbol = passed.length === 1 ? identityModuleOf(calls, passed[0]!.call.caller, passed[0]!.value, 'resourceId') : undefined;
  if (!symbol) {
    problem(infra, 'identity', site.file, `cannot trace ${idParam} to a user-assigned identity module's resourceId output`);
    return undefined;
  }
  return { symbol, caller: passed[0]!.call.caller, idParam };
}

/** True when `param` of `file` receives `<identity>.outputs.<output>` in every call deploying the file. */
function receivesIdentity(calls: ModuleCall[], identity: Identity, file: BicepFile, param: string, output: string): boolean {
  const passed = argumentsFor(calls, file, param);
  return passed.length > 0 && passed.every((p) => p.call.caller === identity.caller && identityModuleOf(calls, identity.caller, p.value, output) === identity.symbol);
}

// ---- App settings -------------------------------------------------------------------------------

interface Setting {
  value: string;
  /** Only set under some condition (a ternary branch). */
  conditional: boolean;
}

/** Reads an app-settings expression: object literals, union(), ternaries, and vars holding them. */
function collectSettings(file: BicepFile, expression: string, conditional: boolean, into: Map<string, Setting>, unread: string[]) {
  const text = expression.trim();
  if (text.startsWith('{')) {
    for (const [key, value] of objectEntries(text)) into.set(key, { value, conditional });
    return;
  }
  const union = callArguments(text, 'union');
  if (union) {
    for (const part of union) collectSettings(file, part, conditional, into, unread);
    return;
  }
  const branches = ternary(text);
  if (branches) {
    collectSettings(file, branches.whenTrue, true, into, unread);
    collectSettings(file, branches.whenFalse, true, into, unread);
    return;
  }
  const variable = isIdentifier(text) ? file.vars.find((v) => v.name === text) : undefined;
  if (variable) {
    collectSettings(file, variable.value, conditional, into, unread);
    return;
  }
  unread.push(text);
}

function checkAppSettings(infra: Infra, site: Site, facts: AppFacts, identity: Identity | undefined, calls: ModuleCall[]) {
  const { file } = site;
  const configs = file.resources.filter(
    (r) => r.type === 'Microsoft.Web/sites/config' && stringLiteral(valueAt(r.body, 'name')) === 'appsettings' && !r.existing,
  );
  if (configs.length !== 1) {
    problem(infra, 'app-settings', file, `expected one Microsoft.Web/sites/config 'appsettings' resource, found ${configs.length}`);
    return;
  }
  const settings = new Map<string, Setting>();
  const unread: string[] = [];
  collectSettings(file, valueAt(configs[0]!.body, 'properties') ?? '{}', Boolean(configs[0]!.condition), settings, unread);
  for (const text of unread) problem(infra, 'app-settings', file, `app settings come from "${text}", which this check cannot read; write them as object literals`);

  const set = (name: string) => settings.has(name) && !settings.get(name)!.conditional;
  const reported = new Set<string>();
  const missing = (name: string, why: string) => {
    if (reported.has(name)) return;
    reported.add(name);
    problem(infra, 'app-settings', file, `${name} is not set (${why})`);
  };

  // Required by the schema: it rejects an environment without them.
  for (const s of facts.settings.filter((s) => s.required)) {
    if (!set(s.name)) missing(s.name, 'the config schema requires it: shared/platform/config.ts');
  }
  // The cross-setting rules of loadConfig, in their identity-based form.
  if (!set('AzureWebJobsStorage__accountName') && !(set('AzureWebJobsStorage__blobServiceUri') && set('AzureWebJobsStorage__tableServiceUri'))) {
    missing('AzureWebJobsStorage__accountName', 'or __blobServiceUri and __tableServiceUri: loadConfig needs the storage account');
  }
  for (const [name, why] of Object.entries(PRODUCTION_SETTINGS)) {
    if (!set(name)) missing(name, why);
  }
  if (!set('ServiceBusConnection__fullyQualifiedNamespace')) missing('ServiceBusConnection__fullyQualifiedNamespace', 'loadConfig needs the Service Bus namespace');
  if (!set('PORTCULLIS_PUBLIC_URL') && !PLATFORM_PROVIDED.has('WEBSITE_HOSTNAME')) missing('PORTCULLIS_PUBLIC_URL', 'loadConfig needs the public URL');
  // Identity-based connections only: no connection strings, and the host uses the app's identity.
  for (const name of ['AzureWebJobsStorage', 'ServiceBusConnection']) {
    if (settings.has(name)) problem(infra, 'app-settings', file, `${name} is a connection string; use the identity-based ${name}__* settings`);
  }
  const connections = new Set(['AzureWebJobsStorage', 'ServiceBusConnection', ...facts.triggers.flatMap((t) => (t.connection ? [t.connection] : []))]);
  for (const prefix of connections) {
    if (stringLiteral(settings.get(`${prefix}__credential`)?.value)?.toLowerCase() !== 'managedidentity' || !set(`${prefix}__credential`)) {
      missing(`${prefix}__credential`, "must be 'managedidentity': the host connects as the user-assigned identity");
    }
    if (!set(`${prefix}__clientId`)) missing(`${prefix}__clientId`, 'the client id of the user-assigned identity');
  }
  for (const trigger of facts.triggers.filter((t) => t.connection)) {
    if (!set(`${trigger.connection}__fullyQualifiedNamespace`)) {
      missing(`${trigger.connection}__fullyQualifiedNamespace`, `connection of the ${trigger.name} trigger`);
    }
  }
  if (!set('AZURE_CLIENT_ID')) missing('AZURE_CLIENT_ID', 'the app authenticates as the user-assigned identity it names');
  for (const name of ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING']) {
    if (!set(name)) missing(name, 'Application Insights with Entra authentication');
  }
  if (stringLiteral(settings.get('PORTCULLIS_ENV')?.value) !== 'production') {
    problem(infra, 'app-settings', file, "PORTCULLIS_ENV must be 'production' in Azure (development unlocks dev-only credentials and sign-in)");
  }
  const reviewAuth = settings.get('PORTCULLIS_REVIEW_AUTH');
  if (reviewAuth && stringLiteral(reviewAuth.value) !== 'appservice') {
    problem(infra, 'app-settings', file, "PORTCULLIS_REVIEW_AUTH must be 'appservice' in Azure");
  }
  const known = new Set(facts.settings.map((s) => s.name));
  for (const name of settings.keys()) {
    if (!known.has(name) && !PLATFORM_SETTINGS.has(name) && !['AzureWebJobsStorage', 'ServiceBusConnection'].includes(name)) {
      problem(infra, 'app-settings', file, `${name} is neither in the config schema nor a platform setting (a typo?)`);
    }
  }

  // Secrets: Key Vault references, resolved with the app's own identity.
  const secrets = facts.settings.filter((s) => s.secret && settings.has(s.name));
  for (const s of secrets) {
    if (!settings.get(s.name)!.value.startsWith("'@Microsoft.KeyVault(")) {
      problem(infra, 'secret-settings', file, `${s.name} holds a secret: set it as a Key Vault reference ('@Microsoft.KeyVault(SecretUri=…)'), never a value`);
    }
  }
  for (const [name, { value }] of settings) {
    if (/\blist\w*\(|\.listKeys\(|getSecret\(/.test(value)) {
      problem(infra, 'secret-settings', file, `${name} is computed from a key or secret (${value}); use an identity-based setting or a Key Vault reference`);
    }
  }
  const referenceIdentity = valueAt(site.resource.body, 'properties.keyVaultReferenceIdentity')?.trim();
  if (secrets.length > 0 && identity && referenceIdentity !== identity.idParam) {
    problem(infra, 'secret-settings', file, `Key Vault references must resolve as the app's identity: set properties.keyVaultReferenceIdentity: ${identity.idParam}`);
  }

  // The client id the app and host authenticate with is the identity the site runs as.
  if (identity) {
    for (const name of ['AZURE_CLIENT_ID', ...[...connections].map((c) => `${c}__clientId`)]) {
      const value = settings.get(name)?.value.trim();
      if (value && !(isIdentifier(value) && receivesIdentity(calls, identity, file, value, 'clientId'))) {
        problem(infra, 'identity', file, `${name} must be the client id of the identity the Function App runs as (${identity.symbol}.outputs.clientId)`);
      }
    }
  }
}

// ---- App Service Authentication -----------------------------------------------------------------

/** A concrete path for a route template: `{x}` and `{x?}` become one segment, `{*x}` two. */
const samplePath = (route: string) => `/api/${route.replace(/\{\*[^}]+\}/g, 'a/b').replace(/\{[^}]+\}/g, 'x')}`;

const excludes = (pattern: string, path: string) =>
  pattern.endsWith('/*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path || pattern === `${path}/`;

function checkReviewAuth(infra: Infra, site: Site, facts: AppFacts) {
  const { file } = site;
  const auth = file.resources.find((r) => r.type === 'Microsoft.Web/sites/config' && stringLiteral(valueAt(r.body, 'name')) === 'authsettingsV2');
  if (!auth || auth.condition) {
    problem(infra, 'review-auth', file, 'no unconditional authsettingsV2 config: App Service Authentication must guard /api/review/*');
    return;
  }
  const validation = valueAt(auth.body, 'properties.globalValidation');
  if (!isTrue(valueAt(auth.body, 'properties.platform.enabled')) || !isTrue(valueAt(validation ?? '{}', 'requireAuthentication'))) {
    problem(infra, 'review-auth', file, 'authsettingsV2 must be enabled with globalValidation.requireAuthentication: true');
  }
  const action = valueAt(validation ?? '{}', 'unauthenticatedClientAction') ?? '';
  if (/AllowAnonymous/.test(action)) problem(infra, 'review-auth', file, 'unauthenticatedClientAction must not be AllowAnonymous');

  let excluded = valueAt(validation ?? '{}', 'excludedPaths') ?? '[]';
  if (isIdentifier(excluded)) excluded = file.vars.find((v) => v.name === excluded.trim())?.value ?? '[]';
  const patterns = arrayItems(excluded).map((item) => stringLiteral(item));
  if (patterns.some((p) => p === undefined)) problem(infra, 'review-auth', file, 'excludedPaths must be string literals');
  const literal = patterns.filter((p): p is string => p !== undefined);

  const reviewRoutes = [...new Set(['review/{id}', ...facts.httpRoutes.filter((r) => r.startsWith('review'))])];
  for (const pattern of literal) {
    const exempted = reviewRoutes.filter((route) => excludes(pattern, samplePath(route)));
    if (exempted.length > 0) {
      problem(infra, 'review-auth', file, `excludedPaths entry '${pattern}' exempts ${exempted.map((r) => `/api/${r}`).join(', ')} from sign-in; reviewers must sign in there`);
    }
  }
  for (const route of facts.httpRoutes.filter((r) => !r.startsWith('review'))) {
    const variants = route.includes('?}') ? [route, route.replace(/\/?\{[^}]*\?\}/g, '')] : [route];
    for (const variant of variants) {
      if (!literal.some((p) => excludes(p, samplePath(variant)))) {
        problem(infra, 'review-auth', file, `/api/${variant} is not in excludedPaths: App Service Authentication would intercept a route that checks its own tokens`);
      }
    }
  }
}

// ---- Roles --------------------------------------------------------------------------------------

/** roles.bicep: `key: 'guid' // Role Name` lines of the exported `roles` object. */
function roleTable(infra: Infra): Map<string, { id: string; name: string }> {
  const table = new Map<string, { id: string; name: string }>();
  const file = infra.files.get(resolve(infra.dir, ROLES_FILE));
  if (!file) return table;
  for (const m of file.source.matchAll(/^\s*(\w+)\s*:\s*'([0-9a-fA-F-]{36})'\s*\/\/\s*(.+?)\s*$/gm)) {
    table.set(m[1]!, { id: m[2]!.toLowerCase(), name: m[3]! });
  }
  return table;
}

function checkRoleIds(infra: Infra) {
  const file = infra.files.get(resolve(infra.dir, ROLES_FILE));
  if (!file) {
    problem(infra, 'role-ids', ROLES_FILE, 'missing: role ids are kept in one place');
    return;
  }
  const keys = [...objectEntries(file.vars.find((v) => v.name === 'roles')?.value ?? '{}').keys()];
  const table = roleTable(infra);
  for (const key of keys) {
    const entry = table.get(key);
    if (!entry) {
      problem(infra, 'role-ids', file, `roles.${key} needs a role id and its name in a comment: ${key}: '<guid>' // <Role Name>`);
      continue;
    }
    const expected = BUILT_IN_ROLES[entry.name as RoleName];
    if (!expected) problem(infra, 'role-ids', file, `roles.${key}: "${entry.name}" is not a built-in role test/infra knows`);
    else if (expected !== entry.id) problem(infra, 'role-ids', file, `roles.${key}: ${entry.id} is not the id of ${entry.name} (${expected})`);
  }
}

interface Assignment {
  file: BicepFile;
  resource: Resource;
  /** The built-in role, or the custom role definition's symbol. */
  label?: string;
  role?: RoleName;
  custom?: CustomRole;
  principal: string;
  scope?: string;
}

interface CustomRole extends Permissions {
  symbol: string;
  notActions: string[];
  notDataActions: string[];
}

const ROLE_DEFINITION = 'Microsoft.Authorization/roleDefinitions';

/** A custom role definition's permissions; every entry must be a string literal. */
function customRole(infra: Infra, file: BicepFile, resource: Resource): CustomRole {
  const role: CustomRole = { symbol: resource.symbol, actions: [], dataActions: [], notActions: [], notDataActions: [] };
  for (const block of arrayItems(valueAt(resource.body, 'properties.permissions') ?? '[]')) {
    for (const key of ['actions', 'dataActions', 'notActions', 'notDataActions'] as const) {
      let list = valueAt(block, key) ?? '[]';
      if (isIdentifier(list)) list = file.vars.find((v) => v.name === list.trim())?.value ?? '[]';
      for (const item of arrayItems(list)) {
        const literal = stringLiteral(item);
        if (literal === undefined) problem(infra, 'least-privilege', file, `${resource.symbol}: permissions.${key} entry ${item.trim()} is not a string literal`);
        else role[key].push(literal);
      }
    }
  }
  return role;
}

function assignments(infra: Infra): Assignment[] {
  const table = roleTable(infra);
  const byId = new Map<string, RoleName>(Object.entries(BUILT_IN_ROLES).map(([name, id]) => [id, name as RoleName]));
  return resourcesOfType(infra, ROLE_ASSIGNMENT).map(({ file, resource }) => {
    const base = { file, resource, principal: (valueAt(resource.body, 'properties.principalId') ?? '').trim(), scope: valueAt(resource.body, 'scope')?.trim() };
    const definition = valueAt(resource.body, 'properties.roleDefinitionId') ?? '';
    const symbol = definition.trim().match(/^(\w+)\.id$/)?.[1];
    const defined = symbol ? file.resources.find((r) => r.symbol === symbol && r.type === ROLE_DEFINITION && !r.existing) : undefined;
    if (defined) return { ...base, label: `custom role ${defined.symbol}`, custom: customRole(infra, file, defined) };
    const key = definition.match(/\broles\.(\w+)/)?.[1];
    const id = key ? table.get(key)?.id : definition.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i)?.[0]?.toLowerCase();
    const name = key ? table.get(key)?.name : undefined;
    const role = (name && name in BUILT_IN_ROLES ? (name as RoleName) : undefined) ?? (id ? byId.get(id) : undefined);
    return { ...base, role, label: role };
  });
}

const permissionsOf = (a: Assignment): CustomRole | undefined => {
  if (a.custom) return a.custom;
  const known = a.role ? BUILT_IN_PERMISSIONS[a.role] : undefined;
  return known && { symbol: a.role!, ...known, notActions: [], notDataActions: [] };
};

/** The permissions in `wanted` that no held role grants (allowed by a pattern, not excluded by a not*). */
function ungranted(held: CustomRole[], wanted: Permissions): string[] {
  const granted = (action: string, allow: 'actions' | 'dataActions', deny: 'notActions' | 'notDataActions') =>
    held.some((r) => r[allow].some((p) => permissionMatches(p, action)) && !r[deny].some((p) => permissionMatches(p, action)));
  return [...wanted.actions.filter((a) => !granted(a, 'actions', 'notActions')), ...wanted.dataActions.filter((a) => !granted(a, 'dataActions', 'notDataActions'))];
}

function checkRoles(infra: Infra, facts: AppFacts, identity: Identity | undefined, calls: ModuleCall[]) {
  if (!identity) return;
  const app = assignments(infra).filter((a) => isIdentifier(a.principal) && receivesIdentity(calls, identity, a.file, a.principal, 'principalId'));
  const held = app.filter((a) => !a.resource.condition && !a.resource.loop).flatMap((a) => permissionsOf(a) ?? []);
  const reported = new Set<string>();
  for (const { need, because } of requiredRoles(facts)) {
    const missing = ungranted(held, need);
    if (missing.length === 0 || reported.has(need.name)) continue;
    reported.add(need.name);
    problem(infra, 'roles', 'app/rbac.bicep', `the app's identity has no ${need.name} (${need.builtIn}, or a custom role with ${missing.join(', ')}), which ${because} needs`);
  }
  for (const a of app) {
    if (a.custom) {
      const excess = [
        ...a.custom.actions.filter((p) => !NEEDED_PERMISSIONS.actions.includes(p)),
        ...a.custom.dataActions.filter((p) => !NEEDED_PERMISSIONS.dataActions.includes(p)),
      ];
      if (excess.length > 0) problem(infra, 'least-privilege', a.file, `${a.resource.symbol}: ${a.label} grants ${excess.join(', ')}, which no code path of the app needs`);
    } else if (!a.role) problem(infra, 'least-privilege', a.file, `${a.resource.symbol}: role not recognised; use an id from ${ROLES_FILE} or a role definition in the same file`);
    else if (!ALLOWED_BUILT_IN_ROLES.has(a.role)) problem(infra, 'least-privilege', a.file, `${a.resource.symbol}: ${a.role} is more than any code path of the app needs`);
    if (!a.scope) problem(infra, 'least-privilege', a.file, `${a.resource.symbol}: assigned at resource-group scope; scope it to the one resource the code uses`);
  }
}

// ---- Outputs ------------------------------------------------------------------------------------

const SECRET_EXPRESSIONS: [RegExp, string][] = [
  [/\blist\w*\(|\.list\w*\(/, 'calls a list*() function (keys, SAS, connection strings)'],
  [/connectionstring/i, 'reads a connection string'],
  [/instrumentationkey/i, 'reads an instrumentation key'],
  [/(primary|secondary)(master)?key|accountkey|sharedaccesskey/i, 'reads an access key'],
  [/getSecret\(|secretValue|\.properties\.value\b/, 'reads a Key Vault secret value'],
];

function checkOutputs(infra: Infra) {
  for (const file of infra.files.values()) {
    const secureParams = new Set(file.params.filter((p) => p.decorators.some((d) => d.startsWith('@secure('))).map((p) => p.name));
    for (const output of file.outputs) {
      const where = `output ${output.name} (line ${output.line})`;
      if (output.decorators.some((d) => d.startsWith('@secure('))) {
        problem(infra, 'secret-outputs', file, `${where} is @secure(): secrets stay in Key Vault, not in outputs`);
        continue;
      }
      const hit = SECRET_EXPRESSIONS.find(([pattern]) => pattern.test(output.value));
      if (hit) {
        problem(infra, 'secret-outputs', file, `${where} ${hit[1]}: ${output.value}`);
        continue;
      }
      const secureUse = [...secureParams].find((p) => new RegExp(`\\b${p}\\b`).test(output.value));
      if (secureUse) problem(infra, 'secret-outputs', file, `${where} exposes the @secure() parameter ${secureUse}`);
      else if (/(password|secret(?!_?name)|connection_?string|access_?key|account_?key|sas_?token)/i.test(output.name)) {
        problem(infra, 'secret-outputs', file, `${where}: its name says it holds a secret`);
      }
    }
  }
}

// ---- Storage: immutability and layout -----------------------------------------------------------

/** Names a resource creates: a literal name, or each literal of the array its loop runs over. */
function createdNames(file: BicepFile, resource: Resource): string[] {
  const name = valueAt(resource.body, 'name')?.trim();
  const literal = stringLiteral(name);
  if (literal !== undefined) return [literal];
  if (resource.loop && name === resource.loop.item) {
    const source = isIdentifier(resource.loop.source) ? file.vars.find((v) => v.name === resource.loop!.source)?.value : resource.loop.source;
    return arrayItems(source ?? '[]').flatMap((item) => stringLiteral(item) ?? []);
  }
  if (isIdentifier(name)) {
    const variable = file.vars.find((v) => v.name === name);
    const value = stringLiteral(variable?.value);
    if (value !== undefined) return [value];
  }
  return [];
}

function checkImmutability(infra: Infra, facts: AppFacts) {
  const container = resourcesOfType(infra, 'Microsoft.Storage/storageAccounts/blobServices/containers').find(({ file, resource }) =>
    createdNames(file, resource).includes(facts.sessionContainer),
  );
  if (!container) {
    problem(infra, 'immutability', 'app/storage.bicep', `no '${facts.sessionContainer}' container`);
    return;
  }
  const { file, resource } = container;
  // Version-level WORM lets Put Blob write a new current version over a session blob; only a
  // container-level policy refuses the overwrite itself.
  if (valueAt(resource.body, 'properties.immutableStorageWithVersioning') !== undefined) {
    problem(infra, 'immutability', file, `${resource.symbol}: use a container-level time-based retention policy, not version-level immutability (immutableStorageWithVersioning), under which Put Blob can replace a session blob's current version`);
  }
  const policy = file.resources.find(
    (r) => r.type === 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies' && valueAt(r.body, 'parent')?.trim() === resource.symbol,
  );
  if (!policy) {
    problem(infra, 'immutability', file, `${resource.symbol} has no immutabilityPolicies resource (time-based retention)`);
    return;
  }
  if (!isTrue(valueAt(policy.body, 'properties.allowProtectedAppendWrites'))) {
    problem(infra, 'immutability', file, `${policy.symbol}: properties.allowProtectedAppendWrites must be true, or the recorder cannot append to a session's blob`);
  }
  const days = valueAt(policy.body, 'properties.immutabilityPeriodSinceCreationInDays')?.trim();
  if (!isIdentifier(days) || !file.params.some((p) => p.name === days)) {
    problem(infra, 'immutability', file, `${policy.symbol}: immutabilityPeriodSinceCreationInDays must come from a parameter`);
  }
  if (policy.condition) {
    const flag = policy.condition.match(/^!\s*(\w+)$/)?.[1];
    const param = file.params.find((p) => p.name === flag);
    if (!param || param.defaultValue?.trim() !== 'false') {
      problem(infra, 'immutability', file, `${policy.symbol} is conditional (${policy.condition}); only a "policy is locked" flag defaulting to false may skip it`);
    }
  }
}

const isoMs = (duration: string | undefined) => {
  const m = duration?.match(/^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/);
  if (!m) return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return (((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(s)) * 1000;
};

function checkStorageLayout(infra: Infra, facts: AppFacts) {
  const names = (type: string) => new Set(resourcesOfType(infra, type).flatMap(({ file, resource }) => createdNames(file, resource)));
  const containers = names('Microsoft.Storage/storageAccounts/blobServices/containers');
  for (const name of facts.containers) {
    if (!containers.has(name)) problem(infra, 'storage-layout', 'app/storage.bicep', `container '${name}' (shared/app/storage-layout.ts, or the Functions host's) is not created: the app's identity cannot create containers`);
  }
  const tables = names('Microsoft.Storage/storageAccounts/tableServices/tables');
  for (const name of facts.tables) {
    if (!tables.has(name)) problem(infra, 'storage-layout', 'app/storage.bicep', `table '${name}' (shared/app/storage-layout.ts) is not created`);
  }
  const queues = resourcesOfType(infra, 'Microsoft.ServiceBus/namespaces/queues');
  for (const queue of facts.queues) {
    const found = queues.find(({ file, resource }) => createdNames(file, resource).includes(queue.name));
    if (!found) {
      problem(infra, 'storage-layout', 'app/servicebus.bicep', `Service Bus queue '${queue.name}' is not created`);
      continue;
    }
    const { file, resource } = found;
    const prop = (name: string) => valueAt(resource.body, `properties.${name}`)?.trim();
    const expect = (ok: boolean, message: string) => ok || problem(infra, 'storage-layout', file, `queue '${queue.name}': ${message}`);
    expect(isTrue(prop('requiresDuplicateDetection')), 'requiresDuplicateDetection must be true (messageId = {approvalId}:{event})');
    expect(
      isoMs(stringLiteral(prop('duplicateDetectionHistoryTimeWindow'))) === queue.duplicateDetectionWindowMs,
      `duplicateDetectionHistoryTimeWindow must be ${queue.duplicateDetectionWindowMs} ms`,
    );
    expect(prop('maxDeliveryCount') === String(queue.maxDeliveryCount), `maxDeliveryCount must be ${queue.maxDeliveryCount}`);
    expect(isoMs(stringLiteral(prop('lockDuration'))) === queue.lockDurationMs, `lockDuration must be ${queue.lockDurationMs} ms`);
    expect(isTrue(prop('deadLetteringOnMessageExpiration')), 'deadLetteringOnMessageExpiration must be true');
  }
}

// ---- Lockdown -----------------------------------------------------------------------------------

function checkLockdown(infra: Infra) {
  const rules: [string, string, string][] = [
    ['Microsoft.Storage/storageAccounts', 'properties.allowSharedKeyAccess', 'false'],
    ['Microsoft.Storage/storageAccounts', 'properties.allowBlobPublicAccess', 'false'],
    ['Microsoft.ServiceBus/namespaces', 'properties.disableLocalAuth', 'true'],
    ['Microsoft.KeyVault/vaults', 'properties.enableRbacAuthorization', 'true'],
    ['Microsoft.Insights/components', 'properties.DisableLocalAuth', 'true'],
    ['Microsoft.OperationalInsights/workspaces', 'properties.features.disableLocalAuth', 'true'],
    ['Microsoft.Web/sites', 'properties.httpsOnly', 'true'],
  ];
  for (const [type, path, expected] of rules) {
    for (const { file, resource } of resourcesOfType(infra, type)) {
      if (valueAt(resource.body, path)?.trim() !== expected) {
        problem(infra, 'lockdown', file, `${resource.symbol}: ${path} must be ${expected}`);
      }
    }
  }
}

// ---- Network isolation --------------------------------------------------------------------------

function checkNetwork(infra: Infra, site: Site | undefined) {
  for (const type of ['Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults']) {
    for (const { file, resource } of resourcesOfType(infra, type)) {
      const access = valueAt(resource.body, 'properties.publicNetworkAccess');
      const action = valueAt(resource.body, 'properties.networkAcls.defaultAction');
      if (access === undefined || stringLiteral(access) !== undefined) {
        problem(infra, 'network', file, `${resource.symbol}: properties.publicNetworkAccess must follow the network-isolation parameter, not be fixed (${access?.trim() ?? 'absent'})`);
      }
      if (action === undefined || stringLiteral(action) !== undefined) {
        problem(infra, 'network', file, `${resource.symbol}: properties.networkAcls.defaultAction must follow the network-isolation parameter, not be fixed (${action?.trim() ?? 'absent'})`);
      }
    }
  }
  // Private endpoints: their groupIds, written literally or read from the loop's `name` field.
  const groups = new Set<string>();
  for (const { file, resource } of resourcesOfType(infra, 'Microsoft.Network/privateEndpoints')) {
    const ids = valueAt(resource.body, 'properties.privateLinkServiceConnections') ?? '[]';
    for (const connection of arrayItems(ids)) {
      for (const item of arrayItems(valueAt(connection, 'properties.groupIds') ?? '[]')) {
        const literal = stringLiteral(item);
        const field = item.trim().match(/^(\w+)\.(\w+)$/);
        if (literal !== undefined) groups.add(literal);
        else if (resource.loop && field && field[1] === resource.loop.item) {
          const source = isIdentifier(resource.loop.source) ? file.vars.find((v) => v.name === resource.loop!.source)?.value : resource.loop.source;
          for (const entry of arrayItems(source ?? '[]')) {
            const value = stringLiteral(valueAt(entry, field[2]!));
            if (value !== undefined) groups.add(value);
          }
        }
      }
    }
  }
  for (const group of ['blob', 'table', 'queue', 'vault']) {
    if (!groups.has(group)) problem(infra, 'network', 'app/network.bicep', `no private endpoint for '${group}': network-isolated mode could not reach it`);
  }
  if (site && valueAt(site.resource.body, 'properties.virtualNetworkSubnetId') === undefined) {
    problem(infra, 'network', site.file, `${site.resource.symbol}: properties.virtualNetworkSubnetId is not set: the app cannot join the network`);
  }
}
