// The Anthropic connection kind (Anthropic's API, or Anthropic models on Azure AI Foundry): prompts
// judged and masked on the way out, answers masked on the way back, streamed ones delta by delta,
// and the tool calls a model proposes judged before the agent can run them.
import { anthropicErrors } from '../error-dialects.js';
import { heldForReview } from '../refusals.js';
import type { ConnectionKind } from '../kind.js';
import { upstreamTarget } from '../target.js';
import { classifyAnthropic } from './classify.js';
import { forwardAnthropic } from './forward.js';

export const anthropicKind: ConnectionKind = {
  route: 'proxy',
  // Prompt rules and outgoing masking need the whole prompt.
  readsBody: true,
  errorDialect: anthropicErrors,
  judgesToolCalls: true,
  // The SDK reads a 202 as the completion it asked for: a held request is refused while it waits.
  heldRefusal: heldForReview,
  target: upstreamTarget,
  classify: classifyAnthropic,
  forward: forwardAnthropic,
};
