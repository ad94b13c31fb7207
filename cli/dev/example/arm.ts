// A local stand-in for Azure Resource Manager behind the example arm connection: one subscription
// with a resource group and storage accounts, answering like ARM closely enough for `az`-style
// calls and the Azure SDKs (paged lists with nextLink, listKeys, long-running creates and deletes
// with Azure-AsyncOperation and Location). It insists on the bearer token the gateway adds, and
// its account keys are generated at start, so masking can be seen at work.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ArmReceived {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface ExampleArm {
  url: string;
  /** The bearer token ARM accepts (the example policy's credential, or a managed identity's token). */
  token: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Every request it received, when started with `record` (tests that prove what reached it). */
  received: ArmReceived[];
  /** Current keys of a storage account. */
  keys(account: string): string[];
  close(): Promise<void>;
}

interface Account {
  name: string;
  location: string;
  sku: string;
  kind: string;
  tags: Record<string, string>;
  created: string;
  keys: [string, string];
}

interface AsyncOperation {
  polls: number;
  /** What finishing does: create the account, delete the group… */
  finish: () => void;
  done: boolean;
}

const LIST_PAGE = 2;
/** The tenant the example subscription belongs to. */
export const TENANT_ID = '72f988bf-0000-4000-8000-00000000c0de';

export interface ExampleArmOptions {
  /** Generated when absent. */
  subscriptionId?: string;
  /** Keep every request in `received`. */
  record?: boolean;
}

