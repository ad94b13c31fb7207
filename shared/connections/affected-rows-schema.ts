// The SQL kinds' `maxAffectedRows` field, apart from the code that enforces it (affected-rows.ts),
// so that the policy reads it without loading any kind's behaviour.
import { z } from 'zod';

export const maxAffectedRowsSchema = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe("rows a request may insert, update or delete at most; a write over it is rolled back and held for review by the connection's reviewers (the approved request runs without the limit); absent: no limit");

/** A limit that holds writes needs someone to hold them for: the connection's reviewers. */
export const reviewersForMaxAffectedRows = Object.assign(
  (connection: { maxAffectedRows?: number; reviewers?: string[] }) => connection.maxAffectedRows === undefined || (connection.reviewers?.length ?? 0) > 0,
  { problem: { message: 'maxAffectedRows holds writes over it for review: name the reviewers', path: ['reviewers'] } },
);
