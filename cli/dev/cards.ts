// The dev stack's stand-in for the Teams webhook: it takes the approval cards the app posts, prints
// each card's review links to the console and serves the card rendered at a local URL, so that a
// held request reaches a reviewer without Teams.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html, layout, type Html } from '../../shared/approvals/html.js';
import { visible } from '../../shared/platform/terminal-text.js';

export interface ShownCard {
  title: string;
  text: string[];
  facts: Array<{ title: string; value: string }>;
  actions: Array<{ title: string; url: string }>;
  at: string;
}

export interface CardSink {
  /** Where the app posts cards (PORTCULLIS_TEAMS_WEBHOOK_URL). */
  webhookUrl: string;
  /** The list of cards received, each a link to the card. */
  url: string;
  cards: ShownCard[];
  close(): Promise<void>;
}

const MAX_CARD_BYTES = 256 * 1024;

/** Teams renders Markdown; the app escapes it with backslashes, shown here as plain text. */
const unescapeMarkdown = (text: string) => text.replace(/\\([\\`*_{}[\]()<>])/g, '$1');

/** A `{{DATE(…)}} {{TIME(…)}}` that Teams would format: the instant itself, here. */
const teamsDates = (text: string) => text.replace(/\{\{(?:DATE|TIME)\(([^,)]+)(?:, \w+)?\)\}\}(?: \{\{TIME\([^)]*\)\}\})?/g, '$1');

/** What a Teams Workflows webhook message holds, read leniently: a card shown, never trusted. */
export function readCard(message: unknown, at: string): ShownCard | undefined {
  const attachments = (message as { attachments?: Array<{ content?: unknown }> } | null)?.attachments;
  const card = attachments?.[0]?.content as { body?: unknown[]; actions?: unknown[] } | undefined;
  if (!card || !Array.isArray(card.body)) return undefined;
  const text: string[] = [];
  const facts: ShownCard['facts'] = [];
  for (const block of card.body as Array<Record<string, unknown>>) {
    if (block.type === 'TextBlock' && typeof block.text === 'string') text.push(unescapeMarkdown(block.text));
    if (block.type === 'FactSet' && Array.isArray(block.facts)) {
      for (const fact of block.facts as Array<Record<string, unknown>>) {
        facts.push({ title: String(fact.title ?? ''), value: teamsDates(unescapeMarkdown(String(fact.value ?? ''))) });
      }
    }
  }
  const actions = ((card.actions ?? []) as Array<Record<string, unknown>>)
    .filter((a) => a.type === 'Action.OpenUrl' && typeof a.url === 'string' && /^https?:\/\//.test(a.url))
    .map((a) => ({ title: String(a.title ?? 'Open'), url: String(a.url) }));
  return { title: text[0] ?? 'Card', text: text.slice(1), facts, actions, at };
}

export async function startCardSink(options: { host?: string; print: (line: string) => void }): Promise<CardSink> {
  const cards: ShownCard[] = [];
  let base = '';
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, 'text/plain', 'card sink error'));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://sink').pathname;
    if (req.method === 'POST' && path === '/webhook') {
      const body = await readBody(req);
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch {
        return send(res, 400, 'text/plain', 'not JSON');
      }
      const card = readCard(message, new Date().toISOString());
      if (!card) return send(res, 400, 'text/plain', 'no Adaptive Card in the message');
      cards.push(card);
      const at = `${base}/cards/${cards.length}`;
      const operation = card.facts.find((f) => f.title === 'Operation')?.value ?? '';
      options.print(
        [`review card ${cards.length}: ${visible(card.text[0] ?? card.title)} — ${visible(operation)}`, `  card     ${at}`, ...card.actions.map((a) => `  ${a.title.toLowerCase().padEnd(8)} ${a.url}`)].join('\n'),
      );
      return send(res, 202, 'text/plain', 'accepted');
    }
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    if (path === '/' || path === '/cards') return page(res, listPage(cards));
    const n = /^\/cards\/(\d+)$/.exec(path);
    const card = n ? cards[Number(n[1]) - 1] : undefined;
    if (!card) return send(res, 404, 'text/plain', 'no such card');
    return page(res, cardPage(card, Number(n![1])));
  };
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, options.host ?? '127.0.0.1', done);
  });
  const { port, address } = server.address() as AddressInfo;
  base = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    webhookUrl: `${base}/webhook`,
    url: `${base}/cards`,
    cards,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function listPage(cards: ShownCard[]): Html {
  return layout(
    'Review cards',
    html`<h1>Review cards</h1>
      ${cards.length === 0
        ? html`<p>No card yet: a request held for review posts one here.</p>`
        : html`<ol>${cards.map((c, i) => html`<li><a href="/cards/${i + 1}">${c.text[0] ?? c.title}</a> — ${c.facts.find((f) => f.title === 'Operation')?.value ?? ''} <small>(${c.at})</small></li>`)}</ol>`}`,
  );
}

function cardPage(card: ShownCard, n: number): Html {
  return layout(
    `Review card ${n}`,
    html`<h1>${card.title}</h1>
      ${card.text.map((t) => html`<p style="white-space: pre-wrap">${t}</p>`)}
      <dl>${card.facts.map((f) => html`<dt>${f.title}</dt><dd>${f.value}</dd>`)}</dl>
      <p>${card.actions.map((a) => html`<a href="${a.url}">${a.title}</a> `)}</p>
      <p><a href="/cards">All cards</a></p>`,
  );
}

function page(res: ServerResponse, body: Html): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body.text);
}

function send(res: ServerResponse, status: number, type: string, text: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': type });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_CARD_BYTES) throw new Error('card too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