export async function startExampleArm(options: ExampleArmOptions = {}): Promise<ExampleArm> {
  const token = randomBytes(32).toString('base64url');
  const subscriptionId = options.subscriptionId ?? randomUUID();
  const resourceGroup = 'example-rg';
  const groups = new Map<string, { location: string }>([[resourceGroup, { location: 'eastus' }]]);
  const accounts = new Map<string, Account>();
  const operations = new Map<string, AsyncOperation>();
  const received: ArmReceived[] = [];
  const newKeys = (): [string, string] => [randomBytes(64).toString('base64'), randomBytes(64).toString('base64')];
  const addAccount = (name: string, location: string, sku = 'Standard_LRS', kind = 'StorageV2', tags: Record<string, string> = {}) =>
    accounts.set(name.toLowerCase(), { name, location, sku, kind, tags, created: new Date().toISOString(), keys: newKeys() });
  addAccount('examplelogs', 'eastus', 'Standard_LRS', 'StorageV2', { purpose: 'logs' });
  addAccount('examplebackups', 'westeurope', 'Standard_GRS');
  addAccount('examplestatic', 'eastus');

  let url = '';
  const groupId = (rg: string) => `/subscriptions/${subscriptionId}/resourceGroups/${rg}`;
  const accountId = (name: string) => `${groupId(resourceGroup)}/providers/Microsoft.Storage/storageAccounts/${name}`;
  const accountBody = (a: Account) => ({
    id: accountId(a.name),
    name: a.name,
    type: 'Microsoft.Storage/storageAccounts',
    location: a.location,
    kind: a.kind,
    sku: { name: a.sku, tier: a.sku.startsWith('Premium') ? 'Premium' : 'Standard' },
    tags: a.tags,
    properties: {
      provisioningState: 'Succeeded',
      creationTime: a.created,
      keyCreationTime: { key1: a.created, key2: a.created },
      primaryLocation: a.location,
      statusOfPrimary: 'available',
      primaryEndpoints: Object.fromEntries(['blob', 'queue', 'table', 'file'].map((s) => [s, `https://${a.name}.${s}.core.windows.net/`])),
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
    },
  });
  const groupBody = (rg: string) => ({
    id: groupId(rg),
    name: rg,
    type: 'Microsoft.Resources/resourceGroups',
    location: groups.get(rg.toLowerCase())?.location,
    properties: { provisioningState: 'Succeeded' },
  });
  const startOperation = (finish: () => void, location: string): { asyncUrl: string; locationUrl: string } => {
    const id = randomUUID();
    operations.set(id, { polls: 0, finish, done: false });
    const base = `${url}/subscriptions/${subscriptionId}/providers/Microsoft.Storage/locations/${location}`;
    return {
      asyncUrl: `${base}/operationStatuses/${id}?api-version=2024-01-01`,
      locationUrl: `${base}/asyncoperations/${id}?monitor=true&api-version=2024-01-01`,
    };
  };
  /** A long-running operation finishes on its second poll. */
  const poll = (id: string): AsyncOperation | undefined => {
    const op = operations.get(id);
    if (op && !op.done && ++op.polls >= 2) {
      op.finish();
      op.done = true;
    }
    return op;
  };
  const page = <T>(items: T[], req: URL, toBody: (item: T) => unknown) => {
    const skip = Number(req.searchParams.get('$skipToken') ?? 0);
    const next = skip + LIST_PAGE < items.length ? new URL(req) : undefined;
    next?.searchParams.set('$skipToken', String(skip + LIST_PAGE));
    return { value: items.slice(skip, skip + LIST_PAGE).map(toBody), ...(next ? { nextLink: `${url}${next.pathname}${next.search}` } : {}) };
  };

  const server = createServer(async (req, res) => {
    const body = await readText(req);
    if (options.record) received.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    res.setHeader('x-ms-request-id', randomUUID());
    res.setHeader('x-ms-correlation-request-id', String(req.headers['x-ms-correlation-request-id'] ?? randomUUID()));
    if (req.headers.authorization !== `Bearer ${token}`) {
      return armError(res, 401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing or its token is not valid.');
    }
    const request = new URL(req.url ?? '/', 'http://arm');
    if (!request.searchParams.get('api-version')) {
      return armError(res, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    }
    const path = request.pathname;
    const method = req.method ?? 'GET';
    const sub = `/subscriptions/${subscriptionId}`.toLowerCase();
    const lower = path.toLowerCase();
    // The subscriptions the caller can see (what `az login` lists), and the one by id.
    if (method === 'GET' && (lower === '/subscriptions' || lower === sub)) {
      const subscription = { id: `/subscriptions/${subscriptionId}`, subscriptionId, tenantId: TENANT_ID, displayName: 'Example subscription', state: 'Enabled', subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' }, authorizationSource: 'RoleBased' };
      return json(res, 200, lower === sub ? subscription : { value: [subscription] });
    }
    if (!lower.startsWith(sub)) return armError(res, 404, 'SubscriptionNotFound', 'The subscription could not be found.');
    const rest = path.slice(sub.length);
    let m: RegExpExecArray | null;

    if ((m = /^\/resourcegroups\/([^/]+)$/i.exec(rest))) {
      const rg = decodeURIComponent(m[1]!);
      const exists = groups.has(rg.toLowerCase());
      if (method === 'GET' || method === 'HEAD') return exists ? json(res, 200, groupBody(rg)) : notFound(res, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
      if (method === 'PUT') {
        const location = String((JSON.parse(body || '{}') as { location?: string }).location ?? 'eastus');
        groups.set(rg.toLowerCase(), { location });
        return json(res, exists ? 200 : 201, groupBody(rg));
      }
      if (method === 'DELETE') {
        if (!exists) return notFound(res, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
        const { locationUrl } = startOperation(() => groups.delete(rg.toLowerCase()), groups.get(rg.toLowerCase())!.location);
        return empty(res, 202, { location: locationUrl, 'retry-after': '0' });
      }
    }
    if ((m = /^\/providers\/microsoft\.storage\/locations\/[^/]+\/(operationstatuses|asyncoperations)\/([^/]+)$/i.exec(rest)) && method === 'GET') {
      const op = poll(m[2]!);
      if (!op) return notFound(res, 'OperationNotFound', 'The operation could not be found.');
      if (m[1]!.toLowerCase() === 'operationstatuses') {
        return json(res, 200, { id: path, name: m[2], status: op.done ? 'Succeeded' : 'InProgress' });
      }
      if (!op.done) {
        return empty(res, 202, { location: `${url}${path}${request.search}`, 'retry-after': '0' });
      }
      return empty(res, 200);
    }
    if ((m = /^\/providers\/microsoft\.storage\/storageaccounts$/i.exec(rest)) && method === 'GET') {
      return json(res, 200, page([...accounts.values()], request, accountBody));
    }
    // One finished deployment whose template output the first account's key, as `listKeys(…).keys[0].value` does.
    const deployments = `/resourcegroups/${resourceGroup}/providers/microsoft.resources/deployments`;
    if (method === 'GET' && rest.toLowerCase() === deployments) return json(res, 200, { value: [deploymentBody()] });
    if (method === 'GET' && rest.toLowerCase() === `${deployments}/storage-setup`) return json(res, 200, deploymentBody());
    const inGroup = `/resourcegroups/${resourceGroup}/providers/microsoft.storage/storageaccounts`;
    if (rest.toLowerCase() === inGroup && method === 'GET') return json(res, 200, page([...accounts.values()], request, accountBody));
    if (rest.toLowerCase().startsWith(`${inGroup}/`)) {
      const [name = '', action] = rest.slice(inGroup.length + 1).split('/');
      const account = accounts.get(decodeURIComponent(name).toLowerCase());
      if (action === undefined) return storageAccount(method, decodeURIComponent(name), account, body, res);
      if (!account) return notFound(res, 'ResourceNotFound', `The Resource 'Microsoft.Storage/storageAccounts/${name}' was not found.`);
      if (method === 'POST' && action.toLowerCase() === 'listkeys') return json(res, 200, keysBody(account));
      if (method === 'POST' && action.toLowerCase() === 'regeneratekey') {
        const which = (JSON.parse(body || '{}') as { keyName?: string }).keyName === 'key2' ? 1 : 0;
        account.keys[which] = randomBytes(64).toString('base64');
        return json(res, 200, keysBody(account));
      }
    }
    return armError(res, 404, 'NotFound', `No route for ${method} ${path} in the ARM stand-in.`);
  });

  function deploymentBody() {
    const logs = accounts.get('examplelogs');
    return {
      id: `${groupId(resourceGroup)}/providers/Microsoft.Resources/deployments/storage-setup`,
      name: 'storage-setup',
      type: 'Microsoft.Resources/deployments',
      properties: {
        provisioningState: 'Succeeded',
        parameters: { accountName: { type: 'String', value: 'examplelogs' }, bootstrapValue: { type: 'SecureString', value: logs?.keys[1] ?? '' } },
        outputs: {
          storageKey: { type: 'String', value: logs?.keys[0] ?? '' },
          blobEndpoint: { type: 'String', value: 'https://examplelogs.blob.core.windows.net/' },
          replicas: { type: 'Int', value: 3 },
        },
        outputResources: logs ? [{ id: accountId(logs.name) }] : [],
      },
    };
  }

  function storageAccount(method: string, name: string, account: Account | undefined, body: string, res: ServerResponse): void {
    if (method === 'GET') return account ? json(res, 200, accountBody(account)) : notFound(res, 'ResourceNotFound', `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${resourceGroup}' was not found.`);
    if (method === 'DELETE') {
      const existed = accounts.delete(name.toLowerCase());
      return empty(res, existed ? 200 : 204);
    }
    if (method === 'PUT') {
      const params = JSON.parse(body || '{}') as { location?: string; sku?: { name?: string }; kind?: string; tags?: Record<string, string> };
      if (!params.location || !params.sku?.name) return armError(res, 400, 'InvalidRequestContent', 'location and sku.name are required.');
      if (account) {
        Object.assign(account, { sku: params.sku.name, kind: params.kind ?? account.kind, tags: params.tags ?? account.tags });
        return json(res, 200, accountBody(account));
      }
      const create = () => addAccount(name, params.location!, params.sku!.name, params.kind, params.tags);
      // As Storage does: accepted now, created once the operation completes.
      const { asyncUrl, locationUrl } = startOperation(create, params.location);
      return empty(res, 202, { 'azure-asyncoperation': asyncUrl, location: locationUrl, 'retry-after': '0' });
    }
    if (method === 'PATCH' && account) {
      account.tags = (JSON.parse(body || '{}') as { tags?: Record<string, string> }).tags ?? account.tags;
      return json(res, 200, accountBody(account));
    }
    return armError(res, 405, 'MethodNotAllowed', `${method} is not supported on storage accounts.`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    subscriptionId,
    resourceGroup,
    received,
    keys: (account) => [...(accounts.get(account.toLowerCase())?.keys ?? [])],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const keysBody = (a: Account) => ({
  keys: a.keys.map((value, i) => ({ creationTime: a.created, keyName: `key${i + 1}`, value, permissions: 'FULL' })),
});

function empty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

const notFound = (res: ServerResponse, code: string, message: string) => armError(res, 404, code, message);

function armError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message } });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
