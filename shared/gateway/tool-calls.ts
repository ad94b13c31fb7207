// The tool calls a model proposes in an answer, on the live path: each is judged by the guard for
// the principal who asked (deny and review rules with a `toolCalls` match), recorded as a decision,
// and, when one needs a review, the answer is held as one approval whose id the agent reads in the
// text that stands in for the call.
import type { AgentRequest, ForwardContext, GatewayResponse, ResponseRecord } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import { decideToolCall, type Decision } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import type { NamedConnection } from '../policy/compile.js';
import type { EventInput } from '../sessions/index.js';
import type { ForwardAt, PolicyState } from './ports.js';

/**
 * An answer held for review because a tool call it proposes needs one: the answer as it would be
 * with the call passed waits in the approval; the agent got a text naming it.
 */
export interface HeldAnswer {
  approvalId: string;
  requestId: string;
  sessionId: string;
  state: Pick<PolicyState, 'policy' | 'masker'>;
  base: Omit<EventInput, 'type'>;
  principal: Principal;
  connection: NamedConnection;
  operation: Operation;
  /** The review decision on the (first) call that needs one. */
  decision: Decision;
  request: AgentRequest;
  /** The masked answer to give once approved. */
  answer: { status: number; headers: Array<[string, string]>; body: Uint8Array };
}

/** Holding answers whose tool calls need a review; the approvals module provides it. */
export interface AnswerHolds {
  /** The id of the approval an answer will be held in, named to the agent before it is held. */
  newId(connection: string): string;
  hold(held: HeldAnswer): Promise<void>;
}

export interface ToolCalls {
  judge: ForwardContext['judgeToolCall'];
  /** The decision events of the calls a rule judged. */
  events(outcome: ResponseRecord): EventInput[];
  /** Holds the answer when a call needed a review. */
  hold(outcome: ResponseRecord, response: GatewayResponse): Promise<void>;
  /** Whether a call judged so far needs a review, so that the answer is to be held. */
  readonly holding: boolean;
}

export function toolCalls(
  answers: AnswerHolds | undefined,
  { policy, masker }: Pick<PolicyState, 'policy' | 'masker'>,
  request: AgentRequest,
  operation: Operation,
  at: ForwardAt,
): ToolCalls {
  let review: { id: string; decision: Decision } | undefined;
  return {
    judge(call) {
      const decision = decideToolCall(at.principal, at.connection, operation, call, policy);
      const { action, rule } = decision;
      const reason = masker.text(decision.reason).text;
      if (action !== 'review') return { action, rule, reason };
      // Fail closed: a call that needs a review nobody can give is removed.
      if (!answers || !decision.review) return { action: 'deny', rule, reason: `${reason} (no review is possible here)` };
      // One approval holds the whole answer, whatever number of its calls need a review.
      review ??= { id: answers.newId(at.connection.name), decision: { ...decision, reason } };
      return { action, rule, reason, approval: review.id };
    },
    events: (outcome) =>
      (outcome.toolCalls ?? [])
        .filter((call) => call.rule !== 'default')
        .map((call) => ({
          ...at.base,
          type: 'decision' as const,
          decision: { action: call.action, rule: call.rule, reason: call.reason },
          details: { toolCall: masker.text(call.name).text },
        })),
    get holding() {
      return review !== undefined;
    },
    async hold(outcome, response) {
      if (!review) return;
      if (!outcome.approvedAnswer) throw new Error(`connection kind ${at.connection.config.kind} named an approval but held no answer`);
      const { base, principal, connection, requestId } = at;
      await answers!.hold({
        approvalId: review.id,
        requestId,
        sessionId: base.sessionId,
        state: { policy, masker },
        base,
        principal,
        connection,
        operation,
        decision: review.decision,
        request,
        // The held body is another length than the agent's.
        answer: { status: response.status, headers: [...response.headers].filter(([name]) => name !== 'content-length'), body: outcome.approvedAnswer },
      });
    },
  };
}
