// Which headers cross the gateway. The agent's own credentials and the hop-by-hop headers stop
// here in both directions; the gateway adds the connection's credential itself.

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length',
]);

const AGENT_ONLY = new Set(['authorization', 'cookie', 'accept-encoding', 'prefer', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);

const UPSTREAM_ONLY = new Set(['set-cookie', 'set-cookie2', 'www-authenticate', 'content-encoding', 'strict-transport-security', 'alt-svc']);

function connectionListed(headers: Headers): Set<string> {
  return new Set((headers.get('connection') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean));
}

/** The agent's headers that may go upstream. */
export function upstreamRequestHeaders(agent: Headers): Headers {
  const listed = connectionListed(agent);
  const out = new Headers();
  agent.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || AGENT_ONLY.has(name) || listed.has(name) || name.startsWith('x-portcullis-')) return;
    out.set(name, value);
  });
  // The response is masked on the way back: ask for it uncompressed.
  out.set('accept-encoding', 'identity');
  return out;
}

/** The upstream's headers that may go back to the agent (the body is re-framed by the gateway). */
export function agentResponseHeaders(upstream: Headers): Headers {
  const listed = connectionListed(upstream);
  const out = new Headers();
  upstream.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || UPSTREAM_ONLY.has(name) || listed.has(name)) return;
    out.set(name, value);
  });
  return out;
}

/** Headers as a plain record for rules and the session log; credentials never included. */
export function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== 'authorization' && name !== 'cookie' && name !== 'proxy-authorization') out[name] = value;
  });
  return out;
}
