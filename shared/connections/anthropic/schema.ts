import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const anthropicConnectionSchema = connectionBase
  .extend({
    kind: z.literal('anthropic'),
    upstream: z
      .url({ protocol: /^https?$/ })
      .describe(
        'base URL of the Messages API, without /v1: https://api.anthropic.com (credential: a Key Vault secret in header x-api-key, format "{value}") or an Azure AI Foundry resource, https://{resource}.services.ai.azure.com/anthropic (credential: managedIdentity with scope https://cognitiveservices.azure.com/.default)',
      ),
  })
  .strict();

export type AnthropicConnection = z.infer<typeof anthropicConnectionSchema>;
