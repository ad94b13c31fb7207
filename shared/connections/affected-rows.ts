// The SQL kinds' blast-radius limit, `maxAffectedRows`: a write runs in a transaction; when it
// changed more rows than the limit, the kind's executor rolls it back and throws TooManyRowsAffected,
// which the kind turns into NeedsReview, so the pipeline holds the request for the connection's
// reviewers, recorded with the count. The approved request runs again without the limit.
import { NeedsReview, type ForwardContext } from './kind.js';

/** The limit a request runs under: none once reviewers approved it. */
export const affectedRowsLimit = (maxAffectedRows: number | undefined, context: Pick<ForwardContext, 'approved'>) =>
  context.approved ? undefined : maxAffectedRows;

/** Thrown by an executor that rolled back a write over the limit. */
export class TooManyRowsAffected extends Error {
  constructor(
    readonly affectedRows: number,
    readonly maxAffectedRows: number,
  ) {
    super(`the request would change ${affectedRows} rows, more than ${maxAffectedRows}`);
    this.name = 'TooManyRowsAffected';
  }
}

/** The review a rolled-back write asks for, named like a rule and recorded with the count. */
export function heldForRowCount(error: TooManyRowsAffected, connection: string): NeedsReview {
  return new NeedsReview(
    'max-affected-rows',
    `The request would change ${error.affectedRows} rows, more than the ${error.maxAffectedRows} allowed on "${connection}"; it was rolled back and needs a review.`,
    { affectedRows: error.affectedRows, maxAffectedRows: error.maxAffectedRows },
  );
}
