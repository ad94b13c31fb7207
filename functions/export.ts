// The daily export: at 01:30 UTC, close yesterday's sessions and copy them, with a manifest of
// digests, to the `exports` container; the day's ledger and the manifest are signed with the
// PORTCULLIS_SIGNING_KEY_ID key.
import { runtime } from '../shared/gateway/runtime.js';
import { defineTimer } from '../shared/platform/functions.js';
import { createSigner } from '../shared/platform/signer.js';
import { runDailyExport } from '../shared/sessions/index.js';

export const dailyExport = defineTimer({
  name: 'daily-export',
  schedule: '0 30 1 * * *',
  handler: async () => {
    const rt = runtime();
    const signer = await createSigner(rt.config.signingKeyId, rt.clients.credential);
    await runDailyExport({ blobs: rt.clients.blobs, log: rt.log.child({ component: 'export' }), signer });
  },
});
