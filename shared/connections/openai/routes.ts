// The OpenAI API routes the gateway knows, under the prefixes the OpenAI and Azure OpenAI APIs
// use: `/v1/chat/completions`, `/openai/v1/…`, `/openai/deployments/{deployment}/…?api-version=`,
// or none when the connection's upstream already ends in `/v1`.

export type KnownAction = 'chat.completions' | 'completions' | 'responses' | 'embeddings' | 'models.list' | 'models.retrieve';

export interface Route {
  /** A known action, or `METHOD /path` for anything else (the connection's rules decide). */
  action: string;
  known: KnownAction | undefined;
  /** Azure's deployment, which names the model. */
  deployment?: string;
  /** The model a models.retrieve names. */
  model?: string;
}

const PREFIX = /^(?:\/openai\/deployments\/([^/]+)|\/openai\/v1|\/openai|\/v1)?(\/.*)$/;

const POST_ROUTES: Record<string, KnownAction> = {
  '/chat/completions': 'chat.completions',
  // The legacy completions API: its `prompt` reaches the model as much as a chat message does.
  '/completions': 'completions',
  '/responses': 'responses',
  '/embeddings': 'embeddings',
};

/**
 * A path that names a known route in another spelling (`/Chat/Completions`, `/embeddings/`). Many
 * upstreams accept those, so judging them as unknown paths would skip prompt rules and per-delta
 * masking; the gateway refuses them instead.
 */
export function misspelledRoute(method: string, path: string): boolean {
  const folded = path.toLowerCase().replace(/\/+$/, '') || '/';
  return folded !== path && openaiRoute(method, folded).known !== undefined && openaiRoute(method, path).known === undefined;
}

export function openaiRoute(method: string, path: string): Route {
  const [, deployment, rest = path] = PREFIX.exec(path) ?? [];
  const known = (() => {
    if (method === 'POST') return POST_ROUTES[rest];
    if (method !== 'GET' || deployment !== undefined) return undefined;
    if (rest === '/models') return 'models.list';
    if (/^\/models\/[^/]+$/.test(rest)) return 'models.retrieve';
    return undefined;
  })();
  if (!known) return { action: `${method} ${path}`, known: undefined };
  return {
    action: known,
    known,
    ...(deployment !== undefined && { deployment: decodeURIComponent(deployment) }),
    ...(known === 'models.retrieve' && { model: decodeURIComponent(rest.slice('/models/'.length)) }),
  };
}
