// Provider formats written from each provider's documentation: prefixed tokens found by their
// prefix, and values without a prefix (ids, keys in hex) found only in a credential's context,
// a name that says what they are. Rules from secretlint's recommended preset and detect-secrets'
// plugins that neither the project nor gitleaks had are here too.
import { ASSIGN, rule } from './define.js';
import { unlessWordsOrBelow } from './filters.js';

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** As ASSIGN, or (command-line flags) white space alone. */
const ASSIGN_OR_FLAG = String.raw`(?:${ASSIGN}|\s+)`;

export const providerRules = [
  // 1Password service accounts: "ops_" and a base64 JSON object (so "eyJ" first).
  rule('1password-service-account-token', ['ops_ey'],
    /(?<![A-Za-z0-9_])ops_eyJ[A-Za-z0-9+/_-]{100,1500}={0,2}(?![A-Za-z0-9+/=_-])/, { entropy: 4 }),

  // Cloudflare: API tokens (40 characters) and the global API key (37 hex), named as such or
  // sent as X-Auth-Key; origin CA keys carry their own prefix.
  rule('cloudflare-api-token', ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf_key', 'x-auth-key'],
    new RegExp(String.raw`(?:(?:cloudflare|cf)[\w.-]{0,24}?(?:token|key|secret)${ASSIGN}|x-auth-key\s*:\s*)([A-Za-z0-9_-]{40}|[a-f0-9]{37})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  rule('cloudflare-origin-ca-key', ['v1.0-'],
    /(?<![A-Za-z0-9_.-])v1\.0-[a-f0-9]{24}-[a-f0-9]{146}(?![A-Za-z0-9_-])/),

  // Grafana: cloud access policy tokens (glc_ and base64) and service account tokens (glsa_,
  // 32 characters, "_", an 8-hex checksum).
  rule('grafana-cloud-token', ['glc_'],
    /(?<![A-Za-z0-9_])glc_[A-Za-z0-9+/]{32,400}={0,2}(?![A-Za-z0-9+/=_])/, { entropy: 3 }),
  rule('grafana-service-account-token', ['glsa_'],
    /(?<![A-Za-z0-9_])glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Za-z0-9_])/),

  // Tailscale: tskey-<type>-<key id>-<secret>, the type being api, auth, client, scim, webhook…
  rule('tailscale-key', ['tskey-'],
    /(?<![A-Za-z0-9_-])tskey-(?:[a-z]{2,12}-)?[A-Za-z0-9]{6,40}-[A-Za-z0-9]{12,128}(?![A-Za-z0-9_-])/),

  // Vercel: prefixed tokens (personal vcp_, integration vci_, app access vca_, app refresh vcr_,
  // API key vck_), and the older unprefixed 24-character tokens where a name says Vercel.
  rule('vercel-token', ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
    /(?<![A-Za-z0-9_])vc[piakr]_[A-Za-z0-9]{20,80}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('vercel-token', ['vercel'],
    new RegExp(String.raw`vercel(?:[\w.-]{0,24}?(?:token|key|secret)${ASSIGN_OR_FLAG}|\s[^\n]{0,80}?--token[=\s]\s*)([A-Za-z0-9]{24})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line', allow: unlessWordsOrBelow(3) }),

  // Azure tenant and client (application) ids: GUIDs, secret only in a credential's context:
  // AZURE_TENANT_ID=, ARM_CLIENT_ID=, "tenantId":, client_id=, "appId":, --tenant <id>.
  rule('azure-tenant-id', ['tenant'],
    new RegExp(String.raw`tenant(?:[_-]?id|\)\s*id)?${ASSIGN_OR_FLAG}(${GUID})(?![0-9a-fA-F-])`, 'i'),
    { extent: 'line' }),
  // The portal's "Application (client) ID" and "Directory (tenant) ID" too.
  rule('azure-client-id', ['client_id', 'clientid', 'client-id', 'client) id', 'appid', 'app_id', 'app-id', 'application_id', 'applicationid', 'application-id'],
    new RegExp(String.raw`(?:client\)\s*|(?:client|app(?:lication)?)[_-]?)id${ASSIGN_OR_FLAG}(${GUID})(?![0-9a-fA-F-])`, 'i'),
    { extent: 'line' }),

  // secp256k1 (Ethereum, Bitcoin) private keys: 32 bytes in hex, 0x or not, named as a private key.
  rule('secp256k1-private-key', ['private_key', 'privatekey', 'private-key', 'private key', 'priv_key', 'privkey', 'secp256k1', 'signing_key', 'signingkey', 'wallet_key'],
    new RegExp(String.raw`(?:private[_ -]?key|priv[_-]?key|secp256k1[\w -]{0,24}?key|signing[_-]?key|wallet[_-]?key)${ASSIGN}((?:0x)?[a-fA-F0-9]{64})(?![A-Za-z0-9])`, 'i'),
    { extent: 'line', entropy: 3 }),

  // Doppler: dp.<type>.<40–44 characters>, the type being ct, pt, st (maybe with an
  // environment), sa, said, scim or audit.
  rule('doppler-token', ['dp.ct.', 'dp.pt.', 'dp.st.', 'dp.sa.', 'dp.said.', 'dp.scim.', 'dp.audit.'],
    /(?<![A-Za-z0-9_.])dp\.(?:ct|pt|st(?:\.[a-z0-9_-]{2,35})?|sa|said|scim|audit)\.[A-Za-z0-9]{40,44}(?![A-Za-z0-9])/),
  // Airtable personal access tokens: "pat", a 14-character id, ".", 64 hex.
  rule('airtable-token', ['pat'],
    /(?<![A-Za-z0-9_])pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9])/, { requires: '.' }),
  // New Relic user API keys: NRAK- and 27 characters.
  rule('new-relic-user-api-key', ['nrak-'],
    /(?<![A-Za-z0-9_-])NRAK-[A-Z0-9]{27}(?![A-Za-z0-9_-])/),

  // secretlint's recommended preset: Docker personal and organization access tokens, Figma.
  rule('docker-access-token', ['dckr_pat_', 'dckr_oat_'],
    /(?<![A-Za-z0-9_])dckr_(?:pat|oat)_[A-Za-z0-9_-]{24,64}(?![A-Za-z0-9_-])/),
  rule('figma-token', ['figd_', 'figo_'],
    /(?<![A-Za-z0-9_])fig[do]_[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])/),
  // An AWS account id named as such (12 digits, maybe dashed), as secretlint's AWS rule has it.
  rule('aws-account-id', ['aws_account_id', 'aws-account-id', 'awsaccountid', 'aws_account', 'aws account id'],
    new RegExp(String.raw`aws[_ -]?account(?:[_ -]?id)?${ASSIGN}(\d{4}-?\d{4}-?\d{4})(?![\d-])`, 'i'),
    { extent: 'line' }),

  // detect-secrets' plugins: Discord bot tokens, IBM Cloud IAM keys, IBM COS HMAC secrets,
  // SoftLayer and Cloudant keys, each where its name or header says what it is.
  rule('discord-bot-token', ['discord', 'bot '],
    new RegExp(String.raw`(?:discord[\w.-]{0,24}?(?:token|key|secret)${ASSIGN}|(?<![A-Za-z])Bot\s+)([MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line' }),
  rule('ibm-cloud-iam-key', ['ibm', 'cloud_iam', 'cloud-iam', 'cloudiam'],
    new RegExp(String.raw`(?:ibm|cloud[_-]?iam)[\w.-]{0,24}?(?:key|pwd|password|pass|token)${ASSIGN}([A-Za-z0-9_-]{44})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  rule('ibm-cos-hmac-secret', ['secret_access_key', 'secret-access-key', 'secretaccesskey'],
    new RegExp(String.raw`secret[_-]?access[_-]?key${ASSIGN}([a-f0-9]{48})(?![a-f0-9])`, 'i'),
    { extent: 'line' }),
  rule('softlayer-api-key', ['softlayer', 'sl_api', 'sl-api', 'sl_key', 'sl-key', 'slapi'],
    new RegExp(String.raw`(?:(?:softlayer|sl)[_-]?(?:api)?[_-]?(?:key|pwd|password|pass|token)${ASSIGN}|softlayer\.com\/soap\/v3(?:\.1)?\/)([a-z0-9]{64})(?![a-z0-9])`, 'i'),
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  rule('cloudant-key', ['cloudant'],
    new RegExp(String.raw`cloudant[\w.-]{0,24}?(?:key|pwd|pw|password|pass|token)${ASSIGN}([0-9a-f]{64}|[a-z]{24})(?![A-Za-z0-9])`, 'i'),
    { extent: 'line' }),
];
