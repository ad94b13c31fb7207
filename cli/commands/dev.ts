// `portcullis dev`: the whole control plane on loopback — Azurite, the Service Bus double, the dev
// issuer, the example upstreams and the gateway — until Ctrl-C, which stops everything.
import { resolve } from 'node:path';
import { createLogger } from '../../shared/platform/log.js';
import { parseCommandArgs } from '../args.js';
import { startStack } from '../dev/stack.js';
import { UsageError, type Command } from '../io.js';

export const run: Command = async (args, io) => {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string', default: '7071' },
    host: { type: 'string', default: '127.0.0.1' },
    policy: { type: 'string' },
    state: { type: 'string', default: '.portcullis' },
    quiet: { type: 'boolean', default: false },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${values.port}" is not a port number`);

  const log = values.quiet ? createLogger({}, () => {}) : createLogger({ app: 'portcullis-dev' });
  const stack = await startStack({
    port,
    host: values.host,
    stateDir: resolve(io.cwd, values.state),
    policy: values.policy && resolve(io.cwd, values.policy),
    log,
  });
  const token = await stack.token('example-agent', ['agents'], { ttlSeconds: 3600 });
  io.stdout.write(
    [
      '',
      `Portcullis is running at ${stack.url}`,
      '',
      `  health         ${stack.url}/api/health`,
      `  policy         ${stack.settings.PORTCULLIS_POLICY}`,
      `  blob storage   ${stack.azurite.blobEndpoint}`,
      `  table storage  ${stack.azurite.tableEndpoint}`,
      `  service bus    sb://127.0.0.1:${stack.serviceBus.port} (queue approvals)`,
      `  dev issuer     ${stack.issuerUrl}`,
      '',
      'Try it (a token for example-agent in group agents, valid 1 hour; more with `npx portcullis token --sub NAME --groups agents`):',
      '',
      `  export TOKEN=${token}`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${stack.url}/api/proxy/example-api/items          # allowed`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${stack.url}/api/proxy/example-api/config         # allowed, secrets masked`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${stack.url}/api/proxy/example-api/admin/users    # denied`,
      `  curl -s -X DELETE -H "Authorization: Bearer $TOKEN" ${stack.url}/api/proxy/example-api/items/1   # held for review`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      log.info('stopping', { signal });
      void stack.stop().then(done);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  return 0;
};
