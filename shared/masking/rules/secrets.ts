// The secret rules authored in the project. Each runs as a sticky regex at its keyword hits
// (`anchoredLead`), so its cost is per hit, not per byte. Boundaries are lookbehinds and
// lookaheads so that a token inside a longer run of token characters is not cut out of it.
import type { RegexRule } from '../rule.js';
import { ASSIGN, rule } from './define.js';
import { isEncodedKeyBlock, isPlaceholderKeyBlock, looksLikeCode, looksPlain, unlessPlaceholder, unlessPlaceholderPassword, unlessToldAsWords, unlessUrlPlaceholderPassword, unlessPlainOrBelow, unlessWordsOrBelow } from './filters.js';
import { IDENTIFIABLE_64, providerRules } from './providers.js';
import { serviceTokenRules } from './service-tokens.js';

/** The signatures of the 64-byte identifiable keys of services other than Storage. */
const OTHER_SIGNATURES = new Set(IDENTIFIABLE_64.map(([, signature]) => signature).filter((signature) => signature !== '+ASt'));

const DB_SCHEMES = 'postgres(?:ql)?|mysqlx?|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|oracle|db2|couchbases?|neo4j(?:\\+s)?|bolt|nats|memcached?';

const hasDigitAndLetter = (s: string) => /\d/.test(s) && /[A-Za-z]/.test(s);

/** An authorization header's scheme, just before its value. */
const AFTER_SCHEME = /(?:basic|bearer|token|digest|negotiate|apikey|api-token|ssws|sharedkey|sharedaccesssignature)\s+$/i;

