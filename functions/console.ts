// The web console: the reviewer's inbox and the auditors' session viewer, behind the review page's sign-in.
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const consoleInbox = defineHttp({ name: 'console-inbox', route: ROUTES.consoleInbox, methods: ['GET'], handler: entries.consoleInbox });

export const consoleSessions = defineHttp({ name: 'console-sessions', route: ROUTES.consoleSessions, methods: ['GET'], handler: entries.consoleSessions });

export const consoleSession = defineHttp({ name: 'console-session', route: ROUTES.consoleSession, methods: ['GET'], handler: entries.consoleSession });
