// Agent SQL for postgres connections: POST { "sql": "...", "params": [] }.
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const sql = defineHttp({ name: 'sql', route: ROUTES.sql, methods: ['POST'], handler: entries.sql });
