// A whole (not streamed) model answer whose proposed tool calls are judged before it is masked:
// the kind says how its answer looks with the verdicts applied (a call the policy does not pass is
// replaced by a text saying why), and, when a call needs a review, with the calls under review
// passed too — that version is kept, masked, for the approval to hold.
import type { Masker } from '../masking/index.js';
import { maskingJsonAnswers } from './answer-masker.js';
import type { JudgedToolCall } from './tool-calls.js';

export interface JudgedAnswers {
  judged: JudgedToolCall[];
  /** The masked answer with the calls under review passed, once one was. */
  approved?: string;
}

/** The answer as the agent gets it, given whether calls under review pass; `review`: one needs one. */
export interface JudgedVersions {
  version(passReview: boolean): unknown;
  review: boolean;
}

/**
 * The masker with auto() judging a JSON answer through `judge` first; a body that is not JSON,
 * or that `judge` does not take for an answer (undefined), is masked as it is.
 */
export function judgingAnswers(masker: Masker, out: JudgedAnswers, judge: (answer: unknown) => JudgedVersions | undefined): Masker {
  return maskingJsonAnswers(masker, (answer, masker) => {
    const judged = judge(answer);
    if (!judged) return undefined;
    if (judged.review) out.approved = JSON.stringify(masker.json(judged.version(true)).value);
    const masked = masker.json(judged.version(false));
    return { text: JSON.stringify(masked.value), findings: masked.findings };
  });
}
