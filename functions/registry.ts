// Every function of the app. functions/index.ts registers this list with Azure; the local host
// (portcullis dev) serves the same list.
import type { FunctionDefinition } from '../shared/app/index.js';
import { approvalDecision, approvalsList, approvalStatus } from './approvals.js';
import { consoleInbox, consoleSession, consoleSessions } from './console.js';
import { dailyExport } from './export.js';
import { health } from './health.js';
import { orchestrator } from './orchestrator.js';
import { mcp } from './mcp.js';
import { proxy } from './proxy.js';
import { review, reviewSignIn } from './review.js';
import { sessionsGet, sessionsList } from './sessions.js';
import { exec } from './exec.js';
import { sql } from './sql.js';

export const definitions: FunctionDefinition[] = [
  proxy,
  sql,
  mcp,
  exec,
  health,
  sessionsList,
  sessionsGet,
  dailyExport,
  approvalsList,
  approvalStatus,
  approvalDecision,
  review,
  reviewSignIn,
  consoleInbox,
  consoleSessions,
  consoleSession,
  orchestrator,
];
