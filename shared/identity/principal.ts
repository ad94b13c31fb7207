// Turns a verified claim set into the Principal the rest of the pipeline judges.
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import { hasInvisibleCharacters } from '../platform/terminal-text.js';
import { invalidToken } from './refusals.js';
import type { IssuerConfig } from './schema.js';

/** Who is calling: the one model of a caller; other modules take the parts they need. */
export const principalSchema = z.object({
  subject: z.string().min(1),
  issuer: z.string().min(1),
  groups: z.array(z.string()),
  /** Every claim of the token (e.g. GitHub Actions' repository, ref, job_workflow_ref), for rules. */
  claims: z.record(z.string(), z.unknown()).readonly(),
  kind: z.enum(['user', 'workload']),
});
export type Principal = z.infer<typeof principalSchema>;

/** A principal named by issuer and subject, as events and approvals refer to one. */
export type PrincipalRef = Pick<Principal, 'subject' | 'issuer'>;

const USER_CLAIMS = ['preferred_username', 'upn', 'email'];

export function toPrincipal(claims: JWTPayload, config: IssuerConfig): Principal {
  const subject = claims[config.subjectClaim];
  if (typeof subject !== 'string' || subject === '') throw invalidToken(`${config.subjectClaim} claim is not a non-empty string`);
  // The subject names the principal in rules, approvals and the session log: a control, bidi or
  // zero-width character would let it pass for another name there, or rewrite an auditor's terminal.
  if (hasInvisibleCharacters(subject)) throw invalidToken(`${config.subjectClaim} claim contains control or invisible characters`);
  return {
    subject,
    issuer: config.issuer,
    groups: groupsOf(claims, config.groupsClaim),
    claims: deepFreeze(claims),
    kind: config.kind ?? (USER_CLAIMS.some((name) => isNonEmptyString(claims[name])) ? 'user' : 'workload'),
  };
}

function groupsOf(claims: JWTPayload, claim: string): string[] {
  const value = claims[claim];
  if (value === undefined) {
    // Entra ID leaves out `groups` when there are too many and points elsewhere (group overage);
    // treating that as "no groups" would let the principal slip past rules that match groups.
    if (isRecord(claims._claim_names) && claim in claims._claim_names) {
      throw invalidToken(`${claim} claim overage: too many groups to embed in the token`);
    }
    return [];
  }
  const groups = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...value] : undefined;
  // A malformed groups claim is refused rather than read as partial or empty groups; so is a group
  // name with control or invisible characters (it could pass for another group in the log).
  if (!groups || groups.some(hasInvisibleCharacters)) throw invalidToken(`${claim} claim is malformed`);
  return groups;
}

const isNonEmptyString = (value: unknown) => typeof value === 'string' && value !== '';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Rules see the claims; nothing downstream may rewrite them.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/** Whether the principal is in any of the groups (auditors, reviewers). */
export const inAnyGroup = (principal: Pick<Principal, 'groups'>, groups: readonly string[]) => principal.groups.some((g) => groups.includes(g));
