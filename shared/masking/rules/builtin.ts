// The built-in regex rules: the project's own, then every rule of gitleaks' default pack that
// one of them does not supersede. A superseded gitleaks rule finds the same secret as the
// project rule named here, which finds it better (more forms, tighter boundaries, fewer false
// positives); keeping both would run two regexes for one secret and name it twice.
import { loadGitleaksPack, type RulePack } from '../gitleaks.js';
import type { RegexRule } from '../rule.js';
import { GITLEAKS_DEFAULT_TOML } from './gitleaks-default.js';

/** gitleaks rule id → the project rule that supersedes it. */
export const SUPERSEDED: Readonly<Record<string, string>> = {
  'aws-access-token': 'aws-access-key-id',
  'azure-ad-client-secret': 'azure-ad-client-secret',
  'gcp-api-key': 'gcp-api-key',
  'github-pat': 'github-token',
  'github-oauth': 'github-token',
  'github-app-token': 'github-token',
  'github-refresh-token': 'github-token',
  'github-fine-grained-pat': 'github-fine-grained-pat',
  'gitlab-pat': 'gitlab-token',
  'gitlab-pat-routable': 'gitlab-token',
  'gitlab-deploy-token': 'gitlab-token',
  'gitlab-runner-authentication-token': 'gitlab-token',
  'gitlab-runner-authentication-token-routable': 'gitlab-token',
  'gitlab-ptt': 'gitlab-token',
  'gitlab-scim-token': 'gitlab-token',
  'gitlab-cicd-job-token': 'gitlab-token',
  'gitlab-feed-token': 'gitlab-token',
  'gitlab-incoming-mail-token': 'gitlab-token',
  'gitlab-kubernetes-agent-token': 'gitlab-token',
  'gitlab-oauth-app-secret': 'gitlab-token',
  'npm-access-token': 'npm-token',
  'pypi-upload-token': 'pypi-token',
  'slack-bot-token': 'slack-token',
  'slack-user-token': 'slack-token',
  'slack-app-token': 'slack-token',
  'slack-webhook-url': 'slack-webhook',
  'stripe-access-token': 'stripe-key',
  'sendgrid-api-token': 'sendgrid-api-key',
  'twilio-api-key': 'twilio-api-key',
  'shopify-access-token': 'shopify-token',
  'shopify-custom-access-token': 'shopify-token',
  'shopify-private-app-access-token': 'shopify-token',
  'shopify-shared-secret': 'shopify-token',
  'databricks-api-token': 'databricks-token',
  'digitalocean-pat': 'digitalocean-token',
  'digitalocean-access-token': 'digitalocean-token',
  'digitalocean-refresh-token': 'digitalocean-token',
  'postman-api-token': 'postman-api-key',
  'vault-service-token': 'hashicorp-vault-token',
  'vault-batch-token': 'hashicorp-vault-token',
  'linear-api-key': 'linear-api-key',
  'openai-api-key': 'openai-api-key',
  'anthropic-api-key': 'anthropic-api-key',
  'anthropic-admin-api-key': 'anthropic-api-key',
  'huggingface-access-token': 'huggingface-token',
  'huggingface-organization-api-token': 'huggingface-token',
  '1password-service-account-token': '1password-service-account-token',
  'cloudflare-api-key': 'cloudflare-api-token',
  'cloudflare-global-api-key': 'cloudflare-api-token',
  'cloudflare-origin-ca-key': 'cloudflare-origin-ca-key',
  'grafana-cloud-api-token': 'grafana-cloud-token',
  'grafana-service-account-token': 'grafana-service-account-token',
  'doppler-api-token': 'doppler-token',
  'airtable-personnal-access-token': 'airtable-token',
  'new-relic-user-api-key': 'new-relic-user-api-key',
  'jwt': 'jwt',
  'private-key': 'private-key',
  'microsoft-teams-webhook': 'microsoft-teams-webhook',
  'twitter-bearer-token': 'twitter-bearer-token',
};

let pack: RulePack | undefined;

/** gitleaks' default pack, loaded once per process (its regexes take a while to translate). */
export function gitleaksDefaultPack(): RulePack {
  return (pack ??= loadGitleaksPack(GITLEAKS_DEFAULT_TOML, 'gitleaks default pack'));
}

let gitleaks: readonly RegexRule[] | undefined;

/**
 * Keys made to be public: Stripe's publishable keys (pk_live_, pk_test_) go to browsers by
 * design. gitleaks' generic rule takes one for an API key when its name says "key".
 */
const PUBLISHABLE = /^pk_(?:live|test)_[A-Za-z0-9]{24,247}$/;
/**
 * A GUID less its first group: gitleaks' Square rule reads EAAA…, and an upper-case GUID has a
 * group EAAA now and then ({A7A57E14-EAAA-4B34-B6ED-1DA78B544E9B}). No token has this shape.
 */
const GUID_TAIL = /^[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** The project's allowlist added to a gitleaks rule's own. */
function withProjectAllowlist(rule: RegexRule): RegexRule {
  const own = rule.allow;
  return { ...rule, allow: (secret, match, line) => PUBLISHABLE.test(secret) || GUID_TAIL.test(secret) || (own !== undefined && own(secret, match, line)) };
}

/** The rules of gitleaks' default pack that are on by default: those no project rule supersedes. */
export function gitleaksDefaultRules(): readonly RegexRule[] {
  return (gitleaks ??= gitleaksDefaultPack().rules.filter((rule) => SUPERSEDED[rule.id] === undefined).map(withProjectAllowlist));
}
