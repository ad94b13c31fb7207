// PORTCULLIS_REVIEW_AUTH=appservice on a deployment where App Service Authentication is off: the
// client-principal header is not trusted, so nobody can review through the page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cardLink, cardsFor, holdRequest, startApprovalStack, waitFor, type ApprovalStack } from './support.js';

let s: ApprovalStack;

before(async () => {
  s = await startApprovalStack({ env: { PORTCULLIS_REVIEW_AUTH: 'appservice' } });
});

after(async () => {
  await s?.stop();
});

describe('review page with App Service Authentication turned off', () => {
  it('refuses to trust a forged x-ms-client-principal', async () => {
    const held = await holdRequest(s, 'items/50', await s.token('agent-7', ['agents']));
    const [message] = await waitFor('the card', () => cardsFor(s, held.id).length > 0 && cardsFor(s, held.id));
    const forged = Buffer.from(
      JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'mallory' }, { typ: 'groups', val: 'reviewers' }] }),
    ).toString('base64');
    const res = await fetch(cardLink(message!, 'Approve'), { headers: { 'x-ms-client-principal': forged } });
    assert.equal(res.status, 503);
    assert.match(await res.text(), /App Service Authentication is not turned on/);
  });
});
