// Which headers cross the gateway. The agent's own credentials, the hop-by-hop headers, headers
// that make a server act on something other than what was judged (method and URL overrides), and
// the platform's own headers stop here; the gateway adds the connection's credential itself.
// Names are compared with `_` read as `-`: CGI-style servers (WSGI, Rack/Puma, PHP) map both to
// one variable, so `X_HTTP_Method_Override` is `X-HTTP-Method-Override` to them.
import type { Finding, Masker } from '../masking/index.js';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length',
]);

/** Credentials an agent might send: the gateway holds the real ones. */
const CREDENTIALS = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'api-key', 'x-api-key', 'ocp-apim-subscription-key', 'x-ms-authorization-auxiliary',
]);

const AGENT_ONLY = new Set([
  'accept-encoding', 'prefer', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port',
  'x-forwarded-prefix', 'x-real-ip', 'x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url',
  'x-rewrite-url', 'max-forwards',
  // Who the client is, as other proxies and CDNs say it: an agent must not choose it.
  'true-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-cluster-client-ip', 'x-original-forwarded-for', 'x-forwarded',
  'forwarded-for', 'x-forwarded-server', 'x-forwarded-ssl', 'x-forwarded-scheme', 'x-url-scheme', 'front-end-https',
  'x-original-host', 'x-host', 'x-proxyuser-ip', 'x-envoy-external-address', 'x-envoy-original-path',
  // The gateway has the whole request before it calls upstream (the agent's 100-continue was
  // answered by the host); fetch refuses to send it.
  'expect',
  // Added by App Service's front end; not for third parties.
  'client-ip', 'x-client-ip', 'x-client-port', 'disguised-host', 'was-default-hostname', 'x-forwarded-tlsversion',
]);
const AGENT_ONLY_PREFIXES = ['x-portcullis-', 'x-arr-', 'x-waws-', 'x-appservice-', 'x-site-', 'x-ms-client-principal', 'x-ms-token-', 'x-ms-auth'];

const UPSTREAM_ONLY = new Set(['set-cookie', 'set-cookie2', 'www-authenticate', 'content-encoding', 'strict-transport-security', 'alt-svc']);

/** A header name as CGI-style servers read it: lower-case, `_` and `-` alike. */
const canonical = (name: string) => name.toLowerCase().replaceAll('_', '-');

function connectionListed(headers: Headers): Set<string> {
  return new Set((headers.get('connection') ?? '').split(',').map((h) => canonical(h.trim())).filter(Boolean));
}

/** The agent's headers that may go upstream. */
export function upstreamRequestHeaders(agent: Headers): Headers {
  const listed = connectionListed(agent);
  const out = new Headers();
  agent.forEach((value, name) => {
    const key = canonical(name);
    if (HOP_BY_HOP.has(key) || CREDENTIALS.has(key) || AGENT_ONLY.has(key) || listed.has(key)) return;
    if (AGENT_ONLY_PREFIXES.some((prefix) => key.startsWith(prefix))) return;
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
    if (!CREDENTIALS.has(canonical(name))) out[name] = value;
  });
  return out;
}

/**
 * A header's value masked as text after its name (`X-Auth-Token: …`), the line it is on the wire:
 * the value of `X-Auth-Token` or `Private-Token` is a credential however it reads, and a rule that
 * needs the name before the value sees it. (Text mode, not a kind's JSON mode, which may mask every
 * member of a secret-bearing answer.)
 */
export function maskedHeaderValue(masker: Masker, name: string, value: string): { value: string; findings: Finding[] } {
  const line = `${name}: `;
  const masked = masker.text(line + value);
  if (masked.text.startsWith(line)) return { value: masked.text.slice(line.length), findings: masked.findings };
  // A name that is itself masked leaves nothing to split: the value is masked alone.
  const alone = masker.text(value);
  return { value: alone.text, findings: alone.findings.length > 0 ? alone.findings : masked.findings };
}
