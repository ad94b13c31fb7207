// `portcullis token --sub NAME --groups a,b [--ttl 15m] [--aud X]`: prints a token from the dev
// issuer that the local example policy trusts.
import { resolve } from 'node:path';
import { parseCommandArgs, parseTtl } from '../args.js';
import { DEV_AUDIENCE, devIssuerUrl, loadDevIssuer, readDevState } from '../dev/issuer.js';
import { UsageError, type Command } from '../io.js';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:7071';

export const run: Command = async (args, io) => {
  const { values } = parseCommandArgs(args, {
    sub: { type: 'string' },
    groups: { type: 'string', default: '' },
    ttl: { type: 'string', default: '15m' },
    aud: { type: 'string' },
    claim: { type: 'string', multiple: true, default: [] },
    state: { type: 'string', default: '.portcullis' },
  });
  if (!values.sub) throw new UsageError('--sub NAME is required');
  const ttlSeconds = parseTtl(values.ttl, '--ttl');
  if (ttlSeconds > 24 * 3600) throw new UsageError('--ttl may be at most 24h');
  const claims: Record<string, string> = {};
  for (const pair of values.claim) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--claim "${pair}" is not NAME=VALUE`);
    claims[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const stateDir = resolve(io.cwd, values.state);
  const state = await readDevState(stateDir);
  const issuer = await loadDevIssuer(stateDir);
  const token = await issuer.sign({
    issuer: state?.issuer ?? devIssuerUrl(DEFAULT_GATEWAY_URL),
    audience: values.aud ?? state?.audience ?? DEV_AUDIENCE,
    subject: values.sub,
    groups: values.groups.split(',').map((g) => g.trim()).filter(Boolean),
    ttlSeconds,
    claims,
  });
  io.stdout.write(token + '\n');
  return 0;
};
