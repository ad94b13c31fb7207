// The refusals of approvals: holding a request, the agent's status, the decision API, the review
// page and its links, and carrying out an approved request. Those about one approval carry its id
// (`approval`). A catalogue imports only platform/problem.ts; every problem type here is listed in
// docs/problems.md.
import { Refusal, unavailable } from '../platform/problem.js';

// Holding a request.

/** The policy compiler requires reviewers on review rules; should none be known, nothing is held. */
export const noReviewers = (rule: string) =>
  new Refusal({ status: 503, type: 'review-unavailable', title: 'Review not available', detail: 'This request needs a review, but its rule names no reviewers.', extensions: { rule } });

export const reviewUnavailable = () =>
  unavailable({
    type: 'review-unavailable',
    title: 'Review not available',
    detail: 'This request needs a review, but the approval could not be started; it was not carried out.',
    retryAfterSeconds: 10,
  });

// Reading an approval (the agent's status URL, the decision API).

export const unknownApproval = (id: string) =>
  new Refusal({ status: 404, type: 'unknown-approval', title: 'Unknown approval', detail: `No approval has the id ${JSON.stringify(id.slice(0, 120))}.` });

export const notYourApproval = () =>
  new Refusal({ status: 403, type: 'not-your-approval', title: 'Not your approval', detail: 'Only the requester of a held request, or an auditor, may read its approval.' });

export const approvalDenied = (approval: string, rule: string, reason: string | undefined) =>
  new Refusal({
    status: 403,
    type: 'approval-denied',
    title: 'Denied by a reviewer',
    detail: reason ? `A reviewer denied this request: ${reason}` : 'A reviewer denied this request.',
    extensions: { approval, rule, ...(reason ? { reason } : {}) },
  });

/** The agent asks after a request nobody decided on in time. */
export const approvalTimedOut = (approval: string, expiresAt: string, rule: string) =>
  new Refusal({
    status: 410,
    type: 'approval-expired',
    title: 'Approval expired',
    detail: `No reviewer decided before ${expiresAt}; the request was not carried out.`,
    extensions: { approval, rule },
  });

/** `error` is why it failed: the type of the refusal or failure that stopped it. */
export const approvalFailed = (approval: string, detail: string, error: string) =>
  new Refusal({ status: 502, type: 'approval-failed', title: 'Approved request failed', detail, extensions: { approval, error } });

export const approvalResultMissing = (approval: string) =>
  new Refusal({
    status: 502,
    type: 'approval-failed',
    title: 'Approved request failed',
    detail: 'The request was carried out, but its stored answer cannot be found.',
    extensions: { approval },
  });

// Deciding (the state machine's rules, for the decision API and the review page alike).

export const notAReviewer = (approval: string, groups: readonly string[]) =>
  new Refusal({ status: 403, type: 'not-a-reviewer', title: 'Not a reviewer', detail: `Only members of ${groups.join(', ')} may decide on this request.`, extensions: { approval } });

export const selfApproval = (approval: string) =>
  new Refusal({ status: 403, type: 'self-approval', title: 'Own request', detail: 'Nobody may decide on their own request; another reviewer must.', extensions: { approval } });

/** A reviewer decides on a request that expired first. */
export const decisionTooLate = (approval: string, expiresAt: string) =>
  new Refusal({ status: 410, type: 'approval-expired', title: 'Approval expired', detail: `This request expired at ${expiresAt} without a decision.`, extensions: { approval } });

export const approvalClosed = (approval: string, status: string) =>
  new Refusal({ status: 409, type: 'approval-closed', title: 'Already decided', detail: `This request is already ${status}; the decision changes nothing.`, extensions: { approval } });

export const linkUsed = (approval: string) =>
  new Refusal({ status: 409, type: 'link-used', title: 'Link already used', detail: 'This review link has already been used; it works once.', extensions: { approval } });

/** `who` describes the reviewer (people.ts describeIdentity). */
export const alreadyDecided = (approval: string, who: string) =>
  new Refusal({ status: 409, type: 'already-decided', title: 'Already decided', detail: `${who} already decided on this request.`, extensions: { approval } });

