// `portcullis token --sub NAME --groups a,b [--ttl 15m] [--aud X]`: prints a token from the dev
// issuer that the local example policy trusts.
import { resolve } from 'node:path';
import { parseDocumentedArgs, parseTtl, type Help } from '../args.js';
import { loadDevIssuer, readDevState } from '../dev/issuer.js';
import { UsageError, type Command } from '../io.js';

const options = {
  sub: { type: 'string' },
  groups: { type: 'string', default: '' },
  ttl: { type: 'string', default: '15m' },
  aud: { type: 'string' },
  claim: { type: 'string', multiple: true, default: [] as string[] },
  state: { type: 'string', default: '.portcullis' },
} as const;

export const help: Help<typeof options> = {
  usage: 'portcullis token --sub NAME [--groups a,b] [--ttl 15m] [--aud X] [--claim NAME=VALUE]… [--state DIR]',
  about: 'Prints a token signed by the dev issuer of the stack `portcullis dev` runs (found in its state folder), which the example policy trusts.',
  flags: {
    sub: ['NAME', 'the subject (who the token is for); required'],
    groups: ['a,b', 'the groups claim, comma-separated'],
    ttl: ['DURATION', 'how long the token is valid: 30s, 15m, 2h, at most 24h'],
    aud: ['AUDIENCE', 'the audience (default: the dev stack\'s, portcullis)'],
    claim: ['NAME=VALUE', 'an extra claim'],
    state: ['DIR', 'the state folder of portcullis dev (its issuer key and address)'],
  },
};

export const run: Command = async (args, io) => {
  const { values } = parseDocumentedArgs(args, options, help);
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
  // No state, no stack to trust the token: a mistyped --state must not mint one with a new key.
  const state = await readDevState(stateDir);
  if (!state) throw new UsageError(`no portcullis dev state in ${values.state} (dev.json): start portcullis dev first, or give its --state DIR`);
  const issuer = await loadDevIssuer(stateDir, { create: false });
  const token = await issuer.sign({
    issuer: state.issuer,
    audience: values.aud ?? state.audience,
    subject: values.sub,
    groups: values.groups.split(',').map((g) => g.trim()).filter(Boolean),
    ttlSeconds,
    claims,
  });
  io.stdout.write(token + '\n');
  return 0;
};
