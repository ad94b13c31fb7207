// Agent traffic for http, openai and arm connections.
import { handle } from '../shared/gateway/pipeline.js';
import { runtime } from '../shared/app/runtime.js';
import { ALL_METHODS, defineHttp } from '../shared/platform/triggers.js';

export const proxy = defineHttp({
  name: 'proxy',
  route: 'proxy/{connection}/{*path}',
  methods: ALL_METHODS,
  handler: (req, ctx) => handle(runtime(), 'proxy', req, ctx),
});
