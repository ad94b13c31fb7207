// What the model kinds (openai, anthropic) share in classifying a request: the operation's base
// (method, path, query, action, headers) and the operation of a route that carries no prompt —
// a known one (models, batches…) has no text for rules, an unknown one the text of its body.
import { bodyText } from './body-text.js';
import { headerRecord } from './headers.js';
import type { AgentRequest } from './kind.js';
import type { Operation } from './operation.js';
import type { RuleTexts } from './rule-text.js';

export interface ModelRoute {
  action: string;
  /** The known action, when the route is one of the kind's own. */
  known?: string;
  /** The model the path names (models.retrieve, a deployment…). */
  model?: string;
}

export type OperationBase = Pick<Operation, 'kind' | 'method' | 'path' | 'query' | 'actions' | 'headers'>;

export function operationBase(kind: string, request: AgentRequest, route: ModelRoute): OperationBase {
  const target = request.target!;
  return {
    kind,
    method: request.method,
    path: target.path,
    query: target.search.replace(/^\?/, ''),
    actions: [route.action],
    headers: headerRecord(request.headers),
  };
}

/** A route without a prompt: its model (if the path names one) as the resource. */
export function unpromptedOperation(base: OperationBase, route: ModelRoute, request: AgentRequest, unknownRouteText: (body: string) => RuleTexts): Operation {
  const model = route.model ?? null;
  return {
    ...base,
    resources: model ? [model] : [],
    flags: [],
    ...(route.known ? { text: '' } : unknownRouteText(bodyText(request.body.bytes))),
    summary: model ? `${route.action} ${model}` : route.action,
    details: { model },
  };
}
