// Every HTTP route of the app, written once: function definitions take their templates from here,
// and code that builds a link back to the gateway uses the builders below.
export const ROUTE_PREFIX = 'api';

export const ROUTES = {
  proxy: 'proxy/{connection}/{*path}',
  sql: 'sql/{connection}',
  mcp: 'mcp/{connection}',
  exec: 'exec/{connection}',
  health: 'health',
  sessionsList: 'sessions',
  sessionsGet: 'sessions/{id}',
  approvalsList: 'approvals',
  approvalStatus: 'approvals/{id}',
  approvalDecision: 'approvals/{id}/decision',
  review: 'review/{id}',
  reviewSignIn: 'review/sign-in',
  consoleInbox: 'review/inbox',
  consoleSessions: 'review/sessions',
  consoleSession: 'review/sessions/{id}',
} as const;

/** Path of a connection's route: `/api/proxy/{name}`, `/api/sql/{name}`, `/api/mcp/{name}` or `/api/exec/{name}`. */
export const connectionPath = (route: 'proxy' | 'sql' | 'mcp' | 'exec', name: string) => `/${ROUTE_PREFIX}/${route}/${encodeURIComponent(name)}`;

/** The review pages' path prefix, `/api/review/`. */
export const REVIEW_PATH = `/${ROUTE_PREFIX}/review/`;

export interface ApprovalUrls {
  /** The inbox: GET /api/approvals. */
  list(): string;
  status(id: string): string;
  decision(id: string): string;
  review(id: string): string;
}

export function approvalUrls(publicUrl: string): ApprovalUrls {
  const status = (id: string) => `${publicUrl}/${ROUTE_PREFIX}/approvals/${encodeURIComponent(id)}`;
  return {
    list: () => `${publicUrl}/${ROUTE_PREFIX}/approvals`,
    status,
    decision: (id) => `${status(id)}/decision`,
    review: (id) => `${publicUrl}${REVIEW_PATH}${encodeURIComponent(id)}`,
  };
}
