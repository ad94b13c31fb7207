// Connecting: the emulator-style connection string, CBS, refusing undeclared queues, checking
// options, and closing without leaving anything behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { isServiceBusError } from '@azure/service-bus';
import rhea from 'rhea';
import { openBus } from './harness.js';
import { ServiceBusDoubleOptionsError, startServiceBusDouble } from './index.js';

test('the SDK authorizes over CBS and sends with the emulator-style connection string', async (t) => {
  const { double, client } = await openBus(t, [{ name: 'orders' }]);
  assert.equal(
    double.connectionString,
    `Endpoint=sb://127.0.0.1:${double.port};SharedAccessKeyName=RootManageSharedAccessKey;` +
      'SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true',
  );
  // The SDK attaches no link before its put-token on $cbs succeeds, so a send proves both.
  await client.createSender('orders').sendMessages({ body: 'hello' });
  assert.equal((await client.createReceiver('orders').peekMessages(1)).length, 1);
});

test('a CBS put-token is answered with status 200 on the reply link', async (t) => {
  const double = await startServiceBusDouble({ queues: [{ name: 'orders' }] });
  const connection = rhea.create_container().connect({ host: '127.0.0.1', port: double.port, username: 'RootManageSharedAccessKey' });
  t.after(async () => {
    await closed(connection);
    await double.close();
  });
  const replies = connection.open_receiver({ source: { address: '$cbs' }, target: { address: 'cbs-reply' }, name: 'cbs-reply' });
  const requests = connection.open_sender({ target: { address: '$cbs' } });
  const reply = new Promise<rhea.Message>((resolve) => replies.once('message', (context: rhea.EventContext) => resolve(context.message!)));
  requests.once('sendable', () =>
    requests.send({
      message_id: 'req-1',
      reply_to: 'cbs-reply',
      body: 'SharedAccessSignature sr=…',
      application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: 'sb://127.0.0.1/orders' },
    }),
  );
  const message = await reply;
  assert.equal(message.correlation_id, 'req-1');
  assert.equal(message.application_properties?.['status-code'], 200);
});

test('sending to an undeclared queue fails with MessagingEntityNotFound naming the declared queues', async (t) => {
  const { client } = await openBus(t, [{ name: 'orders' }, { name: 'approvals' }]);
  await assert.rejects(client.createSender('ordres').sendMessages({ body: 'x' }), (error) => {
    assert.ok(isServiceBusError(error));
    assert.equal(error.code, 'MessagingEntityNotFound');
    assert.match(error.message, /'sb:\/\/127\.0\.0\.1:\d+\/ordres' could not be found.*'orders', 'approvals'/);
    return true;
  });
});

test('receiving from an undeclared queue fails with MessagingEntityNotFound', async (t) => {
  const { client } = await openBus(t, [{ name: 'orders' }]);
  await assert.rejects(
    client.createReceiver('nope').receiveMessages(1, { maxWaitTimeInMs: 1_000 }),
    (error) => isServiceBusError(error) && error.code === 'MessagingEntityNotFound',
  );
});

test('bad options are refused with one error listing every problem', async () => {
  await assert.rejects(
    startServiceBusDouble({
      queues: [{ name: 'orders' }, { name: 'Orders', maxDeliveryCount: 0 }, { name: '-bad', lockDurationMs: -5 }],
      port: 70_000,
    }),
    (error) => {
      assert.ok(error instanceof ServiceBusDoubleOptionsError);
      assert.deepEqual(error.problems.map((p) => p.split(':')[0]), [
        'queues.1.maxDeliveryCount',
        'queues.2.name',
        'queues.2.lockDurationMs',
        'port',
        'queues.1.name',
      ]);
      assert.match(error.message, /5 problems/);
      return true;
    },
  );
});

test('close() ends connected clients and leaves no handle that keeps the process alive', async () => {
  // In a child process that must exit by itself: a client still connected, a message locked for
  // 30 s and another scheduled an hour out, then close().
  const script = `
    import { ServiceBusClient } from '@azure/service-bus';
    import { startServiceBusDouble } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
    const double = await startServiceBusDouble({ queues: [{ name: 'q' }] });
    const client = new ServiceBusClient(double.connectionString);
    const sender = client.createSender('q');
    await sender.scheduleMessages({ body: 'later' }, new Date(Date.now() + 3_600_000));
    await sender.sendMessages({ body: 'now' });
    const [locked] = await client.createReceiver('q').receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    if (!locked) throw new Error('no message received');
    const started = Date.now();
    await double.close();
    console.log('closed in', Date.now() - started, 'ms');
    await client.close();
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exit;
  clearTimeout(killer);
  assert.equal(code, 0, `the child did not exit cleanly by itself:\n${output}`);
  assert.match(output, /closed in \d+ ms/);
});

function closed(connection: rhea.Connection): Promise<void> {
  return new Promise((resolve) => {
    connection.once('connection_close', () => resolve());
    connection.close();
  });
}

test('a session receiver is refused, since the double has no message sessions', async (t) => {
  const { client } = await openBus(t, [{ name: 'orders' }]);
  await assert.rejects(client.acceptNextSession('orders'), /Message sessions are not supported by the Service Bus double/);
});

test('starting on a port already in use fails with EADDRINUSE', async (t) => {
  const first = await startServiceBusDouble({ queues: [] });
  t.after(() => first.close());
  await assert.rejects(startServiceBusDouble({ queues: [], port: first.port }), { code: 'EADDRINUSE' });
});
