// The review pages: the request under review with its decision form, the outcome of a decision,
// a refusal, and the dev sign-in form.
import type { IssuerConfig } from '../identity/index.js';
import type { Refusal } from '../platform/problem.js';
import { describeCredentialUse } from './credential-use.js';
import type { ReviewView } from './held-store.js';
import { html, layout, type Html } from './html.js';
import { describeIdentity, type Identity } from './people.js';
import { approvalCount, type Approval, type Verdict } from './state.js';

export interface ReviewForm {
  approval: Approval;
  view: ReviewView | undefined;
  reviewer: Identity;
  action: Verdict;
  /** Hidden fields posted back with the decision. */
  token: string;
  csrf: string;
  now: Date;
}

export function reviewPage(f: ReviewForm): Html {
  const { approval, view, action } = f;
  const verb = action === 'approve' ? 'Approve' : 'Deny';
  return layout(
    `${verb} request`,
    html`<h1>${verb} this request?</h1>
<dl>
<dt>Requester</dt><dd>${describeIdentity(approval.base.principal)}</dd>
<dt>Connection</dt><dd>${approval.base.connection}</dd>
<dt>Operation</dt><dd><code>${view?.summary ?? approval.base.operation.kind}</code></dd>
<dt>Rule</dt><dd>${approval.rule}</dd>
<dt>Why</dt><dd>${approval.message}</dd>
${approval.credential ? html`<dt>Credential</dt><dd${approval.credential.elevated ? html` class="elevated"` : ''}>${describeCredentialUse(approval.credential)}</dd>
` : ''}<dt>Reviewers</dt><dd>${approval.review.minApprovals} of ${approval.review.groups.join(', ')} (${approvalCount(approval)} approved so far)</dd>
<dt>Time left</dt><dd>${timeLeft(approval.expiresAt, f.now)} (expires ${approval.expiresAt})</dd>
</dl>
${requestBody(view)}
<form method="post" action="${approval.id}">
<input type="hidden" name="t" value="${f.token}">
<input type="hidden" name="csrf" value="${f.csrf}">
<input type="hidden" name="decision" value="${action}">
<label for="reason">Reason (optional, recorded with your decision)</label>
<textarea id="reason" name="reason" maxlength="1000"></textarea>
<button type="submit" class="${action}">${verb}</button>
</form>
<p class="note">Signed in as ${describeIdentity(f.reviewer)}. This link ${action === 'approve' ? 'approves' : 'denies'}; to ${action === 'approve' ? 'deny' : 'approve'} instead, use the other button on the card.</p>`,
  );
}

function requestBody(view: ReviewView | undefined): Html {
  if (!view || view.bytes === 0) return html`<p class="note">The request has no body.</p>`;
  return html`<h2>Request body <span class="note">(${view.contentType ?? 'no content type'}, ${view.bytes} bytes${
    view.findings ? `, ${view.findings} value${view.findings === 1 ? '' : 's'} masked` : ''
  }${view.truncated ? ', shortened' : ''})</span></h2>
<pre>${view.body}</pre>`;
}

export function decidedPage(approval: Approval, verdict: Verdict): Html {
  const [title, text] =
    approval.status === 'approved'
      ? ['Approved', 'The request is approved and is being carried out now.']
      : approval.status === 'denied'
        ? ['Denied', 'The request is denied; the agent is told so, with your reason.']
        : [
            verdict === 'approve' ? 'Approval recorded' : 'Decision recorded',
            `Your approval is recorded: ${approvalCount(approval)} of ${approval.review.minApprovals} needed.`,
          ];
  return layout(title, html`<h1>${title}</h1><p>${text}</p><p class="note">Approval ${approval.id}</p>`);
}

export function refusalPage(refusal: Refusal): Html {
  return layout(refusal.title, html`<h1>${refusal.title}</h1><p>${refusal.detail}</p>`);
}

export function signInPage(returnTo: string, issuers: IssuerConfig[]): Html {
  return layout(
    'Sign in',
    html`<h1>Dev sign-in</h1>
<p class="note">Local development only: whoever you say you are. Never enabled outside PORTCULLIS_ENV=development.</p>
<form method="post" action="sign-in">
<input type="hidden" name="return" value="${returnTo}">
<label for="subject">Subject</label><input id="subject" name="subject" required maxlength="200" autocomplete="username">
<label for="groups">Groups (comma-separated)</label><input id="groups" name="groups" maxlength="1000">
<label for="issuer">Issuer</label><select id="issuer" name="issuer">${issuers.map((i) => html`<option>${i.issuer}</option>`)}</select>
<button type="submit" class="neutral">Sign in</button>
</form>`,
  );
}

function timeLeft(expiresAt: string, now: Date): string {
  const seconds = Math.max(0, Math.round((Date.parse(expiresAt) - now.getTime()) / 1000));
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min`;
  return `${seconds} s`;
}
