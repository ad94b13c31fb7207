// Forwards an OpenAI-style request: the prompt masked on its way out, the answer masked on its way
// back — a streamed chat completion or response delta by delta — and the answer's model, token
// usage and finish reason kept for the record.
import type { Finding, Masker } from '../../masking/index.js';
import type { AgentRequest, ForwardContext, GatewayResponse } from '../kind.js';
import type { Operation } from '../operation.js';
import { maskResponse } from '../response.js';
import { callUpstream, prepareCall } from '../upstream.js';
import { ChatDeltas } from './chat-stream.js';
import { vectorsAside } from './embeddings.js';
import { outgoingBody } from './outgoing.js';
import { ResponseDeltas } from './responses-stream.js';
import { judgingToolCalls, noting, type JudgedAnswers, type Judge } from './tool-calls.js';
import type { OpenaiConnection } from './schema.js';
import { LlmSseMasker, type DeltaHandler } from '../llm-stream.js';
import { answerDetails, type AnswerDetails } from './usage.js';

export async function forwardOpenai(request: AgentRequest, operation: Operation, context: ForwardContext): Promise<GatewayResponse> {
  const config = context.connection.config as OpenaiConnection;
  const action = operation.actions[0]!;
  const outgoing = outgoingBody(request.body.bytes, action, context.masker, { streamUsage: config.streamUsage, contentType: request.headers.get('content-type') ?? undefined });
  const call = await prepareCall(request, context);
  if (outgoing) call.body = outgoing.bytes;
  const upstream = await callUpstream(call, context);

  const whole: JudgedAnswers = { judged: [] };
  const handler = deltaHandler(action, call.masker, outgoing?.askedUsage ?? false, noting(context.judgeToolCall, whole.judged));
  // Set when the answer streams: its details are known once the stream has ended.
  let stream: LlmSseMasker | undefined;
  const response = await maskResponse(upstream, {
    masker:
      action === 'embeddings'
        ? vectorsAside(call.masker)
        : action === 'chat.completions' || action === 'responses'
          ? judgingToolCalls(call.masker, context.judgeToolCall, whole)
          : call.masker,
    captureBytes: context.captureBytes,
    passBinary: false,
    connection: context.connection.name,
    sse: handler && (() => (stream = new LlmSseMasker(call.masker, handler))),
  });
  const answered = response.body instanceof Uint8Array ? detailsOf(response.body) : {};
  const approved = () => whole.approved ?? stream?.approvedAnswer();
  return {
    ...response,
    completion: response.completion.then((record) => ({
      ...record,
      findings: [...(outgoing?.findings ?? []), ...record.findings],
      details: { ...operation.details, ...answered, ...stream?.details() },
      toolCalls: whole.judged,
      ...approvedAnswer(approved()),
    })),
  };
}

/** How a streamed answer of `action` is masked; other streams are masked line by line. */
function deltaHandler(action: string, masker: Masker, askedUsage: boolean, judge: Judge): ((findings: Finding[]) => DeltaHandler) | undefined {
  if (action === 'chat.completions') return (findings) => new ChatDeltas(masker, findings, { dropUsage: askedUsage, judge });
  if (action === 'responses') return (findings) => new ResponseDeltas(masker, findings, judge);
  return undefined;
}

const approvedAnswer = (text: string | undefined) => (text === undefined ? {} : { approvedAnswer: new TextEncoder().encode(text) });

/** Details of a whole (already masked) JSON answer. */
function detailsOf(body: Uint8Array): AnswerDetails {
  try {
    return answerDetails(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return {};
  }
}
