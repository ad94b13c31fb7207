// The daily export: at 01:30 UTC, close yesterday's sessions and copy them, with a manifest of
// digests, to the `exports` container.
import { defineTimer, entries } from '../shared/app/index.js';

export const dailyExport = defineTimer({ name: 'daily-export', schedule: '0 30 1 * * *', handler: entries.dailyExport });
