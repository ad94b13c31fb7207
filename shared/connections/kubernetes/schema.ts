import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';
import { credentialSchema, hasCredential } from '../credential-schema.js';
import { DEFAULT_DENY_FLAGS, SHELL_FLAGS } from '../shell-flags.js';

export const kubernetesConnectionSchema = connectionBase
  .extend({
    kind: z.literal('kubernetes'),
    upstream: z.url({ protocol: /^https?$/ }).describe('the API server, e.g. https://my-aks-dns.hcp.westeurope.azmk8s.io:443'),
    credential: credentialSchema
      .optional()
      .describe(
        'the gateway\'s bearer token for the API server: a service account token in Key Vault, or for AKS with Entra ID managedIdentity with scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default; or credentials, one per tier (a read-only service account\'s token for get, list and watch)',
      ),
    certificateAuthorityData: z
      .string()
      .refine((data) => certificateAuthority(data) !== undefined, 'must be base64 of one or more PEM certificates (kubeconfig\'s certificate-authority-data)')
      .optional()
      .describe(
        'the authority the API server\'s certificate is checked against instead of the system\'s, as kubeconfig\'s certificate-authority-data (base64 of PEM): an AKS cluster signs its API server with its own CA',
      ),
    maskSecrets: z
      .boolean()
      .default(true)
      .describe('mask every value of a Secret\'s data and stringData (and its last-applied annotation), whatever it looks like; false: Secrets are masked like any answer'),
    execTimeoutSeconds: z.number().int().min(1).max(3600).default(60).describe('longest a command run with POST /api/exec/{connection} may run; a request may ask for less'),
    maxOutputBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024).describe('stdout and stderr kept per exec at most (JSON answers); the answer says truncated'),
    denyFlags: z
      .array(z.enum(SHELL_FLAGS))
      .default(DEFAULT_DENY_FLAGS)
      .describe('exec commands with any of these flags are denied before any rule (unparsable: the parser could not read it; dynamic-program: the program is only known at run time)'),
  })
  .strict()
  .refine(hasCredential, hasCredential.problem);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificates in base64 `data`, or undefined when it holds none or one that does not parse. */
export function certificateAuthority(data: string): string | undefined {
  const pem = Buffer.from(data, 'base64').toString('utf8');
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return undefined;
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return undefined;
  }
  return blocks.join('\n');
}

export type KubernetesConnection = z.infer<typeof kubernetesConnectionSchema>;
