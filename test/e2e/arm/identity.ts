// A stand-in for the App Service managed-identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER,
// API version 2019-08-01), so the gateway's real @azure/identity ManagedIdentityCredential gets
// its ARM token over HTTP exactly as it does in Azure.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IdentityEndpoint {
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for the app, plus the client id it answers for. */
  env: Record<'IDENTITY_ENDPOINT' | 'IDENTITY_HEADER' | 'AZURE_CLIENT_ID', string>;
  /** The query of every token request it answered. */
  requests: URLSearchParams[];
  close(): Promise<void>;
}

export async function startIdentityEndpoint(options: { token: string }): Promise<IdentityEndpoint> {
  const header = randomBytes(16).toString('hex');
  const clientId = randomUUID();
  const requests: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://identity');
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-identity-header'] !== header) return answer(401, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' });
    if (url.searchParams.get('api-version') !== '2019-08-01' || !url.searchParams.get('resource')) {
      return answer(400, { error: 'invalid_request', error_description: 'api-version 2019-08-01 and resource are required' });
    }
    if (url.searchParams.get('client_id') !== clientId) return answer(400, { error: 'invalid_request', error_description: 'unknown client_id' });
    requests.push(url.searchParams);
    answer(200, {
      access_token: options.token,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource: url.searchParams.get('resource'),
      token_type: 'Bearer',
      client_id: clientId,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    env: {
      IDENTITY_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`,
      IDENTITY_HEADER: header,
      AZURE_CLIENT_ID: clientId,
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
