// One trusted token issuer, as written in the policy's `issuers` list. The policy schema embeds
// this and exports it as JSON Schema, so every field carries a description for editors.
import { z } from 'zod';

/** Public-key signature algorithms only: keys come from a public JWKS, so HS* and `none` can never be right. */
export const SIGNING_ALGORITHMS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
] as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const algorithm = z.enum(SIGNING_ALGORITHMS, {
  error: (issue) =>
    `"${String(issue.input)}" is not accepted: keys come from a public JWKS, so "none" and the symmetric HS* ` +
    `algorithms are never allowed; use one of ${SIGNING_ALGORITHMS.join(', ')}`,
});

const claimName = z.string().min(1);

// Keys fetched over plain http could be swapped in transit; only a local dev issuer may use it.
const jwksUri = z
  .url({ protocol: /^https?$/ })
  .refine((value) => {
    // zod runs refinements even when the URL check failed; that failure is already reported.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
  }, 'must be an https URL (plain http only for localhost)');

export const issuerSchema = z
  .strictObject({
    issuer: z
      .url({ protocol: /^https?$/ })
      .describe('Issuer identifier, compared exactly with the token\'s "iss" claim (e.g. https://token.actions.githubusercontent.com).'),
    audience: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('Accepted "aud" value, or a list of them; the token must name at least one.'),
    jwksUri: jwksUri
      .optional()
      .describe('URL of the issuer\'s JSON Web Key Set. Give this or jwksFile, not both.'),
    jwksFile: z
      .string()
      .min(1)
      .optional()
      .describe('Path of a local JWKS file, for a development issuer; re-read when a token names an unknown key. Give this or jwksUri, not both.'),
    groupsClaim: claimName
      .default('groups')
      .describe('Claim holding the principal\'s groups: a string array or a single string (Entra ID: "groups" or "roles").'),
    algorithms: z
      .array(algorithm)
      .min(1)
      .default(['RS256', 'ES256'])
      .describe('Signature algorithms accepted from this issuer. "none" and HS* are rejected.'),
    kind: z
      .enum(['user', 'workload'])
      .optional()
      .describe('Kind of every principal from this issuer. When absent: "user" if the token carries preferred_username, upn or email, else "workload".'),
    subjectClaim: claimName
      .default('sub')
      .describe('Claim that names the principal (required in every token).'),
  })
  .superRefine((config, ctx) => {
    if (config.jwksUri !== undefined && config.jwksFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['jwksFile'], message: 'give either jwksUri or jwksFile, not both' });
    } else if (config.jwksUri === undefined && config.jwksFile === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['jwksUri'],
        message: 'one of jwksUri (the issuer\'s JWKS URL) or jwksFile (a local JWKS file, for development) is required',
      });
    }
  });

export type IssuerConfig = z.infer<typeof issuerSchema>;
