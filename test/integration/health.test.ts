// GET /api/health: 200 with every dependency's status, 503 naming the one that is down.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ policy: `${DEV_ISSUER_POLICY}\nconnections: {}\n` });
});

after(() => stack?.stop());

interface Report {
  status: string;
  dependencies: Record<string, { status: string; error?: string }>;
}

const health = async () => {
  const res = await fetch(`${stack.url}/api/health`);
  return { status: res.status, body: (await res.json()) as Report };
};

describe('health', () => {
  it('answers 200 with blob, table, Service Bus and policy up', async () => {
    const { status, body } = await health();
    assert.equal(status, 200);
    assert.equal(body.status, 'healthy');
    assert.deepEqual(Object.keys(body.dependencies).sort(), ['blob', 'policy', 'serviceBus', 'table']);
    assert.ok(Object.values(body.dependencies).every((d) => d.status === 'up'));
  });

  it('answers 503 naming Service Bus when it is down', async () => {
    await stack.serviceBus.close();
    const { status, body } = await health();
    assert.equal(status, 503);
    assert.equal(body.dependencies.serviceBus?.status, 'down');
    assert.equal(body.dependencies.blob?.status, 'up');
  });

  it('answers 503 naming storage when Azurite is down, without echoing host names', async () => {
    await stack.azurite.stop();
    const { status, body } = await health();
    assert.equal(status, 503);
    assert.equal(body.dependencies.blob?.status, 'down');
    assert.equal(body.dependencies.table?.status, 'down');
    assert.ok(!JSON.stringify(body).includes('127.0.0.1'));
  });
});
