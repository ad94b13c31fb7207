// The web console's pages (server-rendered, no script): the reviewer's inbox, and for auditors the
// sessions list and a session's timeline. Every value goes through the escaping template; recorded
// payloads are shown as recorded (masked).
import type { SessionEvent } from '../sessions/index.js';
import { describeCredentialUse } from './credential-use.js';
import { html, layout, type Html } from './html.js';
import type { ApprovalSummary } from './list.js';
import { describeIdentity, type Identity } from './people.js';

export const CONSOLE_PATHS = { inbox: '/api/review/inbox', sessions: '/api/review/sessions' } as const;

function nav(person: Identity, auditor: boolean): Html {
  return html`<nav aria-label="Console"><a href="${CONSOLE_PATHS.inbox}">Inbox</a>${auditor ? html`<a href="${CONSOLE_PATHS.sessions}">Sessions</a>` : ''}<span class="note">Signed in as ${describeIdentity(person)}</span></nav>`;
}

const age = (from: string, now: Date) => {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
};

export interface InboxItem {
  approval: ApprovalSummary;
  approveUrl: string;
  denyUrl: string;
}

export function inboxPage(person: Identity, auditor: boolean, items: InboxItem[], now: Date, next?: string): Html {
  return layout(
    'Inbox',
    html`${nav(person, auditor)}
      <h1>Waiting for your decision</h1>
      ${items.length === 0
        ? html`<p>Nothing waits for you: no pending request is yours to decide.</p>`
        : html`<table>
            <caption class="note">${items.length} pending ${items.length === 1 ? 'request' : 'requests'}</caption>
            <thead><tr><th scope="col">Operation</th><th scope="col">Requester</th><th scope="col">Rule</th><th scope="col">Age</th><th scope="col">Expires</th><th scope="col">Decide</th></tr></thead>
            <tbody>${items.map(
              ({ approval: a, approveUrl, denyUrl }) => html`<tr data-approval="${a.id}">
                <td><strong>${a.connection}</strong><br>${a.operation}</td>
                <td>${a.requester}</td>
                <td>${a.rule}<br><span class="note">${a.message}</span>${a.credential ? html`<br><span class="note">${describeCredentialUse(a.credential)}</span>` : ''}</td>
                <td>${age(a.createdAt, now)}</td>
                <td><time datetime="${a.expiresAt}">${a.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time></td>
                <td>${a.mayDecide
                  ? html`<a class="button approve" href="${approveUrl}" aria-label="Review and approve ${a.operation}">Approve…</a><a class="button deny" href="${denyUrl}" aria-label="Review and deny ${a.operation}">Deny…</a>`
                  : html`<span class="note">not yours to decide</span>`}</td>
              </tr>`,
            )}</tbody>
          </table>`}
      ${next ? html`<p><a href="${next}">More</a></p>` : ''}`,
  );
}

export interface SessionsFilter {
  principal?: string;
  connection?: string;
  decision?: string;
  from?: string;
  to?: string;
}

export interface SessionRow {
  sessionId: string;
  day: string;
  started: string;
  principal?: { subject: string; issuer: string };
  connection?: string;
  deny: boolean;
  review: boolean;
}

