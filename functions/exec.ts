// Commands for ssh connections: POST { command, stdin?, timeoutSeconds? }.
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const exec = defineHttp({ name: 'exec', route: ROUTES.exec, methods: ['POST'], handler: entries.exec });
