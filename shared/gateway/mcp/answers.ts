// The tool result the gateway answers with itself (refusals, held calls): a tool error the model
// reads, as MCP says tool failures are reported.
export const toolError = (text: string): Record<string, unknown> => ({ content: [{ type: 'text', text }], isError: true });
