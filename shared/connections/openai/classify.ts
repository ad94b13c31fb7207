// An OpenAI-style request in its own terms: the action (`chat.completions`, `completions`,
// `responses`, `embeddings`, `models.list`, `models.retrieve`, or `METHOD /path` for anything
// else), the model as the resource, `streaming`, `tools` and `token-input` flags, and the whole
// prompt as the text prompt rules see. A known route whose body is not a JSON object is refused:
// its prompt could not be judged. A model call that leaves nothing behind at the provider is
// `read-only` (credential tiers: it runs with the read token): chat completions, completions and
// embeddings unless `store: true`, responses only with `store: false` (the Responses API stores by
// default). Everything else that is not a GET (files, batches, fine-tuning, assistants) writes.
import { jsonObject } from '../body-text.js';
import { READ_ONLY_FLAG } from '../operation.js';
import type { AgentRequest } from '../kind.js';
import { operationBase, unpromptedOperation } from '../model-request.js';
import type { Operation } from '../operation.js';
import { hasTokenInput, promptText, unknownRouteText } from './prompt.js';
import { nonCanonicalRoute } from './refusals.js';
import { misspelledRoute, openaiRoute, type KnownAction } from './routes.js';

const PROMPTED: ReadonlySet<KnownAction> = new Set(['chat.completions', 'completions', 'responses', 'embeddings']);

export function classifyOpenai(request: AgentRequest): Operation {
  const target = request.target!;
  if (misspelledRoute(request.method, target.path)) throw nonCanonicalRoute(target.path);
  const route = openaiRoute(request.method, target.path);
  const base = operationBase('openai', request, route);
  if (!route.known || !PROMPTED.has(route.known)) return unpromptedOperation(base, route, request, unknownRouteText);

  const body = jsonObject(request.body.bytes, route.action);
  const model = route.deployment ?? (typeof body.model === 'string' ? body.model : null);
  const streaming = body.stream === true;
  const tools = (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);
  const stores = route.known === 'responses' ? body.store !== false : body.store === true;
  return {
    ...base,
    resources: model ? [model] : [],
    // Token ids reach the model as words do, but no rule can read them: a flag lets a policy decide.
    flags: [
      ...(streaming ? ['streaming'] : []),
      ...(tools ? ['tools'] : []),
      ...(hasTokenInput(body) ? ['token-input'] : []),
      ...(stores ? [] : [READ_ONLY_FLAG]),
    ],
    ...promptText(body),
    summary: `${route.action} ${model ?? '(no model)'}${streaming ? ' streaming' : ''}`,
    details: { model, stream: streaming },
  };
}
