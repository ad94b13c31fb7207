// Reviewers as the decision rules see them: a Person with groups and aliases, from an OIDC token
// (the decision API), App Service Authentication's client principal, or the dev sign-in cookie.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../identity/index.js';
import { aliasesFromClaims, entraAlias, type Person } from './people.js';

export const reviewerOf = (principal: Principal): Person => ({
  subject: principal.subject,
  issuer: principal.issuer,
  groups: [...principal.groups],
  aliases: aliasesFromClaims(principal.claims),
});

const OBJECT_ID = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const TENANT_ID = ['http://schemas.microsoft.com/identity/claims/tenantid', 'tid'];
const GROUPS = ['groups', 'roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

const clientPrincipalSchema = z.object({
  auth_typ: z.string().min(1),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })),
  role_typ: z.string().optional(),
});

/** What App Service Authentication passed on: `x-ms-client-principal` and `x-ms-client-principal-idp`. */
export interface AppServiceHeaders {
  principal: string | null;
  idp: string | null;
}

/**
 * App Service Authentication's `x-ms-client-principal` (base64 JSON). App Service sets it and strips
 * any a client sends, which is why it is trusted only when PORTCULLIS_REVIEW_AUTH=appservice says the
 * deployment has authentication turned on for /api/review/*. In depth, should the platform ever pass
 * a header it did not write: the identity provider must be Entra (`auth_typ` and the idp header both
 * `aad`) and the principal's tenant (`tid`) one of `allowedTenants`. Subject: the Entra object id.
 */
export function appServiceReviewer(headers: AppServiceHeaders, allowedTenants: readonly string[]): Person | undefined {
  if (!headers.principal || headers.idp?.trim().toLowerCase() !== 'aad') return undefined;
  let parsed: z.infer<typeof clientPrincipalSchema>;
  try {
    parsed = clientPrincipalSchema.parse(JSON.parse(Buffer.from(headers.principal, 'base64').toString('utf8')));
  } catch {
    return undefined;
  }
  if (parsed.auth_typ.toLowerCase() !== 'aad') return undefined;
  const claim = (types: string[]) => parsed.claims.find((c) => types.includes(c.typ))?.val;
  const subject = claim(OBJECT_ID);
  const tenant = claim(TENANT_ID)?.toLowerCase();
  if (!subject || !tenant || !allowedTenants.some((t) => t.toLowerCase() === tenant)) return undefined;
  const groupTypes = parsed.role_typ ? [...GROUPS, parsed.role_typ] : GROUPS;
  return {
    subject,
    issuer: claim(['iss']) ?? `appservice:${parsed.auth_typ}`,
    groups: [...new Set(parsed.claims.filter((c) => groupTypes.includes(c.typ)).map((c) => c.val))],
    aliases: entraAlias(tenant, subject),
  };
}

export const SIGN_IN_COOKIE = 'portcullis-reviewer';
export const SIGN_IN_TTL_SECONDS = 8 * 3600;

const signInSchema = z.object({ sub: z.string().min(1), iss: z.string().min(1), groups: z.array(z.string()), exp: z.int() });

/** The dev sign-in cookie's value: the reviewer and an expiry, with an HMAC over them. */
export function signInCookie(key: Uint8Array, person: Person, now: Date): string {
  const payload = Buffer.from(
    JSON.stringify({ sub: person.subject, iss: person.issuer, groups: person.groups, exp: Math.floor(now.getTime() / 1000) + SIGN_IN_TTL_SECONDS }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

export function devReviewer(key: Uint8Array, cookieHeader: string | null, now: Date): Person | undefined {
  const value = cookieValue(cookieHeader, SIGN_IN_COOKIE);
  const [payload, signature, extra] = value?.split('.') ?? [];
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const parsed = signInSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  if (!parsed.success || parsed.data.exp * 1000 <= now.getTime()) return undefined;
  return { subject: parsed.data.sub, issuer: parsed.data.iss, groups: parsed.data.groups, aliases: [] };
}

const mac = (key: Uint8Array, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
