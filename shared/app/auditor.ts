// Who may read session logs (and any approval): principals in the policy's auditor groups.
import { inAnyGroup, type Principal } from '../identity/index.js';
import { notAnAuditor } from './refusals.js';
import type { Runtime } from './runtime.js';

/** Verifies the caller's token and requires an auditor: 401 without a valid token, 403 otherwise. */
export async function requireAuditor(rt: Runtime, headers: Headers): Promise<Principal> {
  const { principal, state } = await rt.identify(headers);
  const { auditorGroups } = state.policy;
  if (!inAnyGroup(principal, auditorGroups)) throw notAnAuditor(auditorGroups);
  return principal;
}
