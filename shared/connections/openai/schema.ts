import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const openaiConnectionSchema = connectionBase
  .extend({
    kind: z.literal('openai'),
    upstream: z
      .url({ protocol: /^https?$/ })
      .describe(
        'base URL of the API: https://api.openai.com/v1, an Azure OpenAI resource (https://{name}.openai.azure.com, whose /openai/deployments/{deployment}/… paths are recognized too) or any OpenAI-compatible server',
      ),
    streamUsage: z
      .boolean()
      .default(true)
      .describe(
        'ask streamed chat completions for token usage (stream_options.include_usage) so that it is recorded; the extra usage chunk is removed when the agent did not ask for it. Turn off for servers that refuse stream_options',
      ),
  })
  .strict();

export type OpenaiConnection = z.infer<typeof openaiConnectionSchema>;
