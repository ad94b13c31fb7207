// The refusals the platform itself throws. Every problem type is listed in docs/problems.md.
import { Refusal } from './problem.js';

export const bodyTooLarge = (limit: number) =>
  new Refusal({
    status: 413,
    type: 'body-too-large',
    title: 'Request body too large',
    detail: `The request body exceeds the gateway's limit of ${limit} bytes.`,
  });