export const invalidDecision = (detail: string) => new Refusal({ status: 400, type: 'invalid-decision', title: 'Invalid decision', detail });

// Review links and the review page.

export const linkExpired = () =>
  new Refusal({ status: 410, type: 'link-expired', title: 'Link expired', detail: 'This review link has expired, as has the request it was for.' });

export const invalidLink = (detail: string) => new Refusal({ status: 403, type: 'invalid-link', title: 'Invalid link', detail });

export const wrongLinkAction = (action: 'approve' | 'deny') =>
  new Refusal({
    status: 403,
    type: 'wrong-link-action',
    title: 'Wrong link',
    detail: `This link is for ${action === 'approve' ? 'approving' : 'denying'} the request, not for the decision sent.`,
  });

export const missingLink = () =>
  new Refusal({ status: 400, type: 'missing-link', title: 'Link incomplete', detail: 'Open this page from the Approve or Deny button of the approval card.' });

export const notSignedIn = (detail: string) => new Refusal({ status: 401, type: 'sign-in-required', title: 'Sign in required', detail });

export const signInUnavailable = (
  detail = 'PORTCULLIS_REVIEW_AUTH=appservice, but App Service Authentication is not turned on (WEBSITE_AUTH_ENABLED), so no reviewer can be identified.',
) => new Refusal({ status: 503, type: 'sign-in-unavailable', title: 'Reviewer sign-in is not set up', detail });

/** The dev sign-in, asked for where it is not offered. */
export const noDevSignIn = () =>
  new Refusal({ status: 404, type: 'not-found', title: 'Not found', detail: 'There is no sign-in here; reviewers sign in with App Service Authentication.' });

export const unsupportedForm = () =>
  new Refusal({ status: 415, type: 'unsupported-media-type', title: 'Unsupported form', detail: 'Send the form as application/x-www-form-urlencoded.' });

export const invalidForm = (fields: string) => new Refusal({ status: 400, type: 'invalid-form', title: 'Invalid form', detail: `These fields are missing or invalid: ${fields}.` });

export const crossSite = (detail: string) => new Refusal({ status: 403, type: 'cross-site', title: 'Not allowed', detail });

export const csrfInvalid = () =>
  new Refusal({ status: 403, type: 'csrf', title: 'Not allowed', detail: 'The form has expired or was not issued to you; open the link from the card again.' });

/** The dev sign-in form names an issuer the policy does not trust. */
export const unknownSignInIssuer = () =>
  new Refusal({ status: 403, type: 'unknown-issuer', title: 'Not allowed', detail: "Sign in as an identity of one of the policy's issuers." });

// Carrying out an approved request.

export const heldRequestMissing = () =>
  new Refusal({ status: 502, type: 'held-request-missing', title: 'Held request missing', detail: 'The held request is no longer in storage.' });

/** An approved change names an effect this gateway does not know (held by another version of it). */
export const unknownApprovalEffect = (effect: string) =>
  new Refusal({ status: 502, type: 'approval-effect-unknown', title: 'Approved change not known', detail: `This gateway cannot carry out an approved change of kind "${effect}".` });

/** The connection was in the policy when the request was held and approved, and is not any more. */
export const connectionRemoved = (connection: string) =>
  new Refusal({
    status: 502,
    type: 'connection-removed',
    title: 'Connection removed',
    detail: `The policy in force has no connection "${connection}" any more.`,
  });

export const reviewRaisedSinceApproval = (detail: string) =>
  new Refusal({
    status: 409,
    type: 'review-requirement-raised',
    title: 'Review requirement raised since the approval',
    detail: `The policy in force now asks more of this request's review than its approval gave: ${detail}. It was not carried out.`,
  });

export const deniedSinceApproval = (reason: string) =>
  new Refusal({ status: 403, type: 'denied', title: 'Denied by policy', detail: `The policy in force now denies this request: ${reason}` });
