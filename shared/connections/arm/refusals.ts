// The refusals of the arm kind. A catalogue imports only platform/problem.ts; every problem type
// here is listed in docs/problems.md.
import { Refusal } from '../../platform/problem.js';

/** A path outside ARM's resource-id grammar: it is refused rather than judged under a made-up name. */
export const unclassifiable = (method: string, path: string, why: string) =>
  new Refusal({
    status: 400,
    type: 'unclassifiable',
    title: 'Request not recognized',
    detail: `${method} ${path} is not an Azure Resource Manager request the gateway can name (${why}), so it cannot be judged.`,
  });
