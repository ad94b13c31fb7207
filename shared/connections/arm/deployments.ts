// What a template deployment does. `PUT …/Microsoft.Resources/deployments/d` is one write in
// RBAC terms, yet ARM then creates every resource of its template (role assignments included),
// deletes every resource of the group the template leaves out in Complete mode, and follows
// nested deployments into other resource groups, subscriptions and management groups. So the body
// of every request that deploys is read, and what it does is added to the operation rules see:
// - the flag `deployment`, always;
// - `<type>/write` for each resource type of the template, nested templates and child resources
//   included, and the id of each resource (the type's collection in its scope when the name is an
//   expression) in the scope it is deployed to;
// - `complete-mode` with the action `*/delete` and the resource `<scope>/resources` for a
//   deployment in Complete mode, a deployment stack that deletes what it no longer manages
//   (`actionOnUnmanage`, `unmanageAction.*` on its delete), and its resource groups' and management
//   groups' deletes;
// - `deployment-script` for a deployment script (arbitrary code run with an identity);
// - `opaque-template` when part of what it does cannot be read here: a linked template or template
//   spec (`templateLink`), a redeploy on error, a managed application's or blueprint's template, a
//   type that is not literal, a scope given by an expression.
// Validation and what-if are POST actions that deploy nothing, and are not read.
import type { Refusal } from '../../platform/problem.js';
import type { RequestBody } from '../kind.js';

export interface DeploymentEffects {
  actions: string[];
  resources: string[];
  flags: string[];
}

/** Where a template deploys: a resource id prefix (`''` for the tenant), or null when it cannot be known. */
type Scope = string | null;

interface Walk {
  actions: Set<string>;
  resources: Set<string>;
  flags: Set<string>;
}

type Deployer = (properties: unknown[], scope: Scope, walk: Walk) => void;

// A deletion of resources of any type: what rules on `*` + `/delete` match.
const ANY_DELETE = '*/delete';
const FULL_TYPE = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+(?:\/[A-Za-z][A-Za-z0-9_-]*)+$/;
const CHILD_TYPE = /^[A-Za-z][A-Za-z0-9_-]*(?:\/[A-Za-z][A-Za-z0-9_-]*)*$/;

const DEPLOYERS: Record<string, Deployer> = {
  'microsoft.resources/deployments': deployment,
  'microsoft.resources/deploymentstacks': stack,
  'microsoft.resources/deploymentscripts': (_properties, _scope, walk) => void walk.flags.add('deployment-script'),
  // Their templates live elsewhere (the application definition, the blueprint): nothing here says what they create.
  'microsoft.solutions/applications': managedApplication,
  'microsoft.blueprint/blueprintassignments': (_properties, _scope, walk) => void walk.flags.add('opaque-template'),
};

/**
 * The effects of a request that deploys, or null for any other request. Throws the given refusal
 * when the body of a deployment cannot be read as strict JSON: ARM's parser takes more (comments,
 * single quotes), and what the gateway cannot read it must not let through as a plain write.
 */
export function deploymentEffects(arm: { resourceType: string; resourceId: string }, method: string, query: URLSearchParams, body: RequestBody, refuse: (why: string) => Refusal): DeploymentEffects | null {
  const deployer = DEPLOYERS[deployerKey(arm.resourceType)];
  if (!deployer) return null;
  const scope = scopeOf(arm.resourceId);
  const walk: Walk = { actions: new Set(), resources: new Set(), flags: new Set(['deployment']) };
  if (method === 'PUT' || method === 'PATCH') deployer(values(readJson(body, refuse), 'properties'), scope, walk);
  else if (method === 'DELETE' && deployer === stack) unmanage(queryUnmanage(query), scope, walk, false);
  else return null;
  return { actions: [...walk.actions], resources: [...walk.resources], flags: [...walk.flags] };
}

/** `Microsoft.Resources/subscriptions/resourceGroups/deployments` (the short path ARM also serves) reads as `microsoft.resources/deployments`. */
function deployerKey(resourceType: string): string {
  const types = resourceType.toLowerCase().split('/');
  return types[0] === 'microsoft.resources' ? `microsoft.resources/${types.at(-1)}` : types.join('/');
}

/** The scope a deployment at `resourceId` deploys to: its id without `[/providers/Microsoft.Resources]/<type>/<name>`. */
function scopeOf(resourceId: string): string {
  return resourceId.replace(/\/[^/]+\/[^/]+$/, '').replace(/\/providers\/Microsoft\.Resources$/i, '');
}

