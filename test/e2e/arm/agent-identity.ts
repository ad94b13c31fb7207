// The agent's own managed identity, as the Azure CLI's `az login --identity` reaches it: an App
// Service-style endpoint (MSI_ENDPOINT, which azure-cli 2.45's msrestazure POSTs `resource=…` to
// with `Metadata: true`; IDENTITY_ENDPOINT + IDENTITY_HEADER, which newer clients GET with
// `?resource=…&api-version=2019-08-01`) that hands out the dev issuer's tokens for the resource
// asked — the gateway's audience — with the tenant claim the CLI reads.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgentIdentity {
  env: Record<'MSI_ENDPOINT' | 'IDENTITY_ENDPOINT' | 'IDENTITY_HEADER', string>;
  /** The resources tokens were asked for, in order. */
  resources: string[];
  /** The token it hands out for an audience. */
  token(audience: string): Promise<string>;
  close(): Promise<void>;
}

export async function startAgentIdentity(sign: (audience: string) => Promise<string>): Promise<AgentIdentity> {
  const header = randomBytes(16).toString('hex');
  const resources: string[] = [];
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://identity');
    let resource: string | null;
    if (req.method === 'POST') {
      if (req.headers.metadata !== 'true') return answer(400, { error: 'invalid_request', error_description: 'Metadata: true is required' });
      resource = new URLSearchParams(await text(req)).get('resource');
    } else {
      if (req.headers['x-identity-header'] !== header) return answer(401, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' });
      resource = url.searchParams.get('resource');
    }
    if (!resource) return answer(400, { error: 'invalid_request', error_description: 'resource is required' });
    resources.push(resource);
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    answer(200, { access_token: await sign(resource), expires_in: '3600', expires_on: String(expiresOn), resource, token_type: 'Bearer' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
  return {
    env: { MSI_ENDPOINT: url, IDENTITY_ENDPOINT: url, IDENTITY_HEADER: header },
    resources,
    token: sign,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function text(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
