import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'is not a lower-case hex SHA-256');

export const mcpConnectionSchema = connectionBase
  .extend({
    kind: z.literal('mcp'),
    upstream: z
      .url({ protocol: /^https?$/ })
      .describe('the MCP endpoint of a Streamable HTTP server, e.g. https://mcp.example.com/mcp; with transport: sse, the server\'s event stream, e.g. https://mcp.example.com/sse'),
    transport: z
      .enum(['streamable-http', 'sse'])
      .default('streamable-http')
      .describe('how the gateway talks to the server: Streamable HTTP (2025-03-26 and later), or the older HTTP+SSE transport (2024-11-05: GET opens an event stream whose endpoint event says where to POST). Agents always use Streamable HTTP'),
    serverRequests: z
      .object({
        sampling: z.boolean().default(false).describe('let the server ask the agent\'s model to sample (sampling/createMessage)'),
        elicitation: z.boolean().default(false).describe('let the server ask the agent\'s user for input (elicitation/create)'),
        roots: z.boolean().default(false).describe('let the server list the agent\'s roots (roots/list)'),
      })
      .strict()
      .default({ sampling: false, elicitation: false, roots: false })
      .describe('requests the server may send to the agent; refused unless allowed here'),
    pins: z
      .record(z.string().min(1), sha256)
      .optional()
      .describe('tool name → SHA-256 fingerprint the tool must have (over name, description, inputSchema, annotations); tools not listed are pinned on first sight'),
    holdWaitSeconds: z
      .number()
      .int()
      .min(0)
      .max(50)
      .default(10)
      .describe('how long a tool call held for review waits for a reviewer before the agent is told it awaits approval'),
  })
  .strict();

export type McpConnection = z.infer<typeof mcpConnectionSchema>;
