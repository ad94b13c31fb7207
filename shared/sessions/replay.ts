// A session as a readable timeline: one line per event (time, seq, type, what happened, timings),
// a heading per day, and a last line that says whether the chain verifies. Colour is optional.
// Every recorded value is shown through `visible`: an agent's control or bidi characters print as
// escapes and never reach the terminal as themselves.
import { visible } from '../platform/terminal-text.js';
import type { SessionEvent } from './schema.js';
import type { SessionRecord } from './session-record.js';
import type { VerifyProblem } from './verify.js';

type Paint = (code: number, text: string) => string;

const TYPE_WIDTH = 'approval.requested'.length;

export function formatTimeline(record: SessionRecord, options: { colour: boolean }): string[] {
  const paint: Paint = options.colour ? (code, text) => `\x1b[${code}m${visible(text)}\x1b[0m` : (_code, text) => visible(text);
  const lines = [paint(1, `session ${record.sessionId}`)];
  let day = '';
  for (const event of record.events) {
    if (event.time.slice(0, 10) !== day) {
      day = event.time.slice(0, 10);
      lines.push(paint(1, day));
    }
    const parts = [...describe(event, paint), ...extras(event).map(visible)].filter((part) => part !== '');
    lines.push(`  ${paint(2, event.time.slice(11, 23))}  ${paint(2, `#${event.seq}`.padEnd(5))} ${paint(36, event.type.padEnd(TYPE_WIDTH))}  ${parts.join('  ')}`.trimEnd());
  }
  lines.push(verdict(record, paint));
  return lines;
}

/** The event's parts, each already escaped (painted or passed through `visible`). */
function describe(event: SessionEvent, paint: Paint): string[] {
  return parts(event, paint).map((part) => (typeof part === 'string' ? visible(part) : part.painted));
}

function parts(event: SessionEvent, paint: Paint): Array<string | { painted: string }> {
  const painted = (code: number, text: string) => ({ painted: paint(code, text) });
  switch (event.type) {
    case 'session.start':
      return [event.principal?.subject ?? '', event.connection ?? '', event.details?.reopened === true ? '(reopened)' : ''];
    case 'request':
      return [event.connection ?? '', event.operation?.summary ?? '', size(event)];
    case 'decision': {
      const colour = { allow: 32, deny: 31, review: 33 }[event.decision.action];
      return [painted(colour, event.decision.action), `rule ${event.decision.rule ?? '(none)'}`, JSON.stringify(event.decision.reason)];
    }
    case 'approval.requested':
      return [`approval ${event.approval.id}`, event.approval.expiresAt ? `expires ${event.approval.expiresAt}` : ''];
    case 'approval.decided':
      return [
        painted(event.approval.status === 'approved' ? 32 : 31, event.approval.status),
        event.approval.reviewer ? `by ${event.approval.reviewer.subject}` : '',
        event.approval.reason ? JSON.stringify(event.approval.reason) : '',
      ];
    case 'approval.expired':
      return [painted(33, `approval ${event.approval.id} expired`)];
    case 'response': {
      const status = event.payload?.status;
      const aborted = event.details?.aborted === true ? painted(31, `aborted by ${String(event.details.abortedBy)} after ${String(event.details.deliveredBytes)} B delivered`) : '';
      return [status === undefined ? '' : painted(status >= 500 ? 31 : status >= 400 ? 33 : 32, String(status)), size(event), aborted];
    }
    case 'error':
      return [painted(31, `${event.error.type}: ${event.error.detail}`)];
    case 'session.end':
      return [typeof event.details?.reason === 'string' ? event.details.reason : ''];
  }
}

function extras(event: SessionEvent): string[] {
  const count = (event.findings?.length ?? 0) + (event.findingsOmitted ?? 0);
  const findings = count > 0 ? [`${count} masked`] : [];
  const timings = Object.entries(event.timings ?? {}).map(([step, ms]) => `${step} ${ms}ms`);
  return [...findings, ...(timings.length > 0 ? [timings.join(', ')] : [])];
}

function size(event: SessionEvent): string {
  if (!event.payload) return '';
  return `${event.payload.bytes} B${event.payload.truncated ? ' (truncated)' : ''}`;
}

function verdict(record: SessionRecord, paint: Paint): string {
  if (record.verified) return paint(32, `chain verifies (${record.events.length} events)`);
  const [first] = record.problems as [VerifyProblem, ...VerifyProblem[]];
  const more = record.problems.length > 1 ? ` (and ${record.problems.length - 1} more)` : '';
  return paint(31, `chain does not verify: ${first.file ?? ''}:${first.line} ${first.message}${more}`);
}
