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
