// Streams are masked by meaning, not by line, through the http kind with a real upstream: a PEM
// key over several SSE data lines, secrets split across Anthropic-style content_block_delta
// events and Ollama-style NDJSON token lines, and files carried as base64 in a GitHub contents
// API body. Every secret is generated here; none may reach the agent or the session log, read
// as the agent would read it (tokens joined, base64 decoded).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '../../shared/sessions/index.js';
import { pemKey, secretSamples } from '../support/masking.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors:
  groups: [auditors]
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
  passing:
    kind: http
    upstream: \${TEST_UPSTREAM}
    streams: { unknown: pass }
rules:
  - { name: agents, match: { groups: agents }, action: allow }
`;

let stack: TestStack;
let upstream: TestUpstream;
let agent: string;
let auditor: string;

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url } });
  agent = await stack.token('agent-1', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

/** About twenty secrets of many formats, PEM private keys among them, fresh for each test. */
function secrets(): string[] {
  const samples = Object.values(secretSamples()).map((make) => make());
  return [...samples.slice(0, 18), pemKey('pkcs8'), pemKey('pkcs1')];
}

/** Writes `parts` one by one, as a streaming upstream does. */
function streams(path: string, contentType: string, parts: string[]) {
  upstream.route(path, async (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    for (const part of parts) {
      res.write(part);
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  });
}

/** What the agent got and what the session log recorded of the answer. */
async function through(path: string): Promise<{ status: number; body: string; logged: string }> {
  const session = `streams-${randomBytes(6).toString('hex')}`;
  const res = await fetch(`${stack.url}/api/proxy/api${path}`, { headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': session } });
  const body = await res.text();
  const log = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
  const record = (await log.json()) as { events: SessionEvent[] };
  const response = record.events.find((e) => e.type === 'response') as { payload?: { body?: string } } | undefined;
  return { status: res.status, body, logged: response?.payload?.body ?? JSON.stringify(record.events) };
}

/** The secrets found in `text`: a PEM key by any line of its body, other secrets whole. */
function leaks(all: string[], text: string): string[] {
  return all.filter((secret) => {
    if (!secret.startsWith('-----BEGIN')) return text.includes(secret);
    return secret.split('\n').slice(1, -2).some((line) => line.length > 20 && text.includes(line));
  });
}

/** The event parsed; none when the log's bounded copy cut it short. */
function parsed<T>(json: string): T[] {
  try {
    return [JSON.parse(json) as T];
  } catch {
    return [];
  }
}

const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

/** The JSON of every SSE event's data (data lines joined with \n). */
const sseData = (text: string) =>
  text
    .split(/\n\n/)
    .map((event) => event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(l[5] === ' ' ? 6 : 5)).join('\n'))
    .filter((data) => data.length > 0);

describe('streams are masked by meaning', () => {
  it('masks a PEM key spread over several SSE data lines, for the agent and in the log', async () => {
    const all = secrets();
    const events = all.map((secret) => `event: file\n${secret.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`);
    streams('/pem-events', 'text/event-stream', events);
    const { status, body, logged } = await through('/pem-events');
    assert.equal(status, 200);
    const agentText = sseData(body).join('\n');
    assert.deepEqual(leaks(all, agentText), [], 'leaked to the agent');
    assert.deepEqual(leaks(all, sseData(logged).join('\n')), [], 'leaked into the log');
    assert.match(body, /\[MASKED:private-key\]/);
  });

  it('masks secrets split across Anthropic-style content_block_delta events', async () => {
    const all = secrets();
    const text = `Here you are: ${all.join(' and ')} — done.`;
    const events = [
      `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', content: [] } })}\n\n`,
      `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
      ...pieces(text, 3).map((t) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } })}\n\n`),
      `event: content_block_stop\ndata: ${JSON.stringify({ type: 'content_block_stop', index: 0 })}\n\n`,
      `event: message_stop\ndata: ${JSON.stringify({ type: 'message_stop' })}\n\n`,
    ];
    streams('/anthropic', 'text/event-stream', events);
    const joined = (sse: string) =>
      sseData(sse)
        .flatMap((d) => parsed<{ type: string; delta?: { text?: string } }>(d))
        .filter((e) => e.type === 'content_block_delta')
        .map((e) => e.delta!.text)
        .join('');
    const { body, logged } = await through('/anthropic');
    const agentText = joined(body);
    assert.deepEqual(leaks(all, agentText), [], 'leaked to the agent');
    assert.deepEqual(leaks(all, joined(logged)), [], 'leaked into the log');
    assert.ok(agentText.startsWith('Here you are: [MASKED:') && agentText.endsWith('— done.'), agentText);
    // The stop event comes after every delta.
    assert.ok(body.lastIndexOf('content_block_delta') < body.indexOf('"content_block_stop"'));
  });

  it('masks secrets split across NDJSON token lines (Ollama)', async () => {
    const all = secrets();
    const text = `Keys: ${all.join(', ')}.`;
    const lines = [...pieces(text, 4).map((t) => JSON.stringify({ model: 'llama', response: t, done: false }) + '\n'), JSON.stringify({ model: 'llama', response: '', done: true }) + '\n'];
    streams('/ollama', 'application/x-ndjson', lines);
    const joined = (ndjson: string) =>
      ndjson
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .flatMap((l) => parsed<{ response: string }>(l))
        .map((e) => e.response)
        .join('');
    const { body, logged } = await through('/ollama');
    assert.deepEqual(leaks(all, joined(body)), [], 'leaked to the agent');
    assert.deepEqual(leaks(all, joined(logged)), [], 'leaked into the log');
    assert.ok(joined(body).startsWith('Keys: [MASKED:'));
  });

  it('masks the secrets of a file carried as base64 (GitHub contents API)', async () => {
    const all = secrets();
    const file = `# config\n${all.map((s, i) => `KEY_${i}=${s}`).join('\n')}\n`;
    const encoded = (Buffer.from(file).toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
    upstream.route('/repos/o/r/contents/.env', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ name: '.env', path: '.env', sha: 'a'.repeat(40), size: file.length, type: 'file', content: encoded, encoding: 'base64' }));
    });
    const decoded = (json: string) => Buffer.from((JSON.parse(json) as { content: string }).content, 'base64').toString();
    const { status, body, logged } = await through('/repos/o/r/contents/.env');
    assert.equal(status, 200);
    const file2 = decoded(body);
    assert.deepEqual(leaks(all, file2), [], 'leaked to the agent');
    assert.deepEqual(leaks(all, decoded(logged)), [], 'leaked into the log');
    assert.match(file2, /^# config\nKEY_0=\[MASKED:/);
    assert.match((JSON.parse(body) as { content: string }).content, /^[A-Za-z0-9+/=]{60}\n/);
  });

  it('refuses a stream it cannot judge, unless the connection passes unknown streams', async () => {
    const token = secretSamples()['github-token']!();
    streams('/octets', 'application/octet-stream', pieces(`token ${token}`, 5));
    const refused = await through('/octets');
    assert.equal(refused.status, 502);
    assert.equal((JSON.parse(refused.body) as { type: string }).type, 'urn:portcullis:problem:unmaskable-response');
    assert.ok(!refused.body.includes(token));
    const passed = await fetch(`${stack.url}/api/proxy/passing/octets`, { headers: { authorization: `Bearer ${agent}` } });
    assert.equal(passed.status, 200);
    assert.equal(await passed.text(), `token ${token}`);
  });

  it('cuts a text stream that is not text (UTF-16 without a charset), and refuses such JSON', async () => {
    const token = secretSamples()['aws-access-key-id']!();
    const utf16 = Buffer.from(`key ${token}\n`, 'utf16le').toString('latin1');
    streams('/utf16', 'text/plain', ['hello\n', ...pieces(utf16, 7)]);
    const res = await fetch(`${stack.url}/api/proxy/api/utf16`, { headers: { authorization: `Bearer ${agent}` } });
    const got = await res.text().catch(() => '');
    assert.ok(!got.replace(/\0/g, '').includes(token), JSON.stringify(got));
    upstream.route('/utf16.json', (_req, res2) => {
      res2.writeHead(200, { 'content-type': 'application/json' });
      res2.end(Buffer.from(JSON.stringify({ key: `k ${token}` }), 'utf16le'));
    });
    const refused = await through('/utf16.json');
    assert.equal(refused.status, 502);
  });

  it('refuses a body in a content encoding it cannot decode', async () => {
    upstream.route('/zstd', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'zstd', 'content-length': '8' });
      res.end(randomBytes(8));
    });
    const refused = await through('/zstd');
    assert.equal(refused.status, 502);
  });
});
