// The refusals of the openai kind. A catalogue imports only platform/problem.ts; every problem type
// here is listed in docs/problems.md.
import { Refusal } from '../../platform/problem.js';

export const nonCanonicalRoute = (path: string) =>
  new Refusal({
    status: 400,
    type: 'non-canonical-route',
    title: 'Non-canonical route',
    detail: `${path} names an OpenAI API route in another spelling; use its canonical lower-case path without a trailing slash.`,
  });

/** A prompt request whose body is not a JSON object: its prompt could not be judged. */
