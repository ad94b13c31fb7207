// The daily export: at 01:30 UTC, close yesterday's sessions and copy them, with a manifest of
// digests, to the `exports` container; the day's ledger and the manifest are signed with the
// PORTCULLIS_SIGNING_KEY_ID key.
import { defineTimer, entries } from '../shared/app/index.js';

export const dailyExport = defineTimer({ name: 'daily-export', schedule: '0 30 1 * * *', handler: entries.dailyExport });
