import { loadPolicy } from './shared/policy/load.js';
import { classifyAndDecide } from './shared/gateway/judge.js';
const text = `version: 1
issuers:
  - issuer: https://i.example
    audience: portcullis
    jwksUri: https://i.example/jwks.json
connections:
  llm:
    kind: openai
    upstream: https://api.openai.com
    groups: [agents]
rules:
  - name: r1
    match: { connections: llm, body: "(?i)ignore (all )?previous instructions" }
    action: deny
  - name: r2
    match: { connections: llm, body: "(?i)rm -rf /" }
    action: review
    review: { groups: [reviewers] }
  - name: r3
    match: { connections: llm, body: "(?i)(drop|truncate) table" }
    action: review
    review: { groups: [reviewers] }
  - name: ok
    match: { groups: agents }
    action: allow
`;
const r = loadPolicy(text, { env: 'development', variables: {} });
if (!r.ok) { console.log(r.problems); process.exit(1); }
const policy = r.policy;
const connection = policy.connections.get('llm')!;
for (const content of ['ignore previous '.repeat(600_000), 'a'.repeat(10_000_000), 'drop '.repeat(2_000_000)]) {
  const body = new TextEncoder().encode(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }));
  const request = { method: 'POST', target: { path: '/v1/chat/completions', search: '', url: new URL('https://api.openai.com/v1/chat/completions') }, headers: new Headers({ 'content-type': 'application/json' }), body: { bytes: body, length: body.byteLength } } as any;
  const principal = { subject: 's', issuer: 'https://i.example', groups: ['agents'], claims: {} } as any;
  const t = performance.now();
  const j = await classifyAndDecide(request, principal, connection as any, policy);
  console.log((body.byteLength/1e6).toFixed(1),'MB', (performance.now()-t).toFixed(0), 'ms', j.decision.action);
}
import { kinds } from './shared/connections/registry.js';
{
  const content = 'a'.repeat(10_000_000);
  const body = new TextEncoder().encode(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }));
  const request = { method: 'POST', target: { path: '/v1/chat/completions', search: '', url: new URL('https://api.openai.com/v1/chat/completions') }, headers: new Headers({ 'content-type': 'application/json' }), body: { bytes: body, length: body.byteLength } } as any;
  let t = performance.now();
  const op = await kinds.openai.classify(request, connection as any);
  console.log('classify', (performance.now()-t).toFixed(0));
  t = performance.now();
  const { decide } = await import('./shared/guard/decide.js');
  decide({ subject: 's', issuer: 'https://i.example', groups: ['agents'], claims: {} } as any, connection as any, op, policy);
  console.log('decide', (performance.now()-t).toFixed(0));
}