function readJson(body: RequestBody, refuse: (why: string) => Refusal): unknown {
  if (!body.bytes) throw refuse('the deployment\'s body was not read');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.bytes));
  } catch {
    throw refuse('the deployment\'s body is not JSON the gateway can read');
  }
}

/** A deployment's properties: its mode and its template, inline or linked. */
function deployment(properties: unknown[], scope: Scope, walk: Walk): void {
  if (properties.length === 0) walk.flags.add('opaque-template');
  for (const p of properties) {
    const modes = values(p, 'mode');
    // Fail closed: only a mode that says Incremental is read as one (ARM takes names in any case).
    if (modes.length === 0 || modes.some((m) => typeof m !== 'string' || m.toLowerCase() !== 'incremental')) complete(scope, walk);
    template(p, scope, walk);
  }
}

/** A deployment stack's properties: where it deploys, its template, and what it does with resources it no longer manages. */
function stack(properties: unknown[], scope: Scope, walk: Walk): void {
  if (properties.length === 0) walk.flags.add('opaque-template');
  for (const p of properties) {
    const target = values(p, 'deploymentScope').length === 0 ? scope : absoluteScope(literal(values(p, 'deploymentScope')), walk);
    template(p, target, walk);
    const actions = values(p, 'actionOnUnmanage');
    if (actions.length === 0) complete(target, walk);
    for (const a of actions) unmanage({ resources: values(a, 'resources'), resourcegroups: values(a, 'resourceGroups'), managementgroups: values(a, 'managementGroups') }, target, walk, true);
  }
}

/** `unmanageAction.Resources=delete` on a stack's DELETE says what goes with it. */
function queryUnmanage(query: URLSearchParams): Record<string, unknown[]> {
  const found: Record<string, unknown[]> = { resources: [], resourcegroups: [], managementgroups: [] };
  for (const [key, value] of query) {
    const name = /^unmanageaction\.(.+)$/i.exec(key)?.[1]?.toLowerCase();
    if (name !== undefined && name in found) found[name]!.push(value);
  }
  return found;
}

/**
 * What a stack does with the resources it stops managing: anything but `detach` deletes. A stack's
 * `actionOnUnmanage.resources` is required (none: read as a delete); on a DELETE, an absent
 * `unmanageAction` is ARM's default, detach.
 */
function unmanage(actions: Record<string, unknown[]>, scope: Scope, walk: Walk, resourcesRequired: boolean): void {
  const deletes = (given: unknown[] | undefined) => (given ?? []).some((v) => typeof v !== 'string' || v.toLowerCase() !== 'detach');
  if (deletes(actions.resources) || (resourcesRequired && (actions.resources ?? []).length === 0)) complete(scope, walk);
  if (deletes(actions.resourcegroups)) {
    walk.flags.add('complete-mode');
    walk.actions.add('Microsoft.Resources/subscriptions/resourceGroups/delete');
  }
  if (deletes(actions.managementgroups)) {
    walk.flags.add('complete-mode');
    walk.actions.add('Microsoft.Management/managementGroups/delete');
  }
}

/** A managed application deploys its definition's template into its managed resource group. */
function managedApplication(properties: unknown[], _scope: Scope, walk: Walk): void {
  walk.flags.add('opaque-template');
  for (const p of properties) {
    const group = literal(values(p, 'managedResourceGroupId'));
    if (typeof group === 'string' && group.startsWith('/')) walk.resources.add(group.replace(/\/+$/, ''));
  }
}

/** Deletes anything in the scope that the template does not name. */
function complete(scope: Scope, walk: Walk): void {
  walk.flags.add('complete-mode');
  walk.actions.add(ANY_DELETE);
  if (scope !== null) walk.resources.add(`${scope}/resources`);
}

/** The template of a deployment or stack: inline (read), or linked, a template spec or a redeploy on error (not readable here). */
function template(properties: unknown, scope: Scope, walk: Walk): void {
  const templates = values(properties, 'template');
  if (templates.length === 0 || values(properties, 'templateLink').length > 0 || values(properties, 'onErrorDeployment').length > 0) {
    walk.flags.add('opaque-template');
  }
  for (const t of templates) {
    if (!isRecord(t)) walk.flags.add('opaque-template');
    for (const list of values(t, 'resources')) forEachResource(list, walk, (r) => resource(r, scope, null, walk));
  }
}

interface Parent {
  type: string;
  names: string[] | null;
}

