// Headless Chromium for the approvals e2e tests (PORTCULLIS_CHROMIUM, a system install, or the one
// @sparticuz/chromium ships: cli/dev/binaries.ts), and the reviewer's steps on the review page.
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens a card link and signs in with the dev sign-in when asked; returns the review page's status. */
export async function openReviewLink(page: Page, link: string, who: { subject: string; groups: string[] }): Promise<number> {
  const first = await page.goto(link);
  if (!new URL(page.url()).pathname.endsWith('/review/sign-in')) return first!.status();
  await page.fill('#subject', who.subject);
  await page.fill('#groups', who.groups.join(', '));
  const [landed] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/review/') && r.request().method() === 'GET' && !r.url().includes('sign-in')), page.click('button[type=submit]')]);
  await page.waitForLoadState();
  return landed.status();
}

/** Fills in the reason and presses the page's one decision button; returns the result page's status. */
export async function decideOnPage(page: Page, reason?: string): Promise<number> {
  if (reason) await page.fill('#reason', reason);
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form button[type=submit]')]);
  await page.waitForLoadState();
  return response.status();
}

/** Renders an Adaptive Card with the library's browser bundle, returning the buttons it shows. */
export async function renderCard(page: Page, card: unknown): Promise<string[]> {
  const bundle = createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js');
  await page.setContent('<!doctype html><html><body><div id="card"></div></body></html>');
  await page.addScriptTag({ path: bundle });
  return page.evaluate((json) => {
    // Runs in the page: its globals are the browser's, which this project's TypeScript lib omits.
    const page = globalThis as unknown as {
      AdaptiveCards: typeof import('adaptivecards');
      document: { getElementById(id: string): { appendChild(node: unknown): void }; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
    };
    const adaptive = new page.AdaptiveCards.AdaptiveCard();
    adaptive.parse(json);
    const rendered = adaptive.render();
    if (!rendered) throw new Error('the card did not render');
    page.document.getElementById('card').appendChild(rendered);
    return Array.from(page.document.querySelectorAll('#card button'), (b) => b.textContent ?? '');
  }, card);
}
