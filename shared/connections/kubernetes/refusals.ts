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

/**
 * A request held for review, as kubectl reads it: a failure it prints (`Error from server
 * (Forbidden): Held for review: …`) rather than a 202 it would decode as the object it asked for,
 * and a 403 that client-go does not retry (it retries 429 and 5xx). It names the rule's message
 * and the approval; the same request again once approved gets the answer.
 */
export const heldForReview = (held: { approval: string; rule: string; message: string; statusUrl: string; expiresAt: string }) =>
  new Refusal({
    status: 403,
    type: 'held-for-review',
    title: 'Held for review',
    detail: `${held.message.replace(/\.?$/, '.')} Approval ${held.approval} waits for a reviewer until ${held.expiresAt} (status: ${held.statusUrl}); send the same request again once it is approved to get its answer.`,
    extensions: { rule: held.rule, approval: held.approval, statusUrl: held.statusUrl },
  });
