// Who may read session logs (and any approval): principals in the policy's auditor groups.
import type { HttpRequest } from '@azure/functions';
import type { Principal } from '../identity/index.js';
import { Refusal } from '../platform/problem.js';
import type { Runtime } from './runtime.js';

export const isAuditor = (principal: Principal, auditorGroups: string[]) => principal.groups.some((g) => auditorGroups.includes(g));

/** Verifies the caller's token and requires an auditor: 401 without a valid token, 403 otherwise. */
export async function requireAuditor(rt: Runtime, req: HttpRequest): Promise<Principal> {
  const { policy, verifier } = await rt.policies.current();
  const principal = await verifier.verify(req.headers.get('authorization'));
  if (!isAuditor(principal, policy.auditorGroups)) {
    throw new Refusal({
      status: 403,
      type: 'not-an-auditor',
      title: 'Auditors only',
      detail: policy.auditorGroups.length
        ? `Session logs are for members of ${policy.auditorGroups.join(', ')}.`
        : 'The policy names no auditor groups, so nobody may read session logs through the API.',
    });
  }
  return principal;
}
