// Durable-style approvals (DESIGN.md, docs/approvals.md): holding a request for review, the
// orchestrator on the `approvals` queue, the agent's status API, the decision API and the review page.
export { createHold } from './hold.js';
export { handleApprovalMessage, type Delivery } from './orchestrator.js';
export { approvalDecision, approvalStatus } from './api.js';
export { showReview, showSignIn, signIn, submitReview } from './review.js';
