// Benchmark inputs, built at run time from a fixed seed: a JSON API response, log text and an
// LLM-style SSE stream, each about 1 MB with a few secrets and PII values in it.
import { ALNUM, BASE64, DIGITS, HEX, LOWER, pick, randomFrom, secretSamples, seeded } from '../../test/support/masking.js';

const MB = 1 << 20;
const random = seeded(20240501);
const r = (alphabet: string, n: number) => randomFrom(alphabet, n, random);
const WORDS = 'the a service request deploy cluster build agent review merge branch cache queue worker token key access secret index value order customer invoice region storage network policy'.split(' ');
const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS, random)).join(' ');

/** A few secrets of different kinds, to be planted in each input. */
function plants(): string[] {
  const samples = secretSamples(random);
  return [samples['github-token']!(), samples['aws-access-key-id']!(), samples['jwt']!(), samples['openai-api-key']!(), 'jane.doe@example.com'];
}

/** A connection's credential, as the gateway would send upstream: no rule detects it. */
export const credential = () => r(BASE64, 40);

/** A GitHub-style list of repositories, about 1 MB. */
export function jsonResponse(): string {
  const secrets = plants();
  const repos: unknown[] = [];
  let size = 2;
  for (let id = 1; size < MB; id++) {
    const name = `${pick(WORDS, random)}-${r(LOWER, 6)}`;
    const repo = {
      id: 100000 + id,
      node_id: 'R_' + r(ALNUM, 14),
      name,
      full_name: `octo-org/${name}`,
      private: random() < 0.3,
      owner: { login: 'octo-org', id: 9919, type: 'Organization', avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4', html_url: 'https://github.com/octo-org' },
      html_url: `https://github.com/octo-org/${name}`,
      description: id % 400 === 0 ? `config notes: ${secrets[(id / 400) % secrets.length]}` : sentence(10),
      fork: false,
      url: `https://api.github.com/repos/octo-org/${name}`,
      keys_url: `https://api.github.com/repos/octo-org/${name}/keys{/key_id}`,
      created_at: '2021-03-0' + (id % 9 + 1) + 'T10:12:' + String(id % 60).padStart(2, '0') + 'Z',
      pushed_at: '2024-11-2' + (id % 9) + 'T08:00:00Z',
      size: Math.floor(random() * 90000),
      stargazers_count: Math.floor(random() * 5000),
      language: pick(['TypeScript', 'Go', 'Python', 'Rust', 'C#'], random),
      topics: [pick(WORDS, random), pick(WORDS, random)],
      default_branch: 'main',
      permissions: { admin: false, push: true, pull: true },
      sha: r(HEX, 40),
    };
    const text = JSON.stringify(repo);
    size += text.length + 1;
    repos.push(repo);
  }
  return JSON.stringify(repos);
}

/** Application log lines, about 1 MB. */
export function logText(): string {
  const secrets = plants();
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < MB; i++) {
    const ts = `2024-05-01T12:${String((i / 60) % 60 | 0).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`;
    const level = pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'], random);
    let line = `${ts} ${level.padEnd(5)} [${r(HEX, 8)}] ${pick(['GET', 'POST', 'PUT'], random)} /api/v1/${pick(WORDS, random)}/${r(DIGITS, 5)} ${pick(['200', '201', '404', '500'], random)} ${r(DIGITS, 3)}ms bytes=${r(DIGITS, 4)} ${sentence(6)}`;
    if (i % 700 === 0) line += ` auth=${secrets[(i / 700) % secrets.length]}`;
    if (i % 97 === 0) line += ` client=10.0.${i % 250}.${(i * 7) % 250}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

/** An OpenAI-style chat completion stream: 10,000 SSE events, one per chunk. */
export function sseChunks(): Uint8Array[] {
  const encoder = new TextEncoder();
  const secret = plants()[0]!;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < 10000; i++) {
    const content = i === 5000 ? secret : `${pick(WORDS, random)} `;
    const event = { id: 'chatcmpl-' + 'A1b2C3', object: 'chat.completion.chunk', created: 1714567890, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: null }] };
    chunks.push(encoder.encode(`data: ${JSON.stringify(event)}\n\n`));
  }
  chunks.push(encoder.encode('data: [DONE]\n\n'));
  return chunks;
}
