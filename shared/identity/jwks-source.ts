// Where an issuer's JWKS comes from: its URL, or a local file for a development issuer.
import { readFile as readFileFromDisk } from 'node:fs/promises';
import type { LoadJwks } from './key-set.js';
import type { IssuerConfig } from './schema.js';

const FETCH_TIMEOUT_MS = 5_000;

export interface JwksIo {
  fetch?: typeof fetch;
  readFile?: (path: string) => Promise<string>;
}

export function jwksSource(config: IssuerConfig, io: JwksIo): LoadJwks {
  if (config.jwksUri !== undefined) return fromUrl(config.jwksUri, io.fetch ?? fetch);
  if (config.jwksFile !== undefined) return fromFile(config.jwksFile, io.readFile ?? ((path) => readFileFromDisk(path, 'utf8')));
  throw new Error(`issuer ${config.issuer} has neither jwksUri nor jwksFile`);
}

function fromUrl(url: string, fetchImpl: typeof fetch): LoadJwks {
  return async () => {
    // The configured URL is the trust anchor, so redirects are not followed.
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
    return response.json();
  };
}

function fromFile(path: string, readFile: (path: string) => Promise<string>): LoadJwks {
  return async () => JSON.parse(await readFile(path));
}
