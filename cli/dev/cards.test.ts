import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvalCard, teamsMessage } from '../../shared/approvals/card.js';
import { postToTeams } from '../../shared/approvals/teams.js';
import { startCardSink } from './cards.js';

const view = {
  requester: 'agent-7 (https://issuer.example)',
  connection: 'example-api',
  operation: 'DELETE /items/1 <script>alert(1)</script>',
  rule: 'review-deletes',
  message: 'Deletes need a *human*',
  expiresAt: '2030-01-01T10:00:00.000Z',
  required: 1,
  groups: ['reviewers'],
  body: '{"id":1}',
  approveUrl: 'http://127.0.0.1:7071/api/approvals/a1/review?t=approve-token',
  denyUrl: 'http://127.0.0.1:7071/api/approvals/a1/review?t=deny-token',
};

describe('dev card sink: review cards without Teams', () => {
  it('prints each card\'s review links and serves the card rendered, requester text kept as text', async () => {
    const printed: string[] = [];
    const sink = await startCardSink({ print: (line) => printed.push(line) });
    try {
      await postToTeams(sink.webhookUrl, teamsMessage(approvalCard(view)));
      assert.equal(printed.length, 1);
      assert.match(printed[0]!, /Deletes need a \*human\*/);
      assert.ok(printed[0]!.includes(`approve  ${view.approveUrl}`), printed[0]);
      assert.ok(printed[0]!.includes(`deny     ${view.denyUrl}`), printed[0]);
      const cardUrl = /^  card\s+(\S+)/m.exec(printed[0]!)![1]!;

      const page = await fetch(cardUrl);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      const text = await page.text();
      assert.ok(text.includes(`href="${view.approveUrl}"`) && text.includes(`href="${view.denyUrl}"`));
      assert.ok(text.includes('&lt;script&gt;alert\\(1\\)') || text.includes('&lt;script&gt;alert(1)'), 'the operation is escaped');
      assert.ok(!text.includes('<script>'));
      assert.ok(text.includes('review-deletes') && text.includes('2030-01-01T10:00:00Z'));

      const list = await (await fetch(sink.url)).text();
      assert.ok(list.includes('href="/cards/1"'));
      assert.equal((await fetch(sink.url.replace(/cards$/, 'cards/2'))).status, 404);
    } finally {
      await sink.close();
    }
  });

  it('refuses what is not a card, and shows no link that is not http(s)', async () => {
    const sink = await startCardSink({ print: () => undefined });
    try {
      const bad = await fetch(sink.webhookUrl, { method: 'POST', body: 'nope' });
      assert.equal(bad.status, 400);
      await postToTeams(sink.webhookUrl, teamsMessage(approvalCard({ ...view, approveUrl: 'javascript:alert(1)' })));
      assert.deepEqual(sink.cards[0]!.actions.map((a) => a.title), ['Deny']);
    } finally {
      await sink.close();
    }
  });
});
