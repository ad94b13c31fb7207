// Provider formats written from each provider's documentation: prefixed tokens found by their
// prefix, and values without a prefix (ids, keys in hex) found only in a credential's context,
// a name that says what they are. Rules from secretlint's recommended preset and detect-secrets'
// plugins that neither the project nor gitleaks had are here too.
import type { RegexRule } from '../rule.js';
import { ASSIGN, GUID, rule, SEPARATOR } from './define.js';
import { unlessFilledInOrPlaceholder, unlessPlaceholder, unlessPlaceholderPassword, unlessWordsOrBelow } from './filters.js';


/** Azure's 32-byte identifiable keys (44 base64 characters), by rule id, and the signature at 33. */
export const IDENTIFIABLE_32: [string, string][] = [
  ['azure-service-bus-key', '+ASb'],
  ['azure-event-hubs-key', '+AEh'],
  ['azure-relay-key', '+ARm'],
  ['azure-iot-key', 'AIoT'],
  ['azure-cache-for-redis-key', 'AzCa'],
  ['azure-event-grid-key', 'AZEG'],
];
/** Azure's 64-byte identifiable keys (88 base64 characters), by rule id, and the signature at 76. */
export const IDENTIFIABLE_64: [string, string][] = [
  ['azure-storage-account-key', '+ASt'],
  ['azure-cosmosdb-key', 'ACDb'],
  ['azure-batch-key', '+ABa'],
  ['azure-machine-learning-key', '+AMC'],
  ['azure-api-management-key', 'APIM'],
];
const escaped = (signature: string) => signature.replace('+', '\\+');
/** As ASSIGN, or (command-line flags) white space alone. */
const ASSIGN_OR_FLAG = String.raw`(?:${ASSIGN}|\s+)`;

/** A value given on a command line: quoted (blanks and escapes inside), or up to white space. */
const CLI_VALUE = String.raw`(?:"((?:[^"\
]|\.){1,1024})"|'([^'
]{1,1024})'|([^\s"']{1,1024}))`;

/**
 * A value from a file (@file, az's convention), a variable or a command is no secret here; a JSON
 * object in braces is one (aws's --secret-string '{"user": …, "password": …}').
 */
