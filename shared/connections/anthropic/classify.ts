// An Anthropic API request in its own terms: the action (`messages`, `messages.count_tokens`,
// `messages.batches.*`, `models.*`, or `METHOD /path` for anything else), the model(s) as
// resources, `streaming`, `tools`, `thinking` and `batch` flags, and the whole prompt as the text
// prompt rules see. A prompt route whose body is not a JSON object is refused: its prompt could
// not be judged.
import { jsonObject } from '../body-text.js';
import type { AgentRequest } from '../kind.js';
import { operationBase, unpromptedOperation } from '../model-request.js';
import type { Operation } from '../operation.js';
import { promptText, unknownRouteText } from './prompt.js';
import { anthropicRoute, misspelledRoute, type KnownAction } from './routes.js';
import { nonCanonicalRoute } from './refusals.js';

const PROMPTED: ReadonlySet<KnownAction> = new Set(['messages', 'messages.count_tokens', 'messages.batches.create']);

type Json = Record<string, unknown>;

export function classifyAnthropic(request: AgentRequest): Operation {
  const target = request.target!;
  if (misspelledRoute(request.method, target.path)) {
    throw nonCanonicalRoute(target.path);
  }
  const route = anthropicRoute(request.method, target.path);
  const base = operationBase('anthropic', request, route);
  if (!route.known || !PROMPTED.has(route.known)) return unpromptedOperation(base, route, request, unknownRouteText);

  const body = jsonObject(request.body.bytes, route.action);
  // A batch carries many Messages requests, each with its own params.
  const params: Json[] =
    route.known === 'messages.batches.create'
      ? (Array.isArray(body.requests) ? body.requests : []).flatMap((r: unknown) => (isObject(r) && isObject(r.params) ? [r.params] : []))
      : [body];
  const models = [...new Set(params.flatMap((p) => (typeof p.model === 'string' ? [p.model] : [])))];
  const streaming = params.some((p) => p.stream === true);
  const tools = params.some((p) => Array.isArray(p.tools) && p.tools.length > 0);
  const thinking = params.some((p) => isObject(p.thinking) && p.thinking.type !== 'disabled');
  const flags = [
    ...(streaming ? ['streaming'] : []),
    ...(tools ? ['tools'] : []),
    ...(thinking ? ['thinking'] : []),
    ...(route.known === 'messages.batches.create' ? ['batch'] : []),
  ];
  const model = models.length === 1 ? models[0]! : null;
  return {
    ...base,
    resources: models,
    flags,
    ...promptText(body),
    summary: `${route.action} ${models.join(', ') || '(no model)'}${streaming ? ' streaming' : ''}`,
    details: { model, stream: streaming },
  };
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
