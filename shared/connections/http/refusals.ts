// The http kind's refusals. A catalogue imports only platform/problem.ts; every problem type here
// is listed in docs/problems.md.
import { Refusal } from '../../platform/problem.js';

/** A `_method` query parameter or form field: servers behind the gateway would run another method than the one judged. */
export const methodOverride = (where: string) =>
  new Refusal({
    status: 400,
    type: 'method-override',
    title: 'Method override not accepted',
    detail: `The request carries a method override (${where}); send the request with the method you mean instead.`,
  });

/** A body declared as a type the gateway decodes for rules (JSON, a form) that does not decode. */
export const undecodableBody = (type: string) =>
  new Refusal({
    status: 400,
    type: 'invalid-body',
    title: 'Request body not accepted',
    detail: `The body is declared ${type} but is not valid ${type} in UTF-8, so rules cannot read it as the target will.`,
  });