export function sessionsPage(person: Identity, filter: SessionsFilter, rows: SessionRow[], next?: string): Html {
  const field = (name: keyof SessionsFilter, label: string, type = 'text') =>
    html`<label>${label}<input type="${type}" name="${name}" value="${filter[name] ?? ''}"></label>`;
  return layout(
    'Sessions',
    html`${nav(person, true)}
      <h1>Sessions</h1>
      <form method="get" action="${CONSOLE_PATHS.sessions}" class="filters" aria-label="Filter sessions">
        ${field('principal', 'Principal (subject or issuer|subject)')}${field('connection', 'Connection')}
        <label>Decision<select name="decision"><option value="">any</option>${['deny', 'review'].map((d) => html`<option value="${d}"${filter.decision === d ? html` selected` : ''}>${d}</option>`)}</select></label>
        ${field('from', 'From (UTC day)', 'date')}${field('to', 'To (UTC day)', 'date')}
        <button class="neutral" type="submit">Filter</button>
      </form>
      ${rows.length === 0
        ? html`<p>No session matches.</p>`
        : html`<table>
            <thead><tr><th scope="col">Session</th><th scope="col">Day</th><th scope="col">Started</th><th scope="col">Principal</th><th scope="col">Connection</th><th scope="col">Flags</th></tr></thead>
            <tbody>${rows.map(
              (r) => html`<tr>
                <td><a href="${CONSOLE_PATHS.sessions}/${encodeURIComponent(r.sessionId)}?from=${r.day}&amp;to=${r.day}">${r.sessionId}</a></td>
                <td>${r.day}</td><td>${r.started}</td><td>${r.principal ? r.principal.subject : ''}</td><td>${r.connection ?? ''}</td>
                <td>${[r.deny ? 'denied' : '', r.review ? 'reviewed' : ''].filter(Boolean).join(', ')}</td>
              </tr>`,
            )}</tbody>
          </table>`}
      ${next ? html`<p><a href="${next}">More</a></p>` : ''}`,
  );
}

export interface TimelineRecord {
  sessionId: string;
  events: SessionEvent[];
  verified: boolean;
  problems: Array<{ file?: string; line: number; message: string }>;
}

export function timelinePage(person: Identity, record: TimelineRecord): Html {
  return layout(
    `Session ${record.sessionId}`,
    html`${nav(person, true)}
      <h1>Session ${record.sessionId}</h1>
      ${record.verified
        ? html`<p class="verified" role="status" data-chain="verified">Chain verified: ${record.events.length} events, each hashed onto the one before.</p>`
        : html`<div class="broken" role="alert" data-chain="broken"><p><strong>Chain broken.</strong> This session's log was changed after it was written:</p>
            <ul>${record.problems.map((p) => html`<li>${p.file ? `${p.file}, ` : ''}line ${p.line}: ${p.message}</li>`)}</ul></div>`}
      <ol class="timeline">${record.events.map((e) => eventItem(e))}</ol>`,
  );
}

function eventItem(e: SessionEvent): Html {
  return html`<li data-seq="${e.seq}" data-type="${e.type}">
    <strong>${e.type}</strong> <time datetime="${e.time}">${e.time}</time> <span class="note">request ${e.requestId}</span>
    <dl>
      ${e.principal ? html`<dt>Principal</dt><dd>${e.principal.subject} (${e.principal.issuer})</dd>` : ''}
      ${e.connection ? html`<dt>Connection</dt><dd>${e.connection}</dd>` : ''}
      ${e.operation ? html`<dt>Operation</dt><dd>${e.operation.summary}</dd>` : ''}
      ${e.decision ? html`<dt>Decision</dt><dd>${e.decision.action}${e.decision.rule ? ` by rule ${e.decision.rule}` : ''}: ${e.decision.reason}</dd>` : ''}
      ${e.approval ? html`<dt>Approval</dt><dd>${e.approval.id}: ${e.approval.status}${e.approval.reviewer ? ` — decided by ${e.approval.reviewer.subject}` : ''}${e.approval.reason ? ` (“${e.approval.reason}”)` : ''}</dd>` : ''}
      ${e.error ? html`<dt>Error</dt><dd>${e.error.type}: ${e.error.detail}</dd>` : ''}
      ${e.findings?.length ? html`<dt>Findings</dt><dd>${e.findings.map((f) => `${f.rule} at ${f.location} (#${f.hash})`).join(', ')}</dd>` : ''}
      ${e.payload?.status !== undefined ? html`<dt>Status</dt><dd>${e.payload.status}</dd>` : ''}
    </dl>
    ${e.payload?.body ? html`<details><summary>Payload (masked${e.payload.truncated ? ', truncated' : ''}, ${e.payload.bytes} bytes)</summary><pre>${e.payload.body}</pre></details>` : ''}
  </li>`;
}
