// What the LLM kinds put in an answer in place of a proposed tool call the policy does not pass:
// a text the agent (and the developer watching it) can read, naming the tool, the rule and why.
// Pure: the guard reads the types.

/** A tool call a model proposes in its answer (complete: its input fully received). */
export interface ProposedToolCall {
  name: string;
  /** The tool's input as the model wrote it: parsed JSON, or the raw text when it is not JSON. */
  input: unknown;
}

/** What the policy says of a proposed tool call (the guard's decision, reason masked). */
export interface ToolCallVerdict {
  action: 'allow' | 'deny' | 'review';
  /** The deciding rule, or `default` when no tool-call rule matched (allow). */
  rule: string;
  reason: string;
  /** For review: the approval that holds the answer (one per answer), named in the text the agent gets. */
  approval?: string;
}

/** A proposed tool call as the session log keeps it. */
export interface JudgedToolCall extends ToolCallVerdict {
  name: string;
}

export function replacedToolCallText(call: ProposedToolCall, verdict: ToolCallVerdict): string {
  const why = verdict.reason ? ` ${verdict.reason}.`.replace(/\.\.$/, '.') : '';
  if (verdict.action === 'review') {
    const held = verdict.approval
      ? ` The answer is held as approval ${verdict.approval}; once a reviewer approves it, send the same request again to receive it with the call.`
      : ' It was not passed on.';
    return `[portcullis] The model proposed a call of the tool "${call.name}" that needs a human review (rule ${verdict.rule}).${why}${held}`;
  }
  return `[portcullis] The model proposed a call of the tool "${call.name}" that the policy denies (rule ${verdict.rule}).${why} It was removed; do not retry it, carry on another way or ask the user.`;
}

/** A tool call's input as the model wrote it: parsed JSON, or the text itself when it is not JSON. */
export function parsedInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
