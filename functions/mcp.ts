// Agent MCP traffic for mcp connections: Streamable HTTP (POST messages, GET the server's stream, DELETE the session).
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const mcp = defineHttp({ name: 'mcp', route: ROUTES.mcp, methods: ['POST', 'GET', 'DELETE'], handler: entries.mcp });