const unlessFileOrFilledIn = (secret: string) => /^(?:@|\$|%|\{\{)/.test(secret) || unlessPlaceholder(secret);

/** The names of session cookies (session-cookie), lower-case. */
const SESSION_COOKIES = ['sessionid', 'session_id', 'session', 'phpsessid', 'jsessionid', 'connect.sid', 'asp.net_sessionid', '.aspxauth'];
const SESSION_NAMES = SESSION_COOKIES.map((name) => name.replace(/\./g, '\\.')).join('|');
/** What ends a Cookie line's text before a session cookie's value. */
const SESSION_COOKIE = new RegExp(`(?<![A-Za-z0-9-])(?:${SESSION_NAMES})=$`, 'i');

/** Whether the cookie value `value` starts with (up to its `;`) is a token: letters and digits, random, not words. */
function isToken(value: string): boolean {
  const end = value.search(/[;\s,"]/);
  const first = end === -1 ? value : value.slice(0, end);
  return /\d/.test(first) && /[A-Za-z]/.test(first) && !unlessWordsOrBelow(3)(first);
}

function cliSecretValues(): RegexRule[] {
  const options = { extent: 'block' as const, allow: unlessFileOrFilledIn };
  // Each starts at its keyword (the command as written, one space apart), as the project's rules do.
  const after = (command: string, flag: string) => new RegExp(String.raw`(?<![\w-])${command}\b[^\r\n]{0,512}?\s${flag}(?:\s{1,8}|=)${CLI_VALUE}`, 'i');
  return [
    rule('cli-secret-value', ['az keyvault'], after(String.raw`az keyvault\s{1,8}secret\s{1,8}set`, '--value'), options),
    rule('cli-secret-value', ['gh secret'], after(String.raw`gh secret\s{1,8}set`, '(?:--body|-b)'), options),
    rule('cli-secret-value', ['aws secretsmanager'], after(String.raw`aws secretsmanager\s{1,8}(?:create-secret|put-secret-value|update-secret)`, '--secret-string'), options),
    rule('cli-secret-value', ['docker login'], after('docker login', '-p'), options),
    rule('cli-secret-value', ['--from-literal='],
      // Quoted whole ("--from-literal=key=a value") or its value alone.
      new RegExp(String.raw`(?:(?<=")--from-literal=[^="\r\n]{1,253}=([^"\r\n]{1,1024})"|(?<=')--from-literal=[^='\r\n]{1,253}=([^'\r\n]{1,1024})'|--from-literal=[^=\s"']{1,253}=${CLI_VALUE})`), options),
  ];
}

export const providerRules = [
  // 1Password service accounts: "ops_" and a base64 JSON object (so "eyJ" first).
  rule('1password-service-account-token', ['ops_ey'],
    /(?<![A-Za-z0-9_])ops_ey[A-Za-z0-9+/_-]{100,1500}={0,2}(?![A-Za-z0-9+/=_-])/, { entropy: 4 }),

  // Cloudflare: API tokens (40 characters) and the global API key (37 hex), named as such or
  // sent as X-Auth-Key; origin CA keys carry their own prefix.
  rule('cloudflare-api-token', ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf_key', 'x-auth-key'],
    new RegExp(String.raw`(?:(?:cloudflare|cf)[\w.-]{0,24}?(?:token|key|secret)${ASSIGN}|x-auth-key\s*:\s*)([A-Za-z0-9_-]{40}|[a-f0-9]{37})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  // The prefixed API tokens: cfk_ (API keys), cfut_ (user tokens), cfat_ (account tokens), 40
  // characters and an 8-hex checksum.
  rule('cloudflare-api-token', ['cfk_', 'cfut_', 'cfat_'],
    /(?<![A-Za-z0-9_])cf(?:k|ut|at)_[A-Za-z0-9]{40}[0-9a-f]{8}(?![A-Za-z0-9_])/),
  rule('cloudflare-origin-ca-key', ['v1.0-'],
    /(?<![A-Za-z0-9_.-])v1\.0-[a-f0-9]{24}-[a-f0-9]{146}(?![A-Za-z0-9_-])/),

  // Grafana: cloud access policy tokens (glc_ and base64) and service account tokens (glsa_,
  // 32 characters, "_", an 8-hex checksum).
  rule('grafana-cloud-token', ['glc_'],
    /(?<![A-Za-z0-9_])glc_[A-Za-z0-9+/]{32,400}={0,2}(?![A-Za-z0-9+/=_])/, { entropy: 3 }),
  rule('grafana-service-account-token', ['glsa_'],
    /(?<![A-Za-z0-9_])glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Za-z0-9_])/),

  // Tailscale: tskey-<type>-<key id>-<secret>, the type being api, auth, client, scim, webhook…
  // A digit or "_" before it is no boundary to respect: 1tskey-… is a key after a line number.
  rule('tailscale-key', ['tskey-'],
    /(?<![A-Za-z-])tskey-(?:[a-z]{2,20}-)?[A-Za-z0-9_]{6,40}-[A-Za-z0-9_]{12,128}(?![A-Za-z0-9_-])/),

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
  // az login --service-principal -u <application id>.
  rule('azure-client-id', ['service-principal'],
    new RegExp(String.raw`service-principal\s[^
]{0,80}?(?:-u|--username)\s{1,8}["']?(${GUID})(?![0-9a-fA-F-])`, 'i'),
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

  // Formats found missing on a corpus written from providers' documentation (documented-formats.test.ts).
  // NuGet API keys: "oy2" and 43 lower-case base-36 characters.
  rule('nuget-api-key', ['oy2'],
    /(?<![A-Za-z0-9_])oy2[a-z0-9]{43}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Telegram bot tokens: <bot id>:AA<33 characters>, also in the Bot API's URL path (/bot<token>/).
  // Found from ":AA"; the id before it is not the secret, what follows is.
  rule('telegram-bot-token', [':aa'],
    /(?<=(?:^|[^A-Za-z0-9]|bot)\d{8,10}):AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/, { secretGroup: 0 }),
  // Discord webhooks: /api/webhooks/<id>/<token>.
  rule('discord-webhook', ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'],
    /discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/([A-Za-z0-9_-]{60,80})(?![A-Za-z0-9_-])/),
  // Azure DevOps personal access tokens: 52 characters of base32 (lower case) where a name says
  // Azure DevOps, and the newer 84-character form with its "AZDO" signature at 76.
  rule('azure-devops-pat', ['devops', 'azdo', 'vsts', 'ado_pat', 'ado-pat', 'ado_token'],
    new RegExp(String.raw`(?:devops|azdo|vsts|ado)[\w.-]{0,24}?(?:pat|token|password|key)${ASSIGN_OR_FLAG}([a-z2-7]{52})(?![A-Za-z0-9])`, 'i'),
    { extent: 'line' }),
  rule('azure-devops-pat', ['azdo'],
    /(?<![A-Za-z0-9])[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])/, { lead: 76, secretGroup: 0, signed: true }),
  // Azure's identifiable keys, found alone by the signature each service writes at a fixed place
  // in its keys (Microsoft's security-utilities, MIT, lays the formats out): 32-byte keys in 44
  // base64 characters, 64-byte keys in 88, and the Functions, AI Search and Container Registry
  // forms. After azure-devops-pat, which names the same span for a PAT.
  ...IDENTIFIABLE_32.map(([id, signature]) =>
    rule(id, [signature.toLowerCase()],
      new RegExp(String.raw`(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{33}${escaped(signature)}[A-P][A-Za-z0-9+/]{5}=(?![A-Za-z0-9+/=_-])`), { lead: 33, secretGroup: 0, signed: true })),
  ...IDENTIFIABLE_64.map(([id, signature]) =>
    rule(id, [signature.toLowerCase()],
      new RegExp(String.raw`(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{76}${escaped(signature)}[A-Za-z0-9+/]{5}[AQgw]==(?![A-Za-z0-9+/=_-])`), { lead: 76, secretGroup: 0, signed: true })),
  rule('azure-function-key', ['azfu'],
    /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{44}AzFu[A-Za-z0-9_-]{5}[AQgw]==(?![A-Za-z0-9_=-])/, { lead: 44, secretGroup: 0, signed: true }),
  rule('azure-search-key', ['azse'],
    /(?<![A-Za-z0-9+/_-])[A-Za-z0-9]{42}AzSe[A-D][A-Za-z0-9]{5}(?![A-Za-z0-9+/=_-])/, { lead: 42, secretGroup: 0, signed: true }),
  rule('azure-container-registry-key', ['+acr'],
    /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{42}\+ACR[A-D][A-Za-z0-9+/]{5}(?![A-Za-z0-9+/=_-])/, { lead: 42, secretGroup: 0, signed: true }),
  // The common annotated security key (CASK, "JQQJ" at 52): Azure OpenAI and AI services, App
  // Configuration, Event Grid, Maps, Communication Services and more issue their keys in it.
  rule('azure-annotated-key', ['jqqj'],
    /(?<![A-Za-z0-9])[A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9][A-L][A-Za-z0-9]{16}[A-Za-z][A-Za-z0-9]{7}(?:[A-Za-z0-9]{2}==)?(?![A-Za-z0-9+/=])/,
    { lead: 52, secretGroup: 0, signed: true }),
  // Azure Functions keys: in the function URL's code= parameter, or the x-functions-key header.
  rule('azure-function-key', ['code=', 'x-functions-key'],
    /(?:(?<=[?&])code=|x-functions-key\\?["']?\s*:\s*\\?["']?)([A-Za-z0-9_-]{40,60}={0,2})(?![A-Za-z0-9_=-])/i,
    { entropy: 3.5, extent: 'line' }),
  // Fly.io: "FlyV1 " and one or more comma-separated macaroons (fm1a_, fm1r_, fm2_, base64).
  rule('flyio-token', ['flyv1 '],
    /FlyV1 (fm[12][ar]?_[A-Za-z0-9+/_-]{64,4096}={0,3}(?:,fm[12][ar]?_[A-Za-z0-9+/_-]{64,4096}={0,3}){0,8})/, { extent: 'line' }),
  // PuTTY key files: the private lines (base64) after "Private-Lines: n".
  rule('putty-private-key', ['private-lines:'],
    /Private-Lines:\s{0,8}\d{1,3}\r?\n((?:[A-Za-z0-9+/=]{1,128}\r?\n?){1,64})/, { extent: 'block' }),
  // secp256k1 keys given straight to a wallet (ethers, web3): new Wallet("0x…"), privateKeyToAccount("0x…").
  rule('secp256k1-private-key', ['wallet(', 'privatekeytoaccount('],
    /(?:Wallet|privateKeyToAccount)\(\s{0,8}["'\x60]((?:0x)?[a-fA-F0-9]{64})["'\x60]/i, { entropy: 3 }),
  // Passwords on a command line: mysql -p<password>, sshpass -p <password>, --password=<password>.
  rule('command-line-password', ['mysql', 'mariadb', 'sshpass', 'redis-cli'],
    /(?:(?:mysql(?:dump|admin)?|mariadb)\s[^\n|;&]{0,120}?\s(?:-p|--password=)|sshpass\s{1,8}-p\s{0,8}|redis-cli\s[^\n|;&]{0,120}?\s-a\s{1,8})['"]?([^\s'"]{4,128})/,
    // A value from $VAR or $(command) is the shell's to fill in.
    { extent: 'line', allow: unlessFilledInOrPlaceholder }),

  // Django's SECRET_KEY: 50 characters that may hold any of !@#$%^&*(-_=+), which end the generic rule's value.
  rule('django-secret-key', ['secret_key'],
    /SECRET_KEY\s{0,8}=\s{0,8}["']([^"'\s]{40,100})["']/, { extent: 'line', entropy: 3.5 }),
  // Session cookies (Cookie:, Set-Cookie:, a cookie jar): the value of a session id is a credential.
  rule('session-cookie', SESSION_COOKIES.map((name) => `${name}=`),
    new RegExp(String.raw`(?<![A-Za-z0-9-])(?:${SESSION_NAMES})=([^;\s"'&,]{16,4096})`, 'i'),
    // 3 bits: a random 26-character PHPSESSID falls below 3.5 about once in 4,000.
    { entropy: 3, allow: unlessWordsOrBelow(3) }),
  // A Cookie or Set-Cookie header line (curl -v, a proxy's log) that carries a token, whatever
  // its cookie's name (_gh_sess, sid, __Host-next-auth.session-token): the first value of 16
  // characters or more (after at most 8 shorter ones: a hit reads a bounded stretch) is masked
  // if it is random, the rest of the line with it (later cookies, attributes). A line whose
  // first such value is words is left; a session cookie is the rule above's.
  rule('cookie-header', ['cookie:'],
    /(?<![A-Za-z0-9_])cookie:[ \t]{0,8}(?:[^=;\s,"]{1,128}=[^;\r\n]{0,15};[ \t]{0,8}){0,8}[^=;\s,"]{1,128}=(?=[^;\s,"]{16})([^\r\n]{16,4096})/i,
    { allow: (s, m) => !isToken(s) || SESSION_COOKIE.test(m.slice(0, m.length - s.length)) }),

  // Prefixed tokens that gitleaks finds only where a name says the provider (or not at all):
  // their prefixes are distinctive enough to stand alone.
  rule('braintree-access-token', ['access_token$'],
    /access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}(?![A-Za-z0-9])/),
  rule('flutterwave-secret-key', ['flwseck'],
    /FLWSECK(?:_TEST)?-[a-fA-F0-9]{32}-X(?![A-Za-z0-9])/),
  rule('mailgun-api-key', ['key-'],
    /(?<![A-Za-z0-9_-])key-[a-f0-9]{32}(?![A-Za-z0-9])/, { entropy: 3 }),
  // Mailchimp: 32 hex and the data centre (-us12), found from "-us".
  rule('mailchimp-api-key', ['-us'],
    /(?<![A-Za-z0-9])[a-f0-9]{32}-us\d{1,2}(?![A-Za-z0-9])/, { lead: 32, entropy: 3 }),
  // Google: OAuth client secrets, access tokens, refresh tokens, FCM server keys.
  rule('google-oauth-client-secret', ['gocspx-'],
    /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/),
  rule('google-oauth-access-token', ['ya29.'],
    /(?<![A-Za-z0-9_-])ya29\.[A-Za-z0-9_-]{30,2048}(?![A-Za-z0-9_-])/, { entropy: 3.5 }),
  rule('google-oauth-refresh-token', ['1//0'],
    /(?<![A-Za-z0-9_/-])1\/\/0[A-Za-z0-9_-]{40,512}(?![A-Za-z0-9_-])/, { entropy: 3.5 }),
  rule('firebase-fcm-server-key', [':apa91b'],
    /(?<![A-Za-z0-9_-])AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160}(?![A-Za-z0-9_-])/, { lead: 11 }),
  rule('tencent-secret-id', ['akid'],
    /(?<![A-Za-z0-9])AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])/, { entropy: 3 }),
  rule('netlify-token', ['nfp_', 'nfc_', 'nfo_'],
    /(?<![A-Za-z0-9_])nf[pco]_[A-Za-z0-9]{36,40}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('render-api-key', ['rnd_'],
    /(?<![A-Za-z0-9_])rnd_[A-Za-z0-9]{32}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('bitbucket-app-password', ['atbb'],
    /(?<![A-Za-z0-9])ATBB[A-Za-z0-9]{32}(?![A-Za-z0-9])/, { entropy: 3 }),
  // New Relic license keys: 36 hex and "NRAL", or (EU and other regions) the region (eu01xx) and
  // 30 hex; Insights insert keys: NRII-.
  rule('new-relic-license-key', ['nral'],
    /(?<![A-Za-z0-9])(?:[a-f0-9]{36}|[a-z]{2}\d{2}xx[a-f0-9]{30})NRAL(?![A-Za-z0-9])/, { lead: 36 }),
  rule('new-relic-insert-key', ['nrii-'],
    /(?<![A-Za-z0-9_-])NRII-[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/),
  // Buildkite and CircleCI print hex; other scanners' examples use any letter, and the prefix says enough.
  rule('buildkite-token', ['bkua_'],
    /(?<![A-Za-z0-9_])bkua_[a-z0-9]{40}(?![A-Za-z0-9])/),
  rule('circleci-token', ['ccipat_'],
    /(?<![A-Za-z0-9_])CCIPAT_[A-Za-z0-9]{22}_[A-Za-z0-9]{40}(?![A-Za-z0-9])/),
  rule('contentful-token', ['cfpat-'],
    /(?<![A-Za-z0-9_-])CFPAT-[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/),
  // Dropbox short-lived tokens: "sl." (or "sl.u.") and at least 130 characters.
  rule('dropbox-token', ['sl.'],
    /(?<![A-Za-z0-9_.-])sl\.(?:u\.)?[A-Za-z0-9_-]{130,1400}(?![A-Za-z0-9_-])/, { entropy: 3.5 }),
  // Mapbox secret tokens: sk. and a JWT-like body (pk. tokens are public).
  rule('mapbox-secret-token', ['sk.eyj'],
    /(?<![A-Za-z0-9_.-])sk\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/),
  rule('supabase-token', ['sbp_', 'sb_secret_'],
    /(?<![A-Za-z0-9_])(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,64})(?![A-Za-z0-9_-])/),
  rule('replicate-token', ['r8_'],
    /(?<![A-Za-z0-9_])r8_[A-Za-z0-9]{37}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('pinecone-api-key', ['pcsk_'],
    /(?<![A-Za-z0-9_])pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{40,80}(?![A-Za-z0-9_])/),
  rule('langsmith-api-key', ['lsv2_'],
    /(?<![A-Za-z0-9_])lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![A-Za-z0-9_])/),
  rule('hubspot-private-app-token', ['pat-na1-', 'pat-na2-', 'pat-eu1-', 'pat-ap1-'],
    new RegExp(String.raw`(?<![A-Za-z0-9_-])pat-(?:na|eu|ap)\d-${GUID}(?![0-9a-fA-F-])`)),

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

  // A name/value pair in YAML whose name says secret, as container env is written (kubectl get
  // pod -o yaml, a Deployment, a compose file's env list): "- name: DB_PASSWORD" then "value: …".
  // JSON's pairs are the JSON walker's (json-text.ts), by the policy's sensitive keys.
  rule('yaml-env-secret', ['name:'],
    /name:[ \t]{0,8}["']?[\w.-]{0,64}?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|connection[_-]?string)["']?[ \t]{0,8}\r?\n[ \t]{0,64}value:[ \t]{0,8}(["']?)([^\s"'#][^\r\n"'#]{0,1023}?)\1[ \t]*(?=$|[\r\n#])/im,
    { extent: 'block', secretGroup: 2, allow: unlessFilledInOrPlaceholder }),

  // Azure's access keys as its list-keys answers name them: key1/key2 (Azure OpenAI and AI
  // services, Event Grid, Maps), primaryKey/secondaryKey (Service Bus, Event Hubs, Relay,
  // SignalR, IoT Hub, AI Search), primaryMasterKey and its read-only kin (Cosmos DB), masterKey
  // (Functions). Named so, a key-shaped value (32 to 100 base64 or hex characters) is the key;
  // a schema's "primaryKey": "id" is not.
  rule('azure-access-key', ['key1', 'key2', 'primary', 'secondary', 'masterkey', 'master_key'],
    new RegExp(String.raw`(?<![A-Za-z0-9])(?:key[12]|(?:primary|secondary)(?:_?read_?only)?(?:_?master)?_?key|master_?key)\\?["'\x60]?\s{0,8}(?::|=)\s{0,8}\\?["'\x60]?([A-Za-z0-9+/_-]{32,100}={0,2})(?![A-Za-z0-9+/=_-])`, 'i'),
    { extent: 'line', entropy: 3, allow: unlessWordsOrBelow(3) }),

  // Formats that other scanners' example sets showed missing, written from each provider's
  // documentation (or, for crypt hashes and .netrc, the format's own manual page).
  rule('crates-io-token', ['cio'],
    /(?<![A-Za-z0-9_])cio[A-Za-z0-9]{32}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Dependency-Track API keys: odt_ and 32 characters, or (4.13 on) odt_, an 8-character public id, "_", the key.
  rule('dependency-track-api-key', ['odt_'],
    /(?<![A-Za-z0-9_])odt_(?:[A-Za-z0-9]{8}_)?[A-Za-z0-9]{32,40}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('tavily-api-key', ['tvly-'],
    /(?<![A-Za-z0-9_-])tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // PostHog personal API keys (phx_) and feature-flag secure keys (phs_); project keys (phc_) are public.
  rule('posthog-api-key', ['phx_', 'phs_'],
    /(?<![A-Za-z0-9_])ph[xs]_[A-Za-z0-9_]{30,64}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // ClickUp personal tokens: pk_, the user's id, "_", 32 upper-case letters and digits.
  rule('clickup-api-token', ['pk_'],
    /(?<![A-Za-z0-9_])pk_\d{6,10}_[0-9A-Z]{32}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // ElevenLabs API keys: sk_ and 48 hex (Stripe's sk_live_/sk_test_ are another rule's).
  rule('elevenlabs-api-key', ['sk_'],
    /(?<![A-Za-z0-9_])sk_[a-f0-9]{48}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('fleetbase-api-key', ['flb_live_', 'flb_test_'],
    /(?<![A-Za-z0-9_])flb_(?:live|test)_[A-Za-z0-9]{20,40}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('flexport-api-key', ['shltm_'],
    /(?<![A-Za-z0-9_])shltm_[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  rule('ionic-token', ['ion_'],
    /(?<![A-Za-z0-9_])ion_[A-Za-z0-9]{42}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Pagar.me API keys (ak_); the encryption keys (ek_) go to browsers.
  rule('pagarme-api-key', ['ak_live_', 'ak_test_'],
    /(?<![A-Za-z0-9_])ak_(?:live|test)_[A-Za-z0-9]{30}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('nightfall-api-key', ['nf-'],
    /(?<![A-Za-z0-9_-])NF-[A-Za-z0-9]{32}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // FullStory API keys: the data region (na1, eu1), ".", base64.
  rule('fullstory-api-key', ['na1.', 'eu1.'],
    /(?<![A-Za-z0-9_.])(?:na1|eu1)\.[A-Za-z0-9+/]{80,200}={0,2}(?![A-Za-z0-9+/=])/, { entropy: 4 }),
  rule('ubidots-token', ['bbff-'],
    /(?<![A-Za-z0-9_-])BBFF-[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Notion's internal integration secrets before ntn_ (gitleaks' rule): secret_ and 43.
  rule('notion-integration-token', ['secret_'],
    /(?<![A-Za-z0-9_])secret_[A-Za-z0-9]{43}(?![A-Za-z0-9_])/, { entropy: 3.5 }),
  rule('nvidia-api-key', ['nvapi-'],
    /(?<![A-Za-z0-9_-])nvapi-[A-Za-z0-9_-]{64}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // MongoDB Atlas service account secrets (the client id, mdb_sa_id_, is not secret).
  rule('mongodb-atlas-service-account-secret', ['mdb_sa_sk_'],
    /(?<![A-Za-z0-9_])mdb_sa_sk_[A-Za-z0-9_-]{32,64}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  rule('adafruit-io-key', ['aio_'],
    /(?<![A-Za-z0-9_])aio_[A-Za-z0-9]{28}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Twitch stream keys: live_, the channel id, "_", 30 characters.
  rule('twitch-stream-key', ['live_'],
    /(?<![A-Za-z0-9_])live_\d{6,12}_[A-Za-z0-9]{30}(?![A-Za-z0-9_])/),
  // TeamCity access tokens: a JWT-like token whose header is {"typ": "TCV2"}.
  rule('teamcity-token', ['eyj0exaioiaivenwmij9'],
    /eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_-]{20,80}\.[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])/),
  // Salesforce session ids and access tokens: the org id (00D, 12 or 15 characters), "!", the token.
  rule('salesforce-access-token', ['00d'],
    /(?<![A-Za-z0-9])00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,256}(?![A-Za-z0-9._])/, { requires: '!' }),
  // Microsoft Teams incoming webhooks, the connector's URL (outlook.office.com, then
  // <tenant>.webhook.office.com): everything after /webhook/ or /webhookb2/ is the credential.
  rule('microsoft-teams-webhook', ['outlook.office.com/webhook/', 'outlook.office365.com/webhook/', '.webhook.office.com/webhookb2/'],
    new RegExp(String.raw`(?:outlook\.office(?:365)?\.com\/webhook|\.webhook\.office\.com\/webhookb2)\/(${GUID}@${GUID}\/IncomingWebhook\/[A-Za-z0-9]{32}\/${GUID}(?:\/[A-Za-z0-9_-]{20,100})?)`)),
  // Telegram bot tokens as the Bot API documents them (<bot id>:<35 characters>) where a name
  // says Telegram, or in an apprise tgram:// URL; masked whole, as a generic rule would mask it.
  rule('telegram-bot-token', ['telegram', 'tgram://'],
    new RegExp(String.raw`(?:telegram[\w.-]{0,24}?${ASSIGN_OR_FLAG}|tgram:\/\/)(\d{5,12}:[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line', entropy: 3 }),
  // kubeadm bootstrap tokens ([a-z0-9]{6}.[a-z0-9]{16}) given to --token or --tls-bootstrap-token.
  rule('kubernetes-bootstrap-token', ['--token', 'bootstrap-token', 'bootstraptoken'],
    /(?:--token|bootstrap-?token)(?:\s+|\s*[=:]\s*["']?)([a-z0-9]{6}\.[a-z0-9]{16})(?![A-Za-z0-9])/i, { extent: 'line' }),
  // Vault's service tokens before 1.10's hvs.: s. and a base64 protobuf (CAES…) where namespaced;
  // the project's rule reads hvs., hvb. and hvr.
  rule('hashicorp-vault-token', ['s.caes'],
    /(?<![A-Za-z0-9_.-])s\.CAES[A-Za-z0-9_-]{40,300}(?![A-Za-z0-9_-])/, { entropy: 3.5 }),
  // Postmark server and account tokens (GUIDs) and Code Climate's test reporter id (64 hex), named.
  rule('postmark-token', ['postmark'],
    new RegExp(String.raw`postmark(?:[\w.-]{0,16}?(?:token|key))?${SEPARATOR}["']?(${GUID})(?![0-9A-Fa-f-])`, 'i'), { extent: 'line' }),
  rule('codeclimate-reporter-id', ['cc_test_reporter_id'],
    new RegExp(String.raw`CC_TEST_REPORTER_ID${ASSIGN}["']?([a-f0-9]{64})(?![A-Za-z0-9])`, 'i'), { extent: 'line', entropy: 3 }),
  // Vault unseal keys (key shares of 33 bytes, in base64 or hex): as `vault operator init` prints
  // them and as given to `vault operator unseal`.
  rule('vault-unseal-key', ['unseal'],
    /unseal(?:[ \t]{1,8}key[ \t]{1,8}\d{1,2}[ \t]{0,8}:|(?:[ \t]{1,8}-[\w-]{1,32}(?:=\S{1,256})?){0,4})[ \t]{1,8}([A-Za-z0-9+/]{43,44}={0,2}|[a-f0-9]{64,66})(?![A-Za-z0-9+/=])/i,
    { extent: 'line' }),
  // .netrc (curl, git, ftp): machine <host> [login <user>] [account <a>] password <password>, on one line or several.
  rule('netrc-password', ['machine'],
    /machine\s+\S+(?:\s+(?:login|account|port)\s+\S+){0,3}\s+password\s+(\S{1,256})/,
    { extent: 'block', allow: unlessFilledInOrPlaceholder }),
  // Password hashes, which crack offline (crypt(5)): md5crypt, sha256crypt, sha512crypt, Apache
  // apr1, bcrypt, yescrypt, Cisco types 8 and 9, Argon2, databases' verifiers, and Kerberos
  // AS-REP and TGS hashes.
  rule('password-hash', ['$1$', '$5$', '$6$', '$apr1$'],
    /\$(?:1|5|6|apr1)\$(?:rounds=\d{1,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}(?![./A-Za-z0-9])/, { secretGroup: 0 }),
  rule('password-hash', ['$2a$', '$2b$', '$2x$', '$2y$'],
    /\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}(?![./A-Za-z0-9])/, { secretGroup: 0 }),
  rule('password-hash', ['$y$', '$8$', '$9$'],
    /\$(?:y\$[./A-Za-z0-9]{1,30}\$[./A-Za-z0-9]{1,86}|[89]\$[./A-Za-z0-9]{14})\$[./A-Za-z0-9]{43}(?![./A-Za-z0-9])/, { secretGroup: 0 }),
  rule('password-hash', ['$argon2'],
    /\$argon2(?:id|i|d)\$v=\d{1,3}\$m=\d{1,10},t=\d{1,5},p=\d{1,3}\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}(?![A-Za-z0-9+/])/, { secretGroup: 0 }),
  // Database password verifiers, as an agent reading pg_authid or mysql.user sees them:
  // PostgreSQL's SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> and md5<32 hex>;
  // MySQL's and MariaDB's mysql_native_password hash (*<40 hex>) where SHOW GRANTS or SHOW
  // CREATE USER prints it (IDENTIFIED BY PASSWORD '…', IDENTIFIED WITH … AS '…').
  rule('password-hash', ['scram-sha-256$'],
    /SCRAM-SHA-256\$\d{1,7}:[A-Za-z0-9+/]{16,64}={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=/, { secretGroup: 0 }),
  rule('password-hash', ['md5'],
    /(?<![A-Za-z0-9_])md5[a-f0-9]{32}(?![A-Za-z0-9])/, { secretGroup: 0 }),
  rule('password-hash', ['identified'],
    /IDENTIFIED\s{1,8}(?:BY\s{1,8}PASSWORD|(?:WITH|VIA)\s{1,8}['"\x60]?\w{1,64}['"\x60]?\s{1,8}(?:AS|USING))\s{1,8}(?:PASSWORD\(\s{0,8})?'([^'\r\n]{16,256})'/i,
    { extent: 'line' }),
  rule('password-hash', ['$krb5asrep$', '$krb5tgs$', '$krb5pa$'],
    /\$krb5(?:asrep|tgs|pa)\$\d{1,2}\$[^\s"'\x60]{40,8192}/, { secretGroup: 0 }),
  // Passwords in SQL, as an agent sends them through a database connection: MySQL's and
  // MariaDB's IDENTIFIED BY '…' and SET PASSWORD … = '…', PostgreSQL's [ENCRYPTED] PASSWORD '…',
  // SQL Server's WITH PASSWORD = N'…'.
  rule('sql-password', ['identified'],
    /IDENTIFIED\s{1,8}BY\s{1,8}'((?:[^'\\\r\n]|\\.|''){1,256})'/i,
    { extent: 'line', allow: unlessPlaceholderPassword }),
  rule('sql-password', ['password'],
    /(?:(?<=SET\s{1,8})PASSWORD(?:\s{1,8}FOR\s{1,8}[^\s=]{1,128})?\s{0,8}=\s{0,8}(?:PASSWORD\(\s{0,8})?|PASSWORD\s{1,8})'((?:[^'\\\r\n]|\\.|''){1,256})'/i,
    { extent: 'line', allow: unlessPlaceholderPassword }),
  rule('sql-password', ['with password'],
    /WITH\s{1,8}PASSWORD\s{0,8}=\s{0,8}N?'((?:[^'\r\n]|''){1,256})'/i,
    { extent: 'line', allow: unlessPlaceholderPassword }),

  // Passwords written into Windows command lines and scripts: PsExec -p, PowerShell's
  // ConvertTo-SecureString -AsPlainText, .NET's NetworkCredential(user, password); keytool's and
  // OpenSSL's.
  rule('command-line-password', ['psexec'],
    /[Pp][Ss][Ee][Xx][Ee][Cc](?:64)?(?:\.[Ee][Xx][Ee])?\s[^\r\n]{0,120}? -p[ \t]{1,8}(["']?)([^\s"']{1,128})\1/,
    { extent: 'line', secretGroup: 2, requires: ' -p', allow: unlessFilledInOrPlaceholder }),
  rule('command-line-password', ['convertto-securestring'],
    /ConvertTo-SecureString\s+(?:-String\s+)?(["'])([^"'\r\n]{1,256})\1[^\r\n]{0,80}?-AsPlainText/i,
    // 'block': the match reaches past the secret, to -AsPlainText, which a stream may not hold yet.
    { extent: 'block', secretGroup: 2, allow: unlessFilledInOrPlaceholder }),
  // Java's keystore tools (-storepass:env and -storepass:file name where it is, not what it is)
  // and OpenSSL's pass phrases given as pass:<phrase> (env:, file:, fd: and stdin name a source).
  rule('command-line-password', ['keytool', 'jarsigner'],
    /(?:keytool|jarsigner)(?:\.exe)?\s[^\r\n|;&]{0,120}?\s-(?:src|dest|new)?(?:storepass|keypass)[ \t]{1,8}(["']?)([^\s"']{1,128})\1/,
    { extent: 'line', secretGroup: 2, requires: 'pass', allow: unlessFilledInOrPlaceholder }),
  rule('command-line-password', ['pass:'],
    /(?<=(?<![\w-])-pass(?:in|out|word)?[ \t]{1,8}["']?)pass:([^\s"']{1,256})/,
    { extent: 'line', allow: unlessFilledInOrPlaceholder }),
  rule('command-line-password', ['networkcredential('],
    /NetworkCredential\(\s*(["'])[^"'\r\n]{0,128}\1\s*,\s*(["'])([^"'\r\n]{1,256})\2/i,
    { extent: 'line', secretGroup: 3, allow: unlessPlaceholderPassword }),
  // .NET's DirectoryEntry(path, user, password), the LDAP bind of PowerShell scripts.
  rule('command-line-password', ['directoryentry('],
    /DirectoryEntry\(\s*(["'])[^"'\r\n]{0,256}\1\s*,\s*(["'])[^"'\r\n]{0,128}\2\s*,\s*(["'])([^"'\r\n]{1,256})\3/i,
    { extent: 'line', secretGroup: 4, allow: unlessPlaceholderPassword }),
  // A password told in prose, as a README or an agent's answer tells it: "the password is
  // 'hunter2'", "the password for user 'postgres' is 'admin'". Only a quoted value that is not a
  // state ("the password is required", is "reset"), and not what a password was.
  rule('password-in-prose', ['password'],
    /password(?:\s{1,8}(?:for|of)(?:\s{1,8}(?:the|user|account|login|database|db)){0,2}\s{1,8}["'\u2018\u201c]?[\w.@\\-]{1,64}["'\u2019\u201d]?)?\s{1,8}(?:is|will be)(?:\s{1,8}set to)?:?\s{1,8}["'\u2018\u201c](?!(?:reset|changed|updated|expired|required|incorrect|invalid|wrong|correct|empty|blank|hidden|masked|redacted|optional|missing|set)["'\u2019\u201d])([^"'\u2018\u2019\u201c\u201d\r\n]{3,128})["'\u2019\u201d]/i,
    { extent: 'line', allow: unlessPlaceholderPassword }),

  // Prefixed formats an audit found masked only after a sensitive name (or not at all): a token
  // alone in a JSON array, a log line, prose or a call's argument. Each from the provider's
  // documented format (or the detectors of TruffleHog, Nosey Parker, Kingfisher and gitleaks
  // that cite it), with its exact length and alphabet.
  // X (Twitter) app-only bearer tokens: 20 to 22 "A" (zero bytes) and the URL-encoded rest, with
  // its %2B, %2F or %3D. The run of "A" is the format, not a placeholder (signed).
  rule('twitter-bearer-token', ['aaaaaaaaaaaaaaaaaaaa'],
    /(?<![A-Za-z0-9%+/_-])A{20,22}(?=[A-Za-z0-9%]{0,120}%(?:2B|2F|3D))[A-Za-z0-9%]{70,130}(?![A-Za-z0-9%+/=_-])/,
    { signed: true, entropy: 3 }),
  // Laravel's APP_KEY: "base64:" and 32 random bytes, as `php artisan key:generate` writes it.
  rule('laravel-app-key', ['app_key', 'appkey', 'app-key'],
    new RegExp(String.raw`app[_-]?key${SEPARATOR}(base64:[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])`, 'i'),
    { extent: 'line', entropy: 3 }),
  // Brevo (Sendinblue) SMTP keys: xsmtpsib-, 64 hex, "-", 16 (the API keys, xkeysib-, are gitleaks').
  rule('brevo-smtp-key', ['xsmtpsib-'],
    /(?<![A-Za-z0-9_-])xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Trello tokens issued since 2023: ATTA, 64 hex, an 8-hex checksum in upper case.
  rule('trello-token', ['atta'],
    /(?<![A-Za-z0-9_])ATTA[a-f0-9]{64}[A-F0-9]{8}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // SonarQube user, project and global analysis tokens (squ_, sqp_, sqa_ and 40 hex); SonarQube Cloud's sqco_.
  rule('sonarqube-token', ['squ_', 'sqp_', 'sqa_'],
    /(?<![A-Za-z0-9_])sq[upa]_[a-f0-9]{40}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('sonarqube-token', ['sqco_'],
    /(?<![A-Za-z0-9_])sqco_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // CircleCI project API tokens (CCIPRJ_), laid out as its personal tokens (CCIPAT_).
  rule('circleci-token', ['cciprj_'],
    /(?<![A-Za-z0-9_])CCIPRJ_[A-Za-z0-9]{22}_[a-f0-9]{40}(?![A-Za-z0-9])/),
  // Deno Deploy personal (ddp_) and organization (ddw_) tokens.
  rule('deno-deploy-token', ['ddp_', 'ddw_'],
    /(?<![A-Za-z0-9_])dd[pw]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Honeycomb's v2 keys: hc, a team letter, ik_ (ingest) or ic_ (configuration), 58 lower-case
  // letters and digits; the classic keys (22 characters, 32 hex) where the header names them.
  rule('honeycomb-api-key', [...'abcdefghijklmnopqrstuvwxyz'].flatMap((c) => [`hc${c}ik_`, `hc${c}ic_`]),
    /(?<![A-Za-z0-9_])hc[a-z]i[kc]_[a-z0-9]{58}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('honeycomb-api-key', ['x-honeycomb-team'],
    /x-honeycomb-team\\?["']?[ \t]{0,8}[:=][ \t]{0,8}\\?["']?([A-Za-z0-9]{22}|[a-f0-9]{32})(?![A-Za-z0-9_-])/i,
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  // Splunk's HTTP Event Collector token, a GUID, as its header sends it: Authorization: Splunk <token>.
  rule('splunk-hec-token', ['splunk '],
    new RegExp(String.raw`(?<![A-Za-z0-9_-])Splunk[ \t]{1,8}(${GUID})(?![0-9A-Fa-f-])`, 'i'), { extent: 'line' }),
  // Axiom API (xaat-), personal (xapt-) and ingest (xait-) tokens: the prefix and a GUID.
  rule('axiom-token', ['xaat-', 'xapt-', 'xait-'],
    new RegExp(String.raw`(?<![A-Za-z0-9_-])xa[api]t-${GUID}(?![0-9A-Za-z_-])`)),
  // OneSignal's REST API keys (os_v2_app_) and organization keys (os_v2_org_): base32, lower case.
  rule('onesignal-api-key', ['os_v2_app_', 'os_v2_org_'],
    /(?<![A-Za-z0-9_])os_v2_(?:app|org)_[a-z2-7]{100,130}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('together-api-key', ['tgp_v1_'],
    /(?<![A-Za-z0-9_])tgp_v1_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Firecrawl: fc- and 32 hex, exactly (a GUID's "…-4bfc-…" is no boundary).
  rule('firecrawl-api-key', ['fc-'],
    /(?<![A-Za-z0-9_-])fc-[a-f0-9]{32}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  rule('apify-api-token', ['apify_api_'],
    /(?<![A-Za-z0-9_])apify_api_[A-Za-z0-9]{36}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Resend API keys: re_, an 8-character id, "_", a 24-character secret.
  rule('resend-api-key', ['re_'],
    /(?<![A-Za-z0-9_])re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}(?![A-Za-z0-9_])/, { entropy: 3.5 }),
  // Mandrill (Mailchimp Transactional) API keys: md- and 22; a generic prefix, so the body must
  // be random, both cases and a digit, no words (Angular Material's md-button-toggle stays).
  rule('mandrill-api-key', ['md-'],
    /(?<![A-Za-z0-9_-])md-(?=[A-Za-z0-9_-]{0,21}\d)(?=[A-Za-z0-9_-]{0,21}[a-z])(?=[A-Za-z0-9_-]{0,21}[A-Z])[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/,
    { entropy: 3.5, allow: unlessWordsOrBelow(3) }),
  // Modal token secrets (as- and 22), only where a name says so: modal token set --token-secret,
  // MODAL_TOKEN_SECRET=; the token id (ak-) is not secret.
  rule('modal-token-secret', ['--token-secret', 'modal_token_secret', 'token_secret', 'tokensecret'],
    new RegExp(String.raw`(?:--token-secret(?:[ \t]{1,8}|=)["']?|(?:modal[_-]?)?token[_-]?secret${SEPARATOR})(as-[A-Za-z0-9]{22})(?![A-Za-z0-9_-])`, 'i'),
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  // Stripe's PaymentIntent client secret: pi_<id>_secret_<25>; found from "_secret_", 27 after its start.
  rule('stripe-client-secret', ['_secret_'],
    /(?<![A-Za-z0-9_])pi_[A-Za-z0-9]{24}_secret_[A-Za-z0-9]{25}(?![A-Za-z0-9_])/, { lead: 27, secretGroup: 0 }),
  // WooCommerce REST API consumer keys (ck_) and secrets (cs_): 40 hex.
  rule('woocommerce-key', ['ck_', 'cs_'],
    /(?<![A-Za-z0-9_])c[ks]_[a-f0-9]{40}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Mollie API keys (live_ or test_ and 30 letters and digits) and organization access tokens
  // (access_ and 40): generic prefixes, so the body must be random, both cases and digits, no words.
  rule('mollie-api-key', ['live_', 'test_'],
    /(?<![A-Za-z0-9_])(?:live|test)_(?=[A-Za-z0-9]{0,29}\d)(?=[A-Za-z0-9]{0,29}[a-z])(?=[A-Za-z0-9]{0,29}[A-Z])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/,
    { entropy: 3.5, allow: unlessWordsOrBelow(3) }),
  rule('mollie-api-key', ['access_'],
    /(?<![A-Za-z0-9_])access_(?=[A-Za-z0-9]{0,39}\d)(?=[A-Za-z0-9]{0,39}[a-z])(?=[A-Za-z0-9]{0,39}[A-Z])[A-Za-z0-9]{40}(?![A-Za-z0-9_-])/,
    { entropy: 3.5, allow: unlessWordsOrBelow(3) }),
  // Lob API keys: live_ or test_ and 35 hex.
  rule('lob-api-key', ['live_', 'test_'],
    /(?<![A-Za-z0-9_])(?:live|test)_[a-f0-9]{35}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // GoCardless access tokens: live_ and 40 (letters, digits, "_", "-"), random, not words.
  rule('gocardless-access-token', ['live_'],
    /(?<![A-Za-z0-9_])live_(?=[A-Za-z0-9_-]{0,39}\d)(?=[A-Za-z0-9_-]{0,39}[A-Z])[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/,
    { entropy: 3.5, allow: unlessWordsOrBelow(3) }),
  // Checkout.com secret keys: sk_sbox_ (sandbox) and 26 base32 and a check character; the live
  // form (sk_ and the same) only where a name says Checkout.com.
  rule('checkout-secret-key', ['sk_sbox_'],
    /(?<![A-Za-z0-9_])sk_sbox_[a-z2-7]{26}[a-z2-7*#$=]?(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('checkout-secret-key', ['checkout', 'cko_'],
    new RegExp(String.raw`(?:checkout|cko)[\w.-]{0,24}?(?:secret|key)${ASSIGN}(sk_(?:sbox_)?[a-z2-7]{26}[a-z2-7*#$=]?)(?![A-Za-z0-9_])`, 'i'),
    { extent: 'line', entropy: 3 }),
  // Klaviyo private API keys: pk_ and 34 hex (the public site id is 6 characters).
  rule('klaviyo-private-key', ['pk_'],
    /(?<![A-Za-z0-9_])pk_[a-f0-9]{34}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Meta (Facebook) user, page and app access tokens: EAA, an app letter, 100 or more letters and
  // digits; Instagram's: IGQV and base64url. Not the head of a base64 run (+, /, = after it).
  rule('facebook-access-token', ['eaa'],
    /(?<![A-Za-z0-9_+/-])EAA[A-Z][A-Za-z0-9]{100,1000}(?![A-Za-z0-9_+/=-])/, { entropy: 4 }),
  rule('instagram-access-token', ['igqv'],
    /(?<![A-Za-z0-9_+/-])IGQV[A-Za-z0-9_-]{150,1000}(?![A-Za-z0-9_+/=-])/, { entropy: 4 }),
  // Stytch project secrets: secret-live- or secret-test-, about 35 base64url and "=".
  rule('stytch-secret', ['secret-live-', 'secret-test-'],
    /(?<![A-Za-z0-9_-])secret-(?:live|test)-[A-Za-z0-9_-]{32,40}=(?![A-Za-z0-9_=-])/, { entropy: 3 }),
  // Bitwarden Secrets Manager access tokens: 0.<access token id>.<client secret>:<16-byte key in
  // base64>; found from the key's last character and "==" (lead 91), as Azure's keys are.
  rule('bitwarden-access-token', ['a==', 'q==', 'g==', 'w=='],
    new RegExp(String.raw`(?<![A-Za-z0-9.])0\.${GUID}\.[A-Za-z0-9]{30}:[A-Za-z0-9+/]{21}[AQgw]==(?![A-Za-z0-9+/=])`),
    { lead: 91, secretGroup: 0 }),
  rule('wakatime-api-key', ['waka_'],
    new RegExp(String.raw`(?<![A-Za-z0-9_])waka_${GUID}(?![0-9A-Za-z_-])`)),
  // Yandex: OAuth tokens (y0_ and about 55 base64url) and IAM tokens (t1., base64url, ".", 86).
  rule('yandex-token', ['y0_'],
    /(?<![A-Za-z0-9_])y0_[A-Za-z0-9_-]{50,64}(?![A-Za-z0-9_-])/, { entropy: 3.5 }),
  rule('yandex-token', ['t1.'],
    /(?<![A-Za-z0-9_.-])t1\.[A-Za-z0-9_-]{40,400}={0,2}\.[A-Za-z0-9_-]{86}={0,2}(?![A-Za-z0-9_=-])/, { entropy: 3.5 }),
  // Amazon: MWS auth tokens (amzn.mws.<GUID>); Login with Amazon refresh (Atzr|) and access
  // (Atza|) tokens, as the Selling Partner API hands them out.
  rule('amazon-mws-auth-token', ['amzn.mws.'],
    new RegExp(String.raw`amzn\.mws\.${GUID}(?![0-9A-Za-z_-])`)),
  rule('amazon-lwa-token', ['atzr|', 'atza|'],
    /(?<![A-Za-z0-9_])Atz[ra]\|[A-Za-z0-9_-]{50,2048}(?![A-Za-z0-9_-])/, { entropy: 3.5 }),
  // Salesforce refresh tokens: 5Aep861 and 80 or more; not a final full stop.
  rule('salesforce-refresh-token', ['5aep861'],
    /(?<![A-Za-z0-9])5Aep861[A-Za-z0-9._=]{79,1023}[A-Za-z0-9_=](?![A-Za-z0-9_=])/i, { entropy: 3.5 }),
  // New Relic browser keys (NRJS- and 19 hex) and mobile application tokens (AA, 40 hex, -NRMA,
  // or the region's eu01xx and 36 hex), found from "-NRMA" (lead 42).
  rule('new-relic-browser-key', ['nrjs-'],
    /(?<![A-Za-z0-9_-])NRJS-[a-f0-9]{19}(?![A-Za-z0-9_-])/),
  rule('new-relic-mobile-token', ['-nrma'],
    /(?<![A-Za-z0-9])(?:AA[a-f0-9]{40}|eu01xx[a-f0-9]{36})-NRMA(?![A-Za-z0-9])/, { lead: 42, secretGroup: 0, entropy: 3 }),
  rule('sourcegraph-cody-token', ['slk_'],
    /(?<![A-Za-z0-9_])slk_[a-f0-9]{64}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Intercom access tokens: the base64 of "tok:…" (so dG9rO…); masked when it decodes so.
  rule('intercom-access-token', ['dg9ro'],
    /(?<![A-Za-z0-9+/_-])dG9rO[A-Za-z0-9+/]{50,120}={0,2}(?![A-Za-z0-9+/=_-])/,
    { entropy: 3.5, allow: (s) => !Buffer.from(s, 'base64').toString('latin1').startsWith('tok:') }),
  // Photoroom API keys: [sandbox_]sk_pr_<name>_<40 hex>.
  rule('photoroom-api-key', ['sk_pr_'],
    /(?<![A-Za-z0-9])sk_pr_[A-Za-z0-9]{1,64}_[a-fA-F0-9]{40}(?![A-Za-z0-9_])/),
  rule('robinhood-crypto-api-key', ['rh-api-'],
    new RegExp(String.raw`(?<![A-Za-z0-9_-])rh-api-${GUID}(?![0-9A-Za-z_-])`)),
  rule('endor-labs-api-key', ['endr+'],
    /(?<![A-Za-z0-9_+-])endr\+[A-Za-z0-9-]{16}(?![A-Za-z0-9_+-])/, { entropy: 3 }),
  rule('saladcloud-api-key', ['salad_cloud_'],
    /(?<![A-Za-z0-9_])salad_cloud_[0-9A-Za-z]{1,7}_[0-9A-Za-z]{7,235}(?![A-Za-z0-9_])/, { entropy: 3 }),

  // The value a command stores as a secret, whatever its name: az keyvault secret set --value,
  // gh secret set --body, aws secretsmanager --secret-string, kubectl's --from-literal=key=value,
  // docker login -p. An agent that sets a secret sends it on a command line. 'block': a quoted
  // value may hold blanks, which a stream must hold until its quote closes.
  ...cliSecretValues(),
];
