// Every function of the app. functions/index.ts registers this list with Azure; the local host
// (portcullis dev) serves the same list.
import type { FunctionDefinition } from '../shared/app/index.js';
import { approvalDecision, approvalStatus } from './approvals.js';
import { dailyExport } from './export.js';
import { health } from './health.js';
import { orchestrator } from './orchestrator.js';
import { proxy } from './proxy.js';
import { review, reviewSignIn } from './review.js';
import { sessionsGet, sessionsList } from './sessions.js';
import { exec } from './exec.js';
import { sql } from './sql.js';

export const definitions: FunctionDefinition[] = [
  proxy,
  sql,
  exec,
  health,
  sessionsList,
  sessionsGet,
  dailyExport,
  approvalStatus,
  approvalDecision,
  review,
  reviewSignIn,
  orchestrator,
];
