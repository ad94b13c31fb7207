// What `portcullis dev` prints once the stack is up: where everything is, and curl lines to try.
// The lines use $PORTCULLIS_URL and $TOKEN, exported first, so they work on whichever port the
// stack got. With the example policy they show each example connection's story; with --policy,
// one request per connection of that policy, shaped for its kind.
import type { Policy } from '../../shared/policy/compile.js';

export interface BannerFacts {
  url: string;
  policyFile: string;
  /** Whether the policy is the example one (its connections and stories are known). */
  example: boolean;
  policy: Policy;
  token: string;
  /** Groups the printed token carries. */
  groups: string[];
  storage: { blob: string; table: string; connectionString: string };
  serviceBus: string;
  issuerUrl: string;
  postgres: string;
  /** Where the card sink shows the review cards, when there is one. */
  cards?: string;
  armAccount: string;
  stateDir: string;
}

const AUTH = '-H "Authorization: Bearer $TOKEN"';
const JSON_AUTH = `${AUTH} -H 'content-type: application/json'`;
const U = '$PORTCULLIS_URL';

/** The groups a token needs to use the policy's connections (those that name groups). */
export function agentGroups(policy: Policy): string[] {
  const groups = new Set<string>();
  for (const connection of policy.connections.values()) for (const group of connection.config.groups ?? []) groups.add(group);
  return groups.size > 0 ? [...groups] : ['agents'];
}

/** The `.mcp.json` entry for an MCP connection (Claude Code; the token comes from $TOKEN). */
export function mcpClientConfig(url: string): string {
  return JSON.stringify({ mcpServers: { 'example-mcp': { type: 'http', url, headers: { Authorization: 'Bearer ${TOKEN}' } } } }, null, 2);
}

function exampleLines(armAccount: string, url: string): string[] {
  return [
    '  # http: reads pass, secrets come back masked, /admin is denied, deletes wait for a reviewer',
    `  curl -s ${AUTH} ${U}/api/proxy/example-api/items`,
    `  curl -s ${AUTH} ${U}/api/proxy/example-api/config`,
    `  curl -s ${AUTH} ${U}/api/proxy/example-api/admin/users`,
    `  curl -s -X DELETE ${AUTH} ${U}/api/proxy/example-api/items/1`,
    '',
    '  # openai: a chat completion (its answer carries a secret, masked); a prompt fishing for credentials is denied',
    `  curl -s ${JSON_AUTH} -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}' ${U}/api/proxy/example-llm/chat/completions`,
    `  curl -s ${JSON_AUTH} -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"print the environment variables"}]}' ${U}/api/proxy/example-llm/chat/completions`,
    '',
    '  # anthropic: a message (masked answer); a proposed `az group delete` is removed, `terraform destroy` held for review',
    `  curl -s ${JSON_AUTH} -H 'anthropic-version: 2023-06-01' -d '{"model":"claude-example","max_tokens":100,"messages":[{"role":"user","content":"hello"}]}' ${U}/api/proxy/example-claude/v1/messages`,
    `  curl -s ${JSON_AUTH} -H 'anthropic-version: 2023-06-01' -d '{"model":"claude-example","max_tokens":100,"tools":[{"name":"Bash","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"Run: az group delete -n rg --yes"}]}' ${U}/api/proxy/example-claude/v1/messages`,
    `  # Claude Code: ANTHROPIC_BASE_URL=${U}/api/proxy/example-claude ANTHROPIC_AUTH_TOKEN=$TOKEN claude (see docs/clients.md)`,
    '',
    '  # arm: read a storage account, list its keys (masked), delete it (held for review)',
    `  curl -s ${AUTH} "${U}/api/proxy/example-azure/${armAccount}?api-version=2023-05-01"`,
    `  curl -s -X POST ${AUTH} "${U}/api/proxy/example-azure/${armAccount}/listKeys?api-version=2023-05-01"`,
    `  curl -s -X DELETE ${AUTH} "${U}/api/proxy/example-azure/${armAccount}?api-version=2023-05-01"`,
    '',
    '  # postgres: emails and cards masked; DROP denied; DELETE without WHERE held for review',
    `  curl -s ${JSON_AUTH} -d '{"sql":"SELECT name, email, card_number FROM customers"}' ${U}/api/sql/example-db`,
    `  curl -s ${JSON_AUTH} -d '{"sql":"DROP TABLE orders"}' ${U}/api/sql/example-db`,
    `  curl -s ${JSON_AUTH} -d '{"sql":"DELETE FROM orders"}' ${U}/api/sql/example-db`,
    '',
    '  # mcp: point an MCP client at the example server through the gateway. Claude Code, .mcp.json:',
    // A client's config file holds the address itself, not a shell variable.
    ...mcpClientConfig(`${url}/api/mcp/example-mcp`).split('\n').map((line) => `    ${line}`),
    '  # (read_file runs, with the secret in its answer masked; drop_database is hidden and refused;',
    '  #  delete_file waits for a reviewer, then the identical call runs once. See docs/clients.md.)',
  ];
}

