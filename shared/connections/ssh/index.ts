// The ssh connection kind: agents POST { command, stdin?, timeoutSeconds? } to
// /api/exec/{connection}; the command is parsed by a shell parser, judged, run over SSH on a host
// whose key is pinned, and its output answered masked (exec-output.ts). With credential tiers, each
// tier signs in with its own key as its own account.
import type { CredentialConfig } from '../credential-schema.js';
import { execAnswer, wantsStream } from '../exec-output.js';
import type { ConnectionKind } from '../kind.js';
import { credentialFor } from '../tiers.js';
import { CREDENTIAL_RULE } from '../upstream.js';
import { classifyExec } from './classify.js';
import { runCommand } from './execute.js';
import { commandChanged, noPrivateKey } from './refusals.js';
import { readExecRequest } from './request.js';
import type { SshConnection } from './schema.js';

export const sshKind: ConnectionKind = {
  route: 'exec',
  readsBody: true,
  classify: (request, connection) => classifyExec(request, connection.config as SshConnection),
  async forward(request, operation, context) {
    const config = context.connection.config as SshConnection;
    const exec = readExecRequest(request);
    // What runs must be what was judged (a held request runs after its review).
    if (exec.command !== operation.text) throw commandChanged();
    const privateKey = await context.credential();
    if (!privateKey) throw noPrivateKey(context.connection.name);
    const tier = credentialFor(context.connection.name, config, context.tier) as (CredentialConfig & { user?: string }) | undefined;
    const target = { host: config.host, port: config.port, user: tier?.user ?? config.user, hostKey: config.hostKey, privateKey, connectTimeoutMs: context.timeoutMs };
    const timeoutMs = Number(operation.details.timeoutSeconds ?? config.timeoutSeconds) * 1000;
    return execAnswer((run) => runCommand(target, { command: exec.command, stdin: exec.stdin, timeoutMs, ...run }), {
      streaming: wantsStream(request.headers),
      masker: context.masker.withSecrets([{ rule: CREDENTIAL_RULE, value: privateKey }]),
      maxOutputBytes: config.maxOutputBytes,
      captureBytes: context.captureBytes,
    });
  },
};