export const secretRules: readonly RegexRule[] = [
  // Cloud credentials.
  // Access key ids (AKIA, ASIA…) and the other unique ids IAM hands out (AIDA users, AROA roles,
  // AGPA groups…), which name a principal; base32, but digits outside it are accepted too.
  rule('aws-access-key-id', ['akia', 'asia', 'abia', 'acca', 'a3t', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva'],
    /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}(?![A-Za-z0-9])/, { entropy: 3 }),
  rule('aws-secret-access-key', ['secret_access_key', 'secretaccesskey', 'secret-access-key'],
    new RegExp(String.raw`secret[_-]?access[_-]?key${ASSIGN}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, 'i'), { extent: 'line' }),
  rule('azure-storage-account-key', ['accountkey'],
    /AccountKey\s*=\s*([A-Za-z0-9+/]{86}==)/i, { extent: 'line' }),
  // A bare key, as ARM's listKeys or a deployment's outputs return it: 64 random bytes in
  // base64, so 86 characters, the last of which carries 2 bits (A, Q, g or w), then "==".
  // Found from its last character and "==" (lead 85): a run of "=" is no hit at every offset.
  // Digits and both cases, and a random key's entropy, are required.
  rule('azure-storage-account-key', ['a==', 'q==', 'g==', 'w=='],
    /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{85}[AQgw]==(?![A-Za-z0-9+/=])/,
    // Another service's identifiable key (its signature at 76) is named by that service's rule.
    { lead: 85, secretGroup: 0, entropy: 4.5, allow: (s) => !(/\d/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s)) || OTHER_SIGNATURES.has(s.slice(76, 80)), run: /[A-Za-z0-9+/=]/ }),
  rule('azure-shared-access-key', ['sharedaccesskey'],
    /SharedAccessKey\s*=\s*([A-Za-z0-9+/]{42,43}=)/i, { extent: 'line' }),
  // Storage signs in base64 (URL-encoded or not); Logic Apps and Power Automate trigger URLs in base64url.
  rule('azure-sas-signature', ['sig='],
    /(?<=[?&;])sig=((?:[A-Za-z0-9+/_-]|%2[BbFf]){40,}(?:=|%3[Dd]){0,2})/),
  rule('azure-ad-client-secret', ['q~'],
    /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~-])(?!\.[A-Za-z0-9_~-])/, { lead: 4 }),
  rule('gcp-api-key', ['aiza'],
    /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/),
  rule('gcp-service-account-key-id', ['private_key_id'],
    /private_key_id\\?["']?\s*:\s*\\?["']([a-f0-9]{40})(?![a-f0-9])/, { extent: 'line' }),

  // Source hosts and package registries.
  rule('github-token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9_]{36,251}(?![A-Za-z0-9_])/, { run: /[A-Za-z0-9_]/ }),
  // Installation tokens in the stateless form: ghs_<app id>_<JWT>, about 520 characters.
  rule('github-token', ['ghs_'],
    /(?<![A-Za-z0-9_])ghs_\d{1,20}_[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?![A-Za-z0-9_-])(?!\.[A-Za-z0-9_-])/),
  rule('github-fine-grained-pat', ['github_pat_'],
    /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])/),
  rule('gitlab-token', ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glsoat-', 'glcbt-', 'glft-', 'glimt-', 'glagent-', 'gloas-'],
    /(?<![A-Za-z0-9_-])gl(?:pat|dt|rt|ptt|soat|cbt|ft|imt|agent|oas)-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)*/),
  rule('npm-token', ['npm_'],
    /(?<![A-Za-z0-9_])npm_[A-Za-z0-9_]{36}(?![A-Za-z0-9_])/),
  rule('pypi-token', ['pypi-ageichlwas5vcmc'],
    /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/),

  // Chat and SaaS.
  rule('slack-token', ['xoxa-', 'xoxb-', 'xoxe-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'],
    /(?<![A-Za-z0-9])(?:xox[abeoprs]-[A-Za-z0-9-]{10,250}|xapp-\d-[A-Za-z0-9-]{10,250})(?![A-Za-z0-9-])/,
    { run: /[A-Za-z0-9-]/ }),
  rule('slack-webhook', ['hooks.slack.com/'],
    /hooks\.slack\.com\/((?:services|workflows|triggers)\/[A-Za-z0-9_/+-]{20,})/),
  rule('stripe-key', ['sk_live_', 'sk_test_', 'sk_prod_', 'rk_live_', 'rk_test_', 'rk_prod_'],
    /(?<![A-Za-z0-9])[sr]k_(?:live|test|prod)_[A-Za-z0-9]{20,247}(?![A-Za-z0-9])/),
  rule('stripe-webhook-secret', ['whsec_'],
    /(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/]{32,}={0,2}/),
  rule('sendgrid-api-key', ['sg.'],
    /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{10,128}\.[A-Za-z0-9_-]{10,128}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  rule('twilio-api-key', ['sk'],
    /(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/),
  rule('shopify-token', ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    /(?<![A-Za-z0-9])shp(?:at|ca|pa|ss)_[a-zA-Z0-9]{32,64}(?![A-Za-z0-9])/),
  rule('square-token', ['sq0atp-', 'sq0csp-'],
    /sq0(?:atp|csp)-[0-9A-Za-z_-]{22,60}/),
  rule('databricks-token', ['dapi'],
    /(?<![A-Za-z0-9])dapi[a-fA-F0-9]{32}(?:-\d)?(?![A-Za-z0-9])/),
  rule('digitalocean-token', ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    /do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])/),
  rule('atlassian-api-token', ['atatt3'],
    /ATATT3[A-Za-z0-9_=-]{150,}/),
  rule('postman-api-key', ['pmak-'],
    /PMAK-[a-f0-9]{24}-[a-f0-9]{34}/i),
  rule('hashicorp-vault-token', ['hvs.', 'hvb.', 'hvr.'],
    /(?<![A-Za-z0-9])hv[sbr]\.[A-Za-z0-9_-]{24,}/),
  // Personal API keys (lin_api_) and OAuth access tokens (lin_oauth_).
  rule('linear-api-key', ['lin_api_', 'lin_oauth_'],
    /(?<![A-Za-z0-9_])lin_(?:api|oauth)_[A-Za-z0-9_]{32,128}(?![A-Za-z0-9_])/),

  // LLM providers.
  rule('openai-api-key', ['sk-'],
    /(?<![A-Za-z0-9_-])sk-(?!ant-)(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/,
    { entropy: 3.5, allow: (s) => !hasDigitAndLetter(s.slice(3)) }),
  rule('anthropic-api-key', ['sk-ant-'],
    /sk-ant-(?:api|admin|oat|sid)\d{2,3}-[A-Za-z0-9_-]{32,}/),
  // User access tokens (hf_) and organization API tokens (api_org_).
  rule('huggingface-token', ['hf_', 'api_org_'],
    /(?<![A-Za-z0-9_])(?:hf|api_org)_[A-Za-z0-9]{34,40}(?![A-Za-z0-9_])/, { entropy: 3 }),
  rule('groq-api-key', ['gsk_'],
    /(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])/),
  rule('xai-api-key', ['xai-'],
    /(?<![A-Za-z0-9_-])xai-[A-Za-z0-9]{80}(?![A-Za-z0-9])/),

  // Tokens and keys by their shape.
  // Bounded (within MAX_SECRET_LENGTH), so that a hit is tried on the whole token at once: the
  // payload's own "eyJ" is a second hit, and unbounded the rule read no further than its first
  // reach past the header (an Entra access token, 1–3 KB, went through).
  rule('jwt', ['eyj'],
    /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,1000}\.eyJ[A-Za-z0-9_-]{8,6000}\.[A-Za-z0-9_-]{0,1000}(?![A-Za-z0-9_-])/),
  // Its lines broken by real line ends or by escaped ones, once (\n in JSON) or twice (JSON in a
  // JSON string): read to END, or, cut short, through the base64 run.
  rule('private-key', ['-----begin'],
    /-----BEGIN ((?!OPENSSH )(?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{1,8192}?-----END \1PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=:,\s-]|\\{1,3}[nr])*)/,
    { secretGroup: 0, extent: 'block', allow: isPlaceholderKeyBlock }),
  rule('openssh-private-key', ['-----begin'],
    /-----BEGIN OPENSSH PRIVATE KEY-----(?:[\s\S]{1,8192}?-----END OPENSSH PRIVATE KEY-----|(?:[A-Za-z0-9+/=\s-]|\\{1,3}[nr])*)/,
    { extent: 'block', allow: isPlaceholderKeyBlock }),
  // A key block in base64, as kubeconfig's client-key-data and a Secret's tls.key carry it in
  // YAML and text ("LS0tLS1CRUdJTi" is "-----BEGIN " encoded); JSON mode decodes base64 strings
  // itself. Masked when it decodes to a private key: a certificate (certificate-authority-data) is public.
  rule('private-key', ['ls0tls1crudjti'],
    /LS0tLS1CRUdJTi[A-Za-z0-9+/]{60,16384}={0,2}(?![A-Za-z0-9+/=])/,
    { secretGroup: 0, allow: (s) => !isEncodedKeyBlock(s) }),

  // Credentials in connection strings and URLs.
  // The password runs to the authority's last "@": a password may hold a raw "@" (p@ss), which
  // a client reads the same way, and cut at the first the rest of it went through.
  rule('database-url-password', ['://'],
    new RegExp(String.raw`(?<=(?:${DB_SCHEMES})):\/\/[^\s:@\/?#"'<>]*:([^\s\/?"'<>]+)@`, 'i'),
    { allow: unlessUrlPlaceholderPassword, requires: '@' }),
  rule('url-basic-auth', ['://'],
    new RegExp(String.raw`(?<!${DB_SCHEMES})(?<=[A-Za-z0-9]):\/\/[^\s:@\/?#"'<>]+:([^\s\/?"'<>]+)@`, 'i'),
    { allow: unlessUrlPlaceholderPassword, requires: '@' }),
  // A token as a URL's user: https://<token>:x-oauth-basic@github.com/ (package.json
  // dependencies), or a long random user alone (https://<token>@host/).
  // Entropy 3, not 3.5: one random 40-hex token in twenty (GitHub's classic OAuth form) is below 3.5.
  // Not a Sentry DSN's key on sentry.io: public, and documented as safe to ship in a client.
  rule('url-token', ['://'],
    /:\/\/(?:([^\s:@\/?#"'<>]{8,256}):x-oauth-basic@|([A-Za-z0-9_-]{30,256})@(?!o\d+\.ingest\.(?:[a-z]{2}\.)?sentry\.io[/:]))/,
    { entropy: 3, allow: (s) => !hasDigitAndLetter(s), requires: '@' }),
  // .npmrc: _authToken, _auth (base64 of user:password) and _password, whatever their shape;
  // the name starts a line or follows the registry's "//host/:" (CLOUDANT_PASSWORD is not one).
  rule('npmrc-credential', ['_authtoken', '_auth', '_password'],
    /(?<![A-Za-z0-9_])_(?:authToken|auth|password)\s{0,8}=\s{0,8}["']?([^\s"']{6,2048})/i,
    { extent: 'line', allow: (s) => unlessPlaceholder(s) || /^\$/.test(s) }),
  // Two forms: after a separator (`;`, `?`, `&`), the value runs to the next one; anywhere
  // else, a value of bounded length ends at a ';'. The second must find that ';' within its
  // reach (`requires`), or `pwd=pwd=…` would read up to 256 characters at every hit and fail.
  rule('connection-string-password', ['password', 'pwd'],
    /(?<=[;?&][ \t]*)(?:password|pwd)[ \t]*=[ \t]*([^;&"'\s]+)/i,
    { extent: 'line', allow: unlessPlaceholderPassword }),
  rule('connection-string-password', ['password', 'pwd'],
    /(?:password|pwd)\s{0,32}=\s{0,32}([^;&"'\s]{1,256})\s{0,32};/i,
    // Code ends statements with ';' too: `password = process.env.DB_PASSWORD;` names a value.
    // 'block': the match reaches past the secret, across blanks and lines, to its ';'.
    { extent: 'block', allow: (s, m) => unlessPlaceholderPassword(s, m) || looksLikeCode(s), requires: ';' }),

  // Provider formats (providers.ts), ahead of the generic rules: on a tie, theirs is the label.
  ...providerRules,
  ...serviceTokenRules,

  // Headers and generic assignments, gated so that words and code are not masked.
  rule('authorization-header', ['authorization'],
    /authorization\\?["']?\s*[:=]\s*\\?["']?(?:(?:basic|bearer|token|digest|negotiate|apikey|api-token|ssws|sharedkey|sharedaccesssignature)\s+)?([A-Za-z0-9._~+/=:%-]{8,})/i,
    // After a scheme (`Bearer …`) the value is a credential even in letters alone; without one
    // (`Authorization: required`) a word is a word.
    { extent: 'line', allow: (s, match) => (AFTER_SCHEME.test(match.slice(0, match.length - s.length)) ? unlessWordsOrBelow(3)(s) : looksPlain(s)) }),
  rule('bearer-token', ['bearer'],
    /bearer\s+([A-Za-z0-9._~+/-]{16,}=*)/i,
    { extent: 'line', allow: unlessWordsOrBelow(3) }),
  rule('generic-secret',
    ['password', 'passwd', 'passphrase', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'access_key', 'accesskey', 'private_key', 'privatekey', 'credential'],
    // Up to 1 KB: a longer bound than any value's, so that none is masked only in part.
    new RegExp(String.raw`(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)${ASSIGN}([^\s"'\x60\\,;<>(){}\[\]]{8,1024})`, 'i'),
    // A value that ends in ':' is the next YAML key (a pod's `secret:` volume, then `secretName: …`).
    { extent: 'line', allow: (secret) => secret.endsWith(':') || unlessPlainOrBelow(3)(secret) }),
  // A credential told without `=` or `:`, as people write one into a prompt or a chat and as
  // notes keep one: "use api key 8f14e45f…", "my token is Zx8Kq2…", "SECRET ABCD1234-EFGH…",
  // "token - '…'". With no separator to say a value follows, only one that looks generated is
  // taken: 16 or more characters, letters and digits both, not words, not a host name or a path,
  // not a public key's id, and of some entropy, ending where a word would (not inside a longer
  // run of other characters). A public key is no secret. `=` and `:` are the assignment rules';
  // last, so that any other rule names a tie.
  rule('secret-in-prose', ['key', 'token', 'secret', 'password', 'passwd', 'passphrase', 'credential'],
    /(?<!pub(?:lic)?[ \t_-]?)(?:key|token|secret|passw(?:or)?d|passphrase|credential)s?(?:(?:[ \t]{1,8}(?:is|was|will be|should be)(?:[ \t]{1,8}set to)?:?)?[ \t]{1,8}|[ \t]{1,8}[-\u2013\u2014][ \t]{0,8})["'\x60\u2018\u201c]?([A-Za-z0-9][\w+/.~-]{14,254}[A-Za-z0-9]={0,3})(?=$|[\s"'\x60\u2019\u201d,;)\]}>]|[.?!:](?![^\s"'\x60]))/i,
    { extent: 'line', allow: unlessToldAsWords }),
];
