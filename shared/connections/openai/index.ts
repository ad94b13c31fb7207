// The OpenAI (and Azure OpenAI, and OpenAI-compatible) connection kind: prompts judged and masked
// on the way out, answers masked on the way back, streamed ones delta by delta.
import { openaiErrors } from '../error-dialects.js';
import { heldForReview } from '../refusals.js';
import type { ConnectionKind } from '../kind.js';
import { upstreamTarget } from '../target.js';
import { classifyOpenai } from './classify.js';
import { forwardOpenai } from './forward.js';

export const openaiKind: ConnectionKind = {
  route: 'proxy',
  // Prompt rules and outgoing masking need the whole prompt.
  readsBody: true,
  judgesToolCalls: true,
  // The SDK reads a 202 as the completion it asked for: a held request is refused while it waits.
  heldRefusal: heldForReview,
  target: upstreamTarget,
  classify: classifyOpenai,
  // The SDKs' own error shape, so that an agent reads why it was refused.
  errorDialect: openaiErrors,
  forward: forwardOpenai,
};
