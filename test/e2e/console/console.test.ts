// The web console in headless Chromium on the local stack: a reviewer signs in, finds a held
// request in the inbox and approves it; an auditor lists sessions, opens one's timeline (decision,
// rule, approval and who decided, verified chain), and sees a tampered session shown broken.
// Screenshots go to test-results/screenshots/ (git-ignored).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAll } from '../../../cli/dev/start-all.js';
import { blobPath, SESSION_CONTAINER } from '../../../shared/sessions/names.js';
import { holdRequest, startApprovalStack, waitFor, type ApprovalStack } from '../../integration/approvals/support.js';
import { needBinary } from '../../support/binaries.js';
import { decideOnPage, launchChromium, openReviewLink } from '../approvals/browser.js';

const SHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const chromium = await needBinary('chromium');

let s: ApprovalStack;
let browser: Browser;
let agent: string;
const sessionId = `console-${randomUUID()}`;

before(async () => {
  const executable = chromium.path;
  if (executable === undefined) return;
  await mkdir(SHOTS, { recursive: true });
  [s, browser] = await startAll(
    { start: () => startApprovalStack(), stop: (stack) => stack.stop() },
    { start: () => launchChromium(executable), stop: (b) => b.close() },
  );
  agent = await s.token('agent-7', ['agents']);
});

after(async () => {
  await browser?.close();
  await s?.stop();
});

async function signedIn(who: { subject: string; groups: string[] }, path: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const status = await openReviewLink(page, `${s.stack.url}${path}`, who);
  assert.equal(status, 200, await page.content());
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: true });

describe('web console', { skip: chromium.skip }, () => {
  it('inbox → approve: the reviewer finds the held request, with operation, requester, rule, age and expiry, and approves it', async () => {
    const held = await holdRequest(s, 'items/42', agent, { headers: { 'x-portcullis-session': sessionId } });
    const page = await signedIn({ subject: 'rita', groups: ['reviewers'] }, '/api/review/inbox');
    const row = page.locator(`tr[data-approval="${held.id}"]`);
    assert.equal(await row.count(), 1, await page.content());
    const text = await row.innerText();
    assert.match(text, /DELETE \/items\/42/);
    assert.match(text, /agent-7/);
    assert.match(text, /review-deletes/);
    assert.match(text, /\d+ (s|min)/);
    assert.ok(await row.locator('time[datetime]').count());
    await shot(page, 'inbox');

    // Keyboard: the approve link is reachable with Tab and opens the review page with Enter.
    const approve = row.getByRole('link', { name: /approve/i });
    await approve.focus();
    await Promise.all([page.waitForLoadState(), page.keyboard.press('Enter')]);
    await page.waitForURL(/\/api\/review\/[^/]+\?t=/);
    assert.equal(await decideOnPage(page, 'from the inbox'), 200);
    await shot(page, 'approved');

    await page.goto(`${s.stack.url}/api/review/inbox`);
    assert.equal(await page.locator(`tr[data-approval="${held.id}"]`).count(), 0, 'decided: no longer in the inbox');
    await page.context().close();
  });

  it('sessions → timeline: the auditor filters the sessions, opens one and reads its events, decisions and approvals', async () => {
    const page = await signedIn({ subject: 'audrey', groups: ['auditors'] }, '/api/review/sessions');
    // Every field of the filter form has a label.
    for (const input of await page.locator('form input, form select').all()) {
      assert.ok(await input.evaluate((el) => (el as unknown as { closest(s: string): unknown }).closest('label') !== null), 'labelled');
    }
    await page.fill('input[name=connection]', 'api');
    await Promise.all([page.waitForLoadState(), page.click('form button[type=submit]')]);
    const link = page.getByRole('link', { name: sessionId });
    await waitFor('the session in the list', async () => (await link.count()) > 0 || (await page.reload(), false));
    await shot(page, 'sessions');
    await Promise.all([page.waitForLoadState(), link.first().click()]);

    await waitFor('the approval decided and the request carried out', async () => {
      const types = await page.locator('ol.timeline > li').evaluateAll((items) => items.map((i) => (i as unknown as { dataset: { type: string } }).dataset.type));
      if (types.includes('approval.decided') && types.includes('response')) return true;
      await page.reload();
      return false;
    });
    assert.equal(await page.locator('[data-chain=verified]').count(), 1);
    const timeline = await page.locator('ol.timeline').innerText();
    assert.match(timeline, /review by rule review-deletes/);
    assert.match(timeline, /decided by rita/);
    assert.match(timeline, /from the inbox/);
    await shot(page, 'timeline');
    await page.context().close();
  });

  it('shows a tampered session broken, saying where', async () => {
    const blobs = BlobServiceClient.fromConnectionString(s.stack.azurite.connectionString);
    const day = new Date().toISOString().slice(0, 10);
    await blobs.getContainerClient(SESSION_CONTAINER).getAppendBlobClient(blobPath(day, sessionId)).appendBlock('{"forged":true}\n', 16);
    const page = await signedIn({ subject: 'audrey', groups: ['auditors'] }, `/api/review/sessions/${sessionId}`);
    const broken = page.locator('[data-chain=broken]');
    assert.equal(await broken.count(), 1, await page.content());
    assert.match(await broken.innerText(), /line \d+/);
    await shot(page, 'tampered');
    await page.context().close();
  });

  it('keeps the sessions to auditors', async () => {
    const page = await (await browser.newContext()).newPage();
    assert.equal(await openReviewLink(page, `${s.stack.url}/api/review/sessions`, { subject: 'rita', groups: ['reviewers'] }), 403);
    await page.context().close();
  });
});
