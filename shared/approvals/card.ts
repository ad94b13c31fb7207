// The Adaptive Card reviewers get in Teams, and the Workflows webhook message that carries it.
// Requester-controlled text (subjects, paths, bodies) is escaped so that it stays text: Teams
// renders Markdown in TextBlocks and facts, and a path could otherwise become a link. Invisible
// characters (bidi overrides, zero-width) are shown as escapes first (shown.ts).
import { shown } from './shown.js';

export interface CardView {
  requester: string;
  connection: string;
  /** Masked. */
  operation: string;
  rule: string;
  message: string;
  expiresAt: string;
  required: number;
  groups: string[];
  /** Which credential the approved request runs with (credential-use.ts), on connections with tiers. */
  credential?: string;
  /** Masked and short. */
  body?: string;
  approveUrl: string;
  denyUrl: string;
}

export type AdaptiveCard = Record<string, unknown>;

export function approvalCard(view: CardView): AdaptiveCard {
  // Teams formats {{DATE()}}/{{TIME()}} in the reader's time zone; it wants no fractional seconds.
  const expires = view.expiresAt.replace(/\.\d+Z$/, 'Z');
  const facts = [
    ['Requester', view.requester],
    ['Connection', view.connection],
    ['Operation', view.operation],
    ['Rule', view.rule],
    ['Reviewers', `${view.required} of ${view.groups.join(', ')}`],
    ...(view.credential ? [['Credential', view.credential]] : []),
  ].map(([title, value]) => ({ title, value: markdownText(value!) }));
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: 'Approval needed', size: 'Medium', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: markdownText(view.message), wrap: true },
      { type: 'FactSet', facts: [...facts, { title: 'Expires', value: `{{DATE(${expires}, SHORT)}} {{TIME(${expires})}}` }] },
      ...(view.body ? [{ type: 'TextBlock', text: markdownText(view.body), fontType: 'Monospace', wrap: true, maxLines: 12, spacing: 'Medium' }] : []),
    ],
    actions: [
      { type: 'Action.OpenUrl', title: 'Approve', url: view.approveUrl, style: 'positive' },
      { type: 'Action.OpenUrl', title: 'Deny', url: view.denyUrl, style: 'destructive' },
    ],
  };
}

/** The body a Teams Workflows "When a Teams webhook request is received" flow expects. */
export function teamsMessage(card: AdaptiveCard): Record<string, unknown> {
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
}

/** Backslash-escapes what could make Markdown emphasis, code, links or a `{{DATE()}}` function, after `shown`. */
export function markdownText(text: string): string {
  return shown(text).replace(/[\\`*_{}[\]()<>]/g, (c) => `\\${c}`);
}