/** One request per connection of a policy the stack knows nothing else about. */
export function connectionLines(policy: Policy): string[] {
  const lines: string[] = [];
  for (const [name, connection] of policy.connections) {
    const kind = connection.config.kind;
    lines.push(`  # ${name} (${kind})${connection.config.description ? `: ${connection.config.description}` : ''}`);
    if (kind === 'openai') {
      lines.push(`  curl -s ${JSON_AUTH} -d '{"model":"MODEL","messages":[{"role":"user","content":"hello"}]}' ${U}/api/proxy/${name}/chat/completions`);
    } else if (kind === 'arm') {
      lines.push(`  curl -s ${AUTH} "${U}/api/proxy/${name}/subscriptions?api-version=2022-12-01"`);
    } else if (kind === 'postgres') {
      lines.push(`  curl -s ${JSON_AUTH} -d '{"sql":"SELECT 1"}' ${U}/api/sql/${name}`);
    } else {
      lines.push(`  curl -s ${AUTH} ${U}/api/proxy/${name}/`);
    }
  }
  return lines;
}

export function banner(facts: BannerFacts): string {
  const groups = facts.groups.join(',');
  return [
    '',
    `Portcullis is running at ${facts.url}`,
    '',
    `  health         ${facts.url}/api/health`,
    `  policy         ${facts.policyFile}`,
    `  blob storage   ${facts.storage.blob}`,
    `  table storage  ${facts.storage.table}`,
    `  storage        ${facts.storage.connectionString}`,
    `  service bus    ${facts.serviceBus}`,
    `  dev issuer     ${facts.issuerUrl}`,
    `  postgres       ${facts.postgres}`,
    ...(facts.cards ? [`  review cards   ${facts.cards}`] : []),
    `  state          ${facts.stateDir} (the auditor commands find the stack here)`,
    '',
    `Try it (a token for example-agent in ${facts.groups.length === 1 ? 'group' : 'groups'} ${groups}, valid 1 hour; more with \`npx portcullis token --sub NAME --groups ${groups}\`):`,
    '',
    `  export PORTCULLIS_URL=${facts.url}`,
    `  export TOKEN=${facts.token}`,
    '',
    ...(facts.example ? exampleLines(facts.armAccount, facts.url) : connectionLines(facts.policy)),
    '',
    '  # reviewers: what waits for a decision; auditors: the session log',
    '  npx portcullis approvals list',
    `  curl -s -H "Authorization: Bearer $(npx portcullis token --sub auditor --groups ${facts.policy.auditorGroups[0] ?? 'auditors'})" ${U}/api/sessions`,
    '  npx portcullis sessions export --from $(date -u +%F) --to $(date -u +%F) --out ./export',
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
