import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';
import { credentialSchema } from '../credential-schema.js';

export const kubernetesConnectionSchema = connectionBase
  .extend({
    kind: z.literal('kubernetes'),
    upstream: z.url({ protocol: /^https?$/ }).describe('the API server, e.g. https://my-aks-dns.hcp.westeurope.azmk8s.io:443'),
    credential: credentialSchema.describe(
      'the gateway\'s bearer token for the API server: a service account token in Key Vault, or for AKS with Entra ID managedIdentity with scope 6dae42f8-4368-4678-94ff-3960e28e3630/.default',
    ),
    maskSecrets: z
      .boolean()
      .default(true)
      .describe('mask every value of a Secret\'s data and stringData (and its last-applied annotation), whatever it looks like; false: Secrets are masked like any answer'),
  })
  .strict();

export type KubernetesConnection = z.infer<typeof kubernetesConnectionSchema>;
