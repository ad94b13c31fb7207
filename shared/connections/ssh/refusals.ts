// The ssh kind's refusals. A catalogue imports only platform/problem.ts; every problem type here
// is listed in docs/problems.md (request-changed and credential-unavailable mean what they mean for
// postgres; the upstream-* types what they mean for every kind).
import { Refusal } from '../../platform/problem.js';

export const invalidExecRequest = (detail: string) => new Refusal({ status: 400, type: 'invalid-exec-request', title: 'Invalid exec request', detail });

export const commandChanged = () =>
  new Refusal({ status: 409, type: 'request-changed', title: 'Request changed', detail: 'The command to run differs from the command that was judged; it was not run.' });

export const noPrivateKey = (connection: string) =>
  new Refusal({ status: 503, type: 'credential-unavailable', title: 'Credential unavailable', detail: `Connection "${connection}" has no private key.` });

export const unreadablePrivateKey = () =>
  new Refusal({
    status: 503,
    type: 'credential-unavailable',
    title: 'Credential unavailable',
    detail: 'The connection\'s private key could not be read (OpenSSH or PEM format expected); the command was not run.',
  });

export const hostKeyMismatch = (server: string) =>
  new Refusal({
    status: 502,
    type: 'host-key-mismatch',
    title: 'Host key mismatch',
    detail: `The SSH server at ${server} did not present the host key pinned in the connection; nothing was sent to it.`,
  });

export const keyRefused = (server: string, user: string) =>
  new Refusal({
    status: 502,
    type: 'upstream-authentication-failed',
    title: 'Upstream refused the credential',
    detail: `The SSH server at ${server} refused the connection's key for user "${user}".`,
  });

export const handshakeTimeout = (server: string) =>
  new Refusal({ status: 504, type: 'upstream-timeout', title: 'Upstream timed out', detail: `The SSH server at ${server} did not complete the handshake in time.` });

export const sshUnreachable = (detail: string) => new Refusal({ status: 502, type: 'upstream-unreachable', title: 'Upstream unreachable', detail });
