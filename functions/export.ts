// The daily export: at 01:30 UTC, close yesterday's sessions and copy them, with a manifest of
// digests, to the `exports` container.
import { runtime } from '../shared/app/runtime.js';
import { defineTimer } from '../shared/platform/triggers.js';
import { runDailyExport } from '../shared/sessions/index.js';

export const dailyExport = defineTimer({
  name: 'daily-export',
  schedule: '0 30 1 * * *',
  handler: async () => {
    const rt = runtime();
    await runDailyExport({ blobs: rt.clients.blobs, log: rt.log.child({ component: 'export' }) });
  },
});
