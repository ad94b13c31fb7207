// Agent traffic for http, openai and arm connections.
import { ALL_METHODS, defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const proxy = defineHttp({ name: 'proxy', route: ROUTES.proxy, methods: ALL_METHODS, handler: entries.proxy });
