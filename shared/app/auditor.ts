// Who may read session logs (and any approval): principals in the policy's auditor groups.
import { inAnyGroup, type Principal } from '../identity/index.js';
import { Refusal } from '../platform/problem.js';
import type { Runtime } from './runtime.js';

/** Verifies the caller's token and requires an auditor: 401 without a valid token, 403 otherwise. */
export async function requireAuditor(rt: Runtime, headers: Headers): Promise<Principal> {
  const { principal, state } = await rt.identify(headers);
  const { auditorGroups } = state.policy;
  if (!inAnyGroup(principal, auditorGroups)) {
    throw new Refusal({
      status: 403,
      type: 'not-an-auditor',
      title: 'Auditors only',
      detail: auditorGroups.length
        ? `Session logs are for members of ${auditorGroups.join(', ')}.`
        : 'The policy names no auditor groups, so nobody may read session logs through the API.',
    });
  }
  return principal;
}
