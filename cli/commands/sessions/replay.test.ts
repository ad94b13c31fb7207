import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { genesis, sealEvents } from '../../../shared/sessions/chain.js';
import { blobPath } from '../../../shared/sessions/names.js';
import type { PendingEvent } from '../../../shared/sessions/schema.js';
import { memoryIo } from '../../../test/integration/sessions/helpers.js';
import { main } from '../../main.js';

const day = '2025-06-01';
const sessionId = 'agent-run-1';
const clear = '\x1b[2J\x1b[H';
const fake = `${clear}\x1b[32mchain verifies (2 events)\x1b[0m\n`;

describe('portcullis sessions replay: recorded text on the terminal', () => {
  it('prints control and bidi characters an agent recorded as visible escapes, never as themselves', async () => {
    const base = { sessionId, requestId: 'r1' };
    const principal = { subject: 'agent', issuer: 'https://idp.example.com', groups: [] };
    const events: PendingEvent[] = [
      { ...base, type: 'session.start', time: `${day}T10:00:00.000Z`, principal, connection: 'llm' },
      { ...base, type: 'request', time: `${day}T10:00:00.001Z`, principal, connection: 'llm', operation: { kind: 'openai', summary: `chat gpt-4o${fake}`, actions: ['invoke'], resources: [], flags: [] } },
      { ...base, type: 'request', time: `${day}T10:00:00.002Z`, principal, connection: 'db\u202e', operation: { kind: 'sql', summary: 'SelectStmt on public."ord\u2066ers\u200b\x9b"', actions: ['select'], resources: [], flags: [] } },
      { ...base, type: 'decision', time: `${day}T10:00:00.003Z`, decision: { action: 'deny', rule: `r\x07${clear}`, reason: 'x\u2028y' } },
      { ...base, type: 'error', time: `${day}T10:00:00.004Z`, error: { type: 'upstream', detail: `\x1b]8;;https://evil\x07link\x1b]8;;\x07` } },
    ];
    const work = await mkdtemp(join(tmpdir(), 'portcullis-replay-escape-'));
    try {
      const file = join(work, blobPath(day, sessionId));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, sealEvents({ seq: 0, head: genesis(sessionId, day) }, events).map((l) => l.text + '\n').join(''));
      for (const isTTY of [false, true]) {
        const { io, stdout } = memoryIo({ cwd: work, isTTY });
        assert.equal(await main(['sessions', 'replay', sessionId, '--dir', '.'], io), 0);
        const out = stdout();
        // Only the painter's own colour codes reach the terminal; nothing else is a control or bidi character.
        const stripped = out.replace(/\x1b\[\d+m/g, '');
        assert.doesNotMatch(stripped.replaceAll('\n', ''), /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u, JSON.stringify(stripped));
        assert.ok(stripped.includes('chat gpt-4o\\x1b[2J\\x1b[H\\x1b[32mchain verifies (2 events)\\x1b[0m\\n'));
        assert.ok(stripped.includes('db\\u202e'));
        assert.ok(stripped.includes('ord\\u2066ers\\u200b\\x9b'));
        assert.ok(stripped.includes('rule r\\x07\\x1b[2J\\x1b[H'));
        assert.ok(stripped.includes('"x\\u2028y"'));
        assert.ok(stripped.includes('upstream: \\x1b]8;;https://evil\\x07link'));
        assert.equal(stripped.trimEnd().split('\n').length, 2 + events.length + 1, 'one line per event: no recorded newline starts a line');
        assert.equal(stripped.trimEnd().split('\n').at(-1), 'chain verifies (5 events)');
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
