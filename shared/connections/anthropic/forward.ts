// Forwards an Anthropic API request: the prompt masked on its way out, the answer masked on its
// way back — a streamed message delta by delta — with every tool call it proposes judged before
// the agent sees it, and the answer's model, token usage and stop reason kept for the record.
import type { Finding } from '../../masking/index.js';
import type { AgentRequest, ForwardContext, GatewayResponse } from '../kind.js';
import { LlmSseMasker } from '../llm-stream.js';
import type { Operation } from '../operation.js';
import { maskResponse } from '../response.js';
import { callUpstream, prepareCall } from '../upstream.js';
import { judgingToolCalls, type JudgedAnswers } from './answer.js';
import { outgoingBody } from './outgoing.js';
import { MessageDeltas } from './stream.js';
import { messageDetails } from './usage.js';

export async function forwardAnthropic(request: AgentRequest, operation: Operation, context: ForwardContext): Promise<GatewayResponse> {
  const outgoing = outgoingBody(request.body.bytes, context.masker, request.headers.get('content-type') ?? undefined);
  const call = await prepareCall(request, context);
  if (outgoing) call.body = outgoing.bytes;
  const upstream = await callUpstream(call, context);

  const whole: JudgedAnswers = { judged: [] };
  const messages = operation.actions[0] === 'messages';
  // Set when the answer streams: its details are known once the stream has ended.
  let deltas: MessageDeltas | undefined;
  let stream: LlmSseMasker | undefined;
  const response = await maskResponse(upstream, {
    masker: messages ? judgingToolCalls(call.masker, context.judgeToolCall, whole) : call.masker,
    captureBytes: context.captureBytes,
    passBinary: false,
    connection: context.connection.name,
    sse: messages
      ? () => (stream = new LlmSseMasker(call.masker, (findings: Finding[]) => (deltas = new MessageDeltas(call.masker, findings, context.judgeToolCall))))
      : undefined,
  });
  const answered = response.body instanceof Uint8Array ? detailsOf(response.body) : {};
  return {
    ...response,
    completion: response.completion.then((record) => ({
      ...record,
      findings: [...(outgoing?.findings ?? []), ...record.findings],
      details: { ...operation.details, ...answered, ...stream?.details() },
      toolCalls: [...whole.judged, ...(deltas?.judged ?? [])],
      ...approved(whole.approved ?? stream?.approvedAnswer()),
    })),
  };
}

const approved = (text: string | undefined) => (text === undefined ? {} : { approvedAnswer: new TextEncoder().encode(text) });

function detailsOf(body: Uint8Array): Record<string, string | number | boolean | null> {
  try {
    return messageDetails(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return {};
  }
}
