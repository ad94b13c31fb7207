// The mcp kind's refusals. A catalogue imports only platform/problem.ts; every problem type here is
// listed in docs/problems.md.
import { Refusal } from '../../platform/problem.js';

/** The body is not a JSON-RPC message (or batch) the MCP spec allows. */
export const invalidMcpMessage = (detail: string) => new Refusal({ status: 400, type: 'invalid-mcp-message', title: 'Not an MCP message', detail });
