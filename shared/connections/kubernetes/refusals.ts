// The kubernetes kind's refusals. A catalogue imports only platform/problem.ts; every problem type
// here is listed in docs/problems.md.
import { Refusal } from '../../platform/problem.js';

export const upgradeNotSupported = (what: string) =>
  new Refusal({
    status: 501,
    type: 'upgrade-not-supported',
    title: 'Streaming subresource not supported',
    detail: `${what} needs a websocket or SPDY upgrade, which the gateway cannot carry; attach, port-forward and proxy are refused, and exec runs through POST /api/exec/{connection}.`,
  });

export const invalidPodExec = (detail: string) => new Refusal({ status: 400, type: 'invalid-exec-request', title: 'Invalid exec request', detail });

export const commandChanged = () =>
  new Refusal({ status: 409, type: 'request-changed', title: 'Request changed', detail: 'The command to run differs from the command that was judged; it was not run.' });

/** The API server would not start the exec (no such pod or container, forbidden); its message is masked. */
export const execRefused = (upstreamStatus: number, message: string) =>
  new Refusal({
    status: 502,
    type: 'exec-refused',
    title: 'The API server refused the exec',
    detail: `The API server answered ${upstreamStatus} instead of starting the command: ${message}`,
    extensions: { upstreamStatus },
  });

export const execUnreachable = (connection: string, why: string) =>
  new Refusal({ status: 502, type: 'upstream-unreachable', title: 'Upstream unreachable', detail: `The API server of "${connection}" could not be reached for the exec (${why}).` });

