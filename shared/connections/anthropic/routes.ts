// The Anthropic API routes the gateway knows, under `/v1` (the SDKs' base URL is the connection,
// without `/v1`). Anything else is `METHOD /path`, for the connection's rules to decide.

export type KnownAction =
  | 'messages'
  | 'messages.count_tokens'
  | 'messages.batches.create'
  | 'messages.batches.list'
  | 'messages.batches.retrieve'
  | 'messages.batches.results'
  | 'messages.batches.cancel'
  | 'messages.batches.delete'
  | 'models.list'
  | 'models.retrieve';

export interface Route {
  /** A known action, or `METHOD /path` for anything else. */
  action: string;
  known: KnownAction | undefined;
  /** The model a models.retrieve names. */
  model?: string;
}

const ROUTES: Array<[method: string, path: RegExp, action: KnownAction]> = [
  ['POST', /^\/v1\/messages$/, 'messages'],
  ['POST', /^\/v1\/messages\/count_tokens$/, 'messages.count_tokens'],
  ['POST', /^\/v1\/messages\/batches$/, 'messages.batches.create'],
  ['GET', /^\/v1\/messages\/batches$/, 'messages.batches.list'],
  ['GET', /^\/v1\/messages\/batches\/[^/]+$/, 'messages.batches.retrieve'],
  ['GET', /^\/v1\/messages\/batches\/[^/]+\/results$/, 'messages.batches.results'],
  ['POST', /^\/v1\/messages\/batches\/[^/]+\/cancel$/, 'messages.batches.cancel'],
  ['DELETE', /^\/v1\/messages\/batches\/[^/]+$/, 'messages.batches.delete'],
  ['GET', /^\/v1\/models$/, 'models.list'],
  ['GET', /^\/v1\/models\/[^/]+$/, 'models.retrieve'],
];

export function anthropicRoute(method: string, path: string): Route {
  const known = ROUTES.find(([m, pattern]) => m === method && pattern.test(path))?.[2];
  if (!known) return { action: `${method} ${path}`, known: undefined };
  return { action: known, known, ...(known === 'models.retrieve' && { model: decodeURIComponent(path.slice('/v1/models/'.length)) }) };
}

/**
 * A path that names a known route in another spelling (`/v1/Messages`, `/v1/messages/`). An
 * upstream that accepts it would get a prompt judged as an unknown route: refused instead.
 */
export function misspelledRoute(method: string, path: string): boolean {
  const folded = path.toLowerCase().replace(/\/+$/, '') || '/';
  return folded !== path && anthropicRoute(method, folded).known !== undefined && anthropicRoute(method, path).known === undefined;
}
