// The refusals of the composition root: the policy store and the auditor check. A catalogue imports
// only platform/problem.ts; every problem type here is listed in docs/problems.md.
import { Refusal, unavailable } from '../platform/problem.js';

export const policyUnavailable = () =>
  unavailable({
    type: 'policy-unavailable',
    title: 'Policy unavailable',
    detail: 'No valid policy is loaded, so no request can be judged; see the gateway log.',
    retryAfterSeconds: 10,
  });

export const notAnAuditor = (auditorGroups: readonly string[]) =>
  new Refusal({
    status: 403,
    type: 'not-an-auditor',
    title: 'Auditors only',
    detail: auditorGroups.length
      ? `Session logs are for members of ${auditorGroups.join(', ')}.`
      : 'The policy names no auditor groups, so nobody may read session logs through the API.',
  });