function resource(r: unknown, scope: Scope, parent: Parent | null, walk: Walk): void {
  if (!isRecord(r)) return void walk.flags.add('opaque-template');
  const declared = literal(values(r, 'type'));
  const type = typeof declared !== 'string' ? null : FULL_TYPE.test(declared) ? declared : parent && CHILD_TYPE.test(declared) ? `${parent.type}/${declared}` : null;
  if (type === null) return void walk.flags.add('opaque-template');
  walk.actions.add(`${type}/write`);

  const target = resourceScope(r, scope, walk);
  const name = literal(values(r, 'name'));
  const own = typeof name === 'string' && !isExpression(name) ? name.split('/') : null;
  // A child declared with its type relative to its parent's gives only its own name.
  const names = own === null || type === declared ? own : parent!.names === null ? null : [...parent!.names, ...own];
  if (target !== null) walk.resources.add(resourceId(target, type, names));

  const deployer = DEPLOYERS[type.toLowerCase()];
  if (deployer) deployer(values(r, 'properties'), target, walk);
  for (const list of values(r, 'resources')) forEachResource(list, walk, (child) => resource(child, target, { type, names }, walk));
}

/** `<scope>/providers/<namespace>/<type>/<name>/…`, or the top type's collection when a name is not known. */
function resourceId(scope: string, type: string, names: string[] | null): string {
  const [namespace, ...types] = type.split('/');
  if (names === null || names.length !== types.length) return `${scope}/providers/${namespace}/${types[0]}`;
  return `${scope}/providers/${namespace}/${types.flatMap((t, i) => [t, names[i]]).join('/')}`;
}

/**
 * Where a resource goes: its deployment's scope unless it names another: `scope` (an extension
 * resource's target, a nested deployment's management group or tenant), `subscriptionId`,
 * `resourceGroup`. A scope given by an expression is not known here.
 */
function resourceScope(r: Record<string, unknown>, scope: Scope, walk: Walk): Scope {
  const [scopes, subscriptions, groups] = [values(r, 'scope'), values(r, 'subscriptionId'), values(r, 'resourceGroup')];
  let target = scope;
  if (scopes.length > 0) {
    const given = literal(scopes);
    if (typeof given !== 'string' || isExpression(given)) return unknownScope(walk);
    target = given.startsWith('/') ? absoluteScope(given, walk) : /^Microsoft\.Management\/managementGroups\//i.test(given) ? `/providers/${given}` : target === null ? null : `${target}/providers/${given}`;
  }
  if (subscriptions.length === 0 && groups.length === 0) return target;
  const subscription = subscriptions.length > 0 ? literal(subscriptions) : /^\/subscriptions\/([^/]+)/i.exec(target ?? '')?.[1];
  const group = groups.length > 0 ? literal(groups) : null;
  if (typeof subscription !== 'string' || isExpression(subscription) || (group !== null && (typeof group !== 'string' || isExpression(group)))) return unknownScope(walk);
  return group === null ? `/subscriptions/${subscription}` : `/subscriptions/${subscription}/resourceGroups/${group}`;
}

function absoluteScope(given: unknown, walk: Walk): Scope {
  if (typeof given !== 'string' || !given.startsWith('/')) return unknownScope(walk);
  return given.replace(/\/+$/, '');
}

function unknownScope(walk: Walk): null {
  walk.flags.add('opaque-template');
  return null;
}

/** A template's `resources`: an array, or an object of symbolic names (languageVersion 2.0). */
function forEachResource(list: unknown, walk: Walk, each: (r: unknown) => void): void {
  if (Array.isArray(list)) list.forEach(each);
  else if (isRecord(list)) Object.values(list).forEach(each);
  else walk.flags.add('opaque-template');
}

/** Every value of a member, whatever the case of its name: ARM reads names in any case, so `Mode` and `mode` are both read. */
function values(object: unknown, name: string): unknown[] {
  if (!isRecord(object)) return [];
  const lower = name.toLowerCase();
  return Object.entries(object).flatMap(([key, value]) => (key.toLowerCase() === lower ? [value] : []));
}

/** The one value given, or undefined when there is none or they differ (the gateway cannot tell which ARM takes). */
function literal(given: unknown[]): unknown {
  return given.length > 0 && given.every((v) => v === given[0]) ? given[0] : undefined;
}

/** `[resourceGroup().name]`: evaluated by ARM, not here. */
const isExpression = (value: string) => value.startsWith('[');

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
