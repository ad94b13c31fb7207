// The Azure Functions entry point (package.json "main", compiled to dist/functions/index.js).
// Settings are checked before anything registers: a bad environment stops startup with one
// message listing every problem.
import { app, loadConfig } from '../shared/app/index.js';
import { definitions } from './registry.js';

loadConfig();
// Request and response bodies stream (SSE from LLMs, large downloads) instead of being buffered.
app.setup({ enableHttpStream: true });

for (const fn of definitions) {
  switch (fn.trigger) {
    case 'http':
      app.http(fn.name, { route: fn.route, methods: fn.methods, authLevel: 'anonymous', handler: fn.handler });
      break;
    case 'serviceBusQueue':
      app.serviceBusQueue(fn.name, { queueName: fn.queueName, connection: fn.connection, handler: fn.handler });
      break;
    case 'timer':
      app.timer(fn.name, { schedule: fn.schedule, handler: fn.handler });
      break;
  }
}
