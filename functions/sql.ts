// Agent SQL for postgres connections: POST { "sql": "...", "params": [] }.
import { handle } from '../shared/gateway/pipeline.js';
import { runtime } from '../shared/app/runtime.js';
import { defineHttp } from '../shared/platform/triggers.js';

export const sql = defineHttp({
  name: 'sql',
  route: 'sql/{connection}',
  methods: ['POST'],
  handler: (req, ctx) => handle(runtime(), 'sql', req, ctx),
});
