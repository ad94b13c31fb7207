// The anthropic kind's refusals. A catalogue imports only platform/problem.ts; every problem type
// here is listed in docs/problems.md.
import { Refusal } from '../../platform/problem.js';

/** A known Anthropic route spelled another way: what a rule matched must be what runs. */
export const nonCanonicalRoute = (path: string) =>
  new Refusal({
    status: 400,
    type: 'non-canonical-route',
    title: 'Non-canonical route',
    detail: `${path} names an Anthropic API route in another spelling; use its canonical lower-case path without a trailing slash.`,
  });
