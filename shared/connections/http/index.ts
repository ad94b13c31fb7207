// The plain HTTP connection kind: any REST API behind a base URL.
import type { ConnectionKind } from '../kind.js';
import { maskResponse } from '../response.js';
import { callRenewing, throughGateway } from '../upstream.js';
import { upstreamTarget } from '../target.js';
import { classifyHttp } from './classify.js';
import type { HttpConnection } from './schema.js';

export const httpKind: ConnectionKind = {
  route: 'proxy',
  readsBody: false,
  target: upstreamTarget,
  classify: classifyHttp,
  async forward(request, _operation, context) {
    const config = context.connection.config as HttpConnection;
    // An OAuth token the upstream refused (401) is renewed and the request sent once more, when its body can be.
    const { call, response: upstream } = await callRenewing(request, context);
    const response = await maskResponse(upstream, {
      masker: call.masker,
      captureBytes: context.captureBytes,
      passBinary: config.passBinary,
      passUnknownStreams: config.streams.unknown === 'pass',
      connection: context.connection.name,
    });
    // As masked: an upstream may put a secret, the credential even, in its redirect.
    const location = response.headers.get('location');
    if (location) {
      const rewritten = throughGateway(new URL(location, request.target!.url), config.upstream, context);
      if (rewritten) response.headers.set('location', rewritten);
      else response.headers.delete('location');
    }
    return response;
  },
};
