import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as AdaptiveCards from 'adaptivecards';
import { approvalCard, markdownText, teamsMessage, type CardView } from './card.js';

const view: CardView = {
  requester: 'agent-7 (https://issuer.example)',
  connection: 'inventory',
  operation: 'DELETE /items/[**masked**](https://evil.example)',
  rule: 'review-deletes',
  message: 'Deleting inventory needs a human',
  expiresAt: '2030-01-01T10:30:00.123Z',
  required: 1,
  groups: ['reviewers'],
  body: '{"id": 42, "token": "[masked]"}',
  approveUrl: 'https://gw.example/api/review/inventory.abc?t=approve-token',
  denyUrl: 'https://gw.example/api/review/inventory.abc?t=deny-token',
};

/** Parses and validates with the Adaptive Cards library, returning every problem it reports. */
function validate(json: unknown): { card: AdaptiveCards.AdaptiveCard; problems: string[] } {
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const event of card.validateProperties().validationEvents) problems.push(event.message);
  return { card, problems };
}

describe('approval card', () => {
  it('is a valid Adaptive Card 1.4 with Approve and Deny links, by the Adaptive Cards library', () => {
    const { card, problems } = validate(approvalCard(view));
    assert.deepEqual(problems, []);
    assert.equal(card.version?.toString(), '1.4');
    const actions = [0, 1].map((i) => card.getActionAt(i));
    assert.ok(actions.every((a) => a instanceof AdaptiveCards.OpenUrlAction));
    assert.deepEqual(actions.map((a) => [a!.title, (a as AdaptiveCards.OpenUrlAction).url]), [['Approve', view.approveUrl], ['Deny', view.denyUrl]]);
  });

  it('reports a broken card, so the check above means something', () => {
    const broken = approvalCard(view) as { actions: Array<Record<string, unknown>>; body: unknown[] };
    delete broken.actions[0]!.url;
    broken.body.push({ type: 'NoSuchElement' });
    assert.equal(validate(broken).problems.length, 2);
  });

  it('shows requester, connection, operation, rule, its message, reviewers and the expiry', () => {
    const text = JSON.stringify(approvalCard(view));
    for (const fact of ['Requester', 'Connection', 'Operation', 'Rule', 'Reviewers', 'Expires']) assert.ok(text.includes(`"title":"${fact}"`), fact);
    assert.ok(text.includes('Deleting inventory needs a human'));
    assert.ok(text.includes('{{DATE(2030-01-01T10:30:00Z, SHORT)}}'), 'Teams date functions want whole seconds');
  });

  it('says which credential the approved request runs with, when the connection has tiers', () => {
    const facts = (card: ReturnType<typeof approvalCard>) => (card.body as Array<{ facts?: Array<{ title: string; value: string }> }>)[2]!.facts!;
    assert.equal(facts(approvalCard(view)).find((f) => f.title === 'Credential'), undefined);
    const elevated = approvalCard({ ...view, credential: 'Runs with the admin credential once approved (the rule elevates it from write)' });
    assert.deepEqual(validate(elevated).problems, []);
    assert.equal(facts(elevated).find((f) => f.title === 'Credential')?.value, 'Runs with the admin credential once approved \\(the rule elevates it from write\\)');
  });

  it('escapes Markdown in requester-controlled text, so a path cannot become a link', () => {
    const operation = (approvalCard(view).body as Array<{ facts?: Array<{ title: string; value: string }> }>)[2]!.facts!.find((f) => f.title === 'Operation')!.value;
    assert.equal(operation, 'DELETE /items/\\[\\*\\*masked\\*\\*\\]\\(https://evil.example\\)');
    assert.equal(markdownText('{{DATE(x)}}'), '\\{\\{DATE\\(x\\)\\}\\}');
  });

  it('shows bidi overrides and other invisible characters as escapes, keeping the body\'s lines', () => {
    const card = approvalCard({ ...view, operation: 'DELETE /items/\u202efdp.exe', message: 'zero\u200bwidth \u2066isolate\u2069', body: '{\n\t"target": "prod \u202etset"\n}' });
    const text = JSON.stringify(card);
    assert.ok(!/[\u202e\u200b\u2066\u2069]/.test(text), 'no invisible character is left raw');
    const facts = (card.body as Array<{ facts?: Array<{ title: string; value: string }> }>)[2]!.facts!;
    assert.equal(facts.find((f) => f.title === 'Operation')!.value, 'DELETE /items/\\\\u202efdp.exe', 'Markdown shows the escape, its backslash escaped');
    assert.equal((card.body as Array<{ text?: string }>)[1]!.text, 'zero\\\\u200bwidth \\\\u2066isolate\\\\u2069');
    assert.equal((card.body as Array<{ text?: string }>)[3]!.text, '\\{\n\t"target": "prod \\\\u202etset"\n\\}');
  });

  it('travels in the message shape of a Teams Workflows webhook', () => {
    const card = approvalCard(view);
    assert.deepEqual(teamsMessage(card), { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] });
  });
});
