// Who someone is, across the ways reviewers and requesters arrive (an agent's OIDC token, a reviewer's
// OIDC token, App Service Authentication, the dev sign-in). Two identities are the same person when
// issuer and subject match, or when both carry the same Entra object id: Entra's `sub` differs per
// application while `oid` does not, so comparing `sub` alone would let a person approve their own
// request through another app registration.
import type { PrincipalRef } from '../identity/principal.js';

/** Someone named by issuer and subject. */
export type Identity = PrincipalRef;

export interface Person extends Identity {
  groups: string[];
  /** Other names for the same person, such as `entra:{tenant}:{object id}`. */
  aliases: string[];
}

export function entraAlias(tenantId: unknown, objectId: unknown): string[] {
  return typeof tenantId === 'string' && tenantId && typeof objectId === 'string' && objectId ? [`entra:${tenantId}:${objectId}`.toLowerCase()] : [];
}

/** Aliases from a token's claims (`tid` and `oid`, as Entra ID issues them). */
export const aliasesFromClaims = (claims: Readonly<Record<string, unknown>>): string[] => entraAlias(claims.tid, claims.oid);

export function samePerson(a: Identity & { aliases?: string[] }, b: Identity & { aliases?: string[] }): boolean {
  if (a.subject === b.subject && a.issuer === b.issuer) return true;
  return (a.aliases ?? []).some((alias) => (b.aliases ?? []).includes(alias));
}

export const describeIdentity = (who: Identity) => `${who.subject} (${who.issuer})`;
