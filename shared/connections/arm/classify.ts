// An ARM request in Azure's own terms: the action named as Azure RBAC names it
// (`Microsoft.Storage/storageAccounts/listKeys/action`), the resource id it touches, and its
// subscription, resource group, provider, type and name. A path that does not follow ARM's
// resource-id grammar is refused rather than judged under a made-up name: a rule such as
// `*/read` must never let through something the gateway could not name.
import type { Refusal } from '../../platform/problem.js';
import { bodyText } from '../body-text.js';
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';
import { deploymentEffects } from './deployments.js';
import { unclassifiable } from './refusals.js';

const VERBS: Record<string, 'read' | 'write' | 'delete' | 'action'> = {
  GET: 'read',
  HEAD: 'read',
  PUT: 'write',
  PATCH: 'write',
  DELETE: 'delete',
  POST: 'action',
};

const NAMESPACE = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+$/;
const TYPE = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Where ARM's own resource ids may start. */
const ROOTS = new Set(['subscriptions', 'tenants', 'providers']);
/** Microsoft.Resources segments spelled one way whatever the caller sent (`resourcegroups` from az). */
const CANONICAL: Record<string, string> = { subscriptions: 'subscriptions', resourcegroups: 'resourceGroups', tenants: 'tenants', providers: 'providers' };

/**
 * Actions whose answers carry secrets by ARM convention (listKeys, listConnectionStrings,
 * regenerateKey, listAccountSas, listCredentials, getAccessToken, beginGetAccess…): flagged
 * `secrets`, and their answers are masked strictly (see secrets.ts). Over-flagging only masks more.
 */
const SECRET_PREFIX = /^(?:list|regenerate|generate)/i;
// Substrings, not camel-case words: ARM matches action names case-insensitively, so
// `getaccesstoken` is the same action as `getAccessToken`.
const SECRET_WORD = /key|secret|credential|token|password/i;
// `sas` is too short to look for inside words (disassociate): only as a camel-case word or an ending.
const SAS_WORD = /Sas|SAS|^sas|sas$/;
const SECRET_ACTIONS = new Set(['publishxml', 'begingetaccess']);

export function bearsSecrets(action: string): boolean {
  return SECRET_PREFIX.test(action) || SECRET_ACTIONS.has(action.toLowerCase()) || SECRET_WORD.test(action) || SAS_WORD.test(action);
}

/**
 * Resources whose own answer (to a GET, and to the PUT that sets them) is a secret, from ARM's
 * REST references: a VPN connection's pre-shared key (`{"value": "<psk>"}`), a Virtual WAN link's
 * shared key, AKS's legacy access profiles (a kubeconfig), Automation's agent registration keys,
 * HDInsight's gateway configuration (its password), API Management's tenant access keys (older
 * api-versions), a web app's hybrid connection (`sendKeyValue`).
 */
const SECRET_RESOURCES = new Set(
  [
    'Microsoft.Network/connections/sharedkey',
    'Microsoft.Network/vpnGateways/vpnConnections/vpnLinkConnections/sharedKeys',
    'Microsoft.ContainerService/managedClusters/accessProfiles',
    'Microsoft.Automation/automationAccounts/agentRegistrationInformation',
    'Microsoft.HDInsight/clusters/configurations',
    'Microsoft.ApiManagement/service/tenant',
    'Microsoft.Web/sites/hybridConnectionNamespaces/relays',
    'Microsoft.Web/sites/slots/hybridConnectionNamespaces/relays',
  ].map((t) => t.toLowerCase()),
);

/**
 * Whether a read or write answers with a secret: a resource of SECRET_RESOURCES, or a GET named
 * like a list action (`…/config/authsettingsV2/list`, Search's `listQueryKeys` in older
 * api-versions): some APIs hand out secrets to GET.
 */
function holdsSecrets(verb: string, resourceType: string, last: Pair): boolean {
  if (SECRET_RESOURCES.has(resourceType.toLowerCase())) return true;
  return verb === 'read' && last.name === undefined && SECRET_PREFIX.test(last.type);
}

interface Pair {
  type: string;
  name?: string;
}

interface Frame {
  namespace: string;
  pairs: Pair[];
}

export interface ArmTarget {
  action: string;
  resourceId: string;
  subscription: string | null;
  resourceGroup: string | null;
  provider: string;
  resourceType: string;
  name: string | null;
  secrets: boolean;
}

