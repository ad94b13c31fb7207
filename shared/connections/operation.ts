// What a request does, in its target's own terms. Every connection kind classifies a request into
// an Operation; the guard matches rules against it and the session log records its summary.

export type OperationDetail = string | number | boolean | null;

export interface Operation {
  /** The connection kind that classified it. */
  kind: string;
  /** HTTP method of the target call, or `SQL`. */
  method: string;
  /** Normalized target path (`/repos/a/b`); empty for SQL. */
  path: string;
  /** The query string as sent, without `?`; empty when there is none. */
  query: string;
  /** What it does, e.g. `GET /repos/a/b`, `Microsoft.Compute/virtualMachines/delete`, `DropStmt`. */
  actions: string[];
  /** What it touches: tables, ARM resource ids, models. */
  resources: string[];
  /** Risk markers rules can match: `ddl`, `no-where`, `data-modifying-cte`, `opaque-code`… */
  flags: string[];
  /** Request headers as the agent sent them (lower-case names), minus credentials. */
  headers: Record<string, string>;
  /** The text body and prompt rules see (request body, prompt, SQL), before rule-text.ts normalises it; '' when not read. */
  text: string;
  /** One line for humans: logs, cards, the review page. */
  summary: string;
  /** Kind-specific facts worth recording (model, subscription, row limit…). */
  details: Record<string, OperationDetail>;
}
