// The auditor API: query the session index, and replay one session with its chain verified.
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const sessionsList = defineHttp({ name: 'sessions-list', route: ROUTES.sessionsList, methods: ['GET'], handler: entries.sessionsList });

export const sessionsGet = defineHttp({ name: 'sessions-get', route: ROUTES.sessionsGet, methods: ['GET'], handler: entries.sessionsGet });