export function classifyArm(request: AgentRequest): Operation {
  const target = request.target!;
  const arm = armTarget(request.method, target.path);
  const query = new URLSearchParams(target.search);
  const deploys = deploymentEffects(arm, request.method, query, request.body, (why) => unclassifiable(request.method, target.path, why));
  return {
    kind: 'arm',
    method: request.method,
    path: target.path,
    query: target.search.replace(/^\?/, ''),
    // A deployment is also what its template does (deployments.ts).
    actions: unique([arm.action, ...(deploys?.actions ?? [])]),
    resources: unique([arm.resourceId, ...(deploys?.resources ?? [])]),
    flags: unique([...(arm.secrets ? ['secrets'] : []), ...(deploys?.flags ?? [])]),
    headers: headerRecord(request.headers),
    text: bodyText(request.body.bytes),
    summary: `${arm.action} ${arm.resourceId}`,
    details: {
      subscription: arm.subscription,
      resourceGroup: arm.resourceGroup,
      provider: arm.provider,
      resourceType: arm.resourceType,
      name: arm.name,
      apiVersion: query.get('api-version'),
    },
  };
}

const unique = (items: string[]) => [...new Set(items)];

/** Names an ARM request; throws a 400 Refusal for anything outside ARM's grammar. */
export function armTarget(method: string, path: string): ArmTarget {
  const refuse = (why: string) => unclassifiable(method, path, why);
  const verb = VERBS[method];
  if (!verb) throw refuse(`ARM has no ${method} operations`);
  const { frames, segments } = parse(path, refuse);
  const root = frames[0]!;
  const last = frames.at(-1)!;
  const trailing = last.pairs.at(-1)?.name === undefined;
  if (verb === 'action' && !trailing) throw refuse('a POST must name an action after the resource');

  const types = last.pairs.map((p) => p.type);
  const resourcePairs = verb === 'action' ? last.pairs.slice(0, -1) : last.pairs;
  const resourceType = [last.namespace, ...resourcePairs.map((p) => p.type)].join('/');
  return {
    action: `${last.namespace}/${types.join('/')}/${verb}`,
    resourceId: '/' + (verb === 'action' ? segments.slice(0, -1) : segments).join('/'),
    subscription: root.pairs.find((p) => p.type === 'subscriptions')?.name ?? null,
    resourceGroup: root.pairs.find((p) => p.type === 'resourceGroups')?.name ?? null,
    provider: last.namespace,
    resourceType,
    name: resourcePairs.at(-1)?.name ?? null,
    secrets: verb === 'action' ? bearsSecrets(types.at(-1)!) : holdsSecrets(verb, resourceType, last.pairs.at(-1)!),
  };
}

/**
 * Splits a path into frames: Microsoft.Resources first (subscriptions, resource groups), then one
 * per `providers/{Namespace}`, each a list of type/name pairs; only the very last pair may lack
 * its name (a collection, or an action). Also returns the segments, decoded, with
 * Microsoft.Resources' own names spelled canonically.
 */
function parse(path: string, refuse: (why: string) => Refusal): { frames: Frame[]; segments: string[] } {
  const raw = path.split('/').slice(1).map(decode);
  if (!ROOTS.has(raw[0]!.toLowerCase())) throw refuse('ARM paths start with /subscriptions, /providers or /tenants');
  const frames: Frame[] = [{ namespace: 'Microsoft.Resources', pairs: [] }];
  const segments: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const type = raw[i]!;
    const name = raw[i + 1];
    if (type === '' || name === '') throw refuse('empty path segment');
    if (type.toLowerCase() === 'providers' && name !== undefined) {
      if (!NAMESPACE.test(name)) throw refuse(`"${name}" is not a resource provider namespace`);
      frames.push({ namespace: name, pairs: [] });
      segments.push('providers', name);
      continue;
    }
    if (!TYPE.test(type)) throw refuse(`"${type}" is not a resource type`);
    const spelled = frames.length === 1 ? (CANONICAL[type.toLowerCase()] ?? type) : type;
    frames.at(-1)!.pairs.push({ type: spelled, name });
    segments.push(spelled, ...(name === undefined ? [] : [name]));
  }
  if (frames.slice(1, -1).some((f) => f.pairs.length === 0)) throw refuse('a provider scope must name a resource');
  // `…/providers/Microsoft.Compute` alone is the provider's registration: a Microsoft.Resources
  // object, like the subscription around it.
  const last = frames.at(-1)!;
  if (frames.length > 1 && last.pairs.length === 0) {
    frames.pop();
    frames.at(-1)!.pairs.push({ type: 'providers', name: last.namespace });
  }
  return { frames, segments };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
