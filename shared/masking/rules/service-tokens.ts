// Service tokens that carry their own prefix or shape, found alone by it: formats other tools'
// detectors held (TruffleHog, Kingfisher, Nosey Parker) and no rule here found. Each shape as
// the service documents it, or, where it calls its tokens opaque, as it issues them: exact
// lengths and alphabets, so that ordinary text does not take the shape.
import type { RegexRule } from '../rule.js';
import { rule } from './define.js';

/** A version-4 UUID in lower-case hex, as LaunchDarkly's keys carry it. */
const UUID_V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A UUID in lower-case hex, as Plaid's tokens carry it. */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Recharge's key tiers (<N>x<M>, what its dashboard issues), with and without test_. */
const RECHARGE_TIERS = ['1', '2', '3', '5', '10'];
const PLAID_ENVIRONMENTS = ['sandbox', 'development', 'production'];

/** Whether base64 `value` decodes to printable `user:password`, both present. */
function isUserAndPassword(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon > 0 && colon < decoded.length - 1 && /^[\x20-\x7e]+$/.test(decoded);
}

export const serviceTokenRules: readonly RegexRule[] = [
  // Zoho OAuth access and refresh tokens: "1000.", 32 hex, ".", 32 hex (the client id, 1000.
  // and 30 upper-case characters, is not secret and is not this shape).
  rule('zoho-oauth-token', ['1000.'],
    /(?<![A-Za-z0-9_.])1000\.[a-f0-9]{32}\.[a-f0-9]{32}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // LaunchDarkly: API access tokens (api-) and server-side SDK keys (sdk-), each a v4 UUID.
  // Mobile keys (mob-) and client-side ids are not secret, as LaunchDarkly documents them.
  rule('launchdarkly-access-token', ['api-'],
    new RegExp(String.raw`(?<![A-Za-z0-9_-])api-${UUID_V4}(?![A-Za-z0-9_-])`), { entropy: 3 }),
  rule('launchdarkly-sdk-key', ['sdk-'],
    new RegExp(String.raw`(?<![A-Za-z0-9_-])sdk-${UUID_V4}(?![A-Za-z0-9_-])`), { entropy: 3 }),
  rule('rootly-api-key', ['rootly_'],
    /(?<![A-Za-z0-9_])rootly_[a-f0-9]{64}(?![A-Za-z0-9_])/),
  // Voiceflow API keys: VF.DM. (Dialog Manager, every key now) or the older VF.WS. (workspace),
  // a 24-hex object id, ".", 16 characters.
  rule('voiceflow-api-key', ['vf.dm.', 'vf.ws.'],
    /(?<![A-Za-z0-9_.])VF\.(?:DM|WS)\.[a-fA-F0-9]{24}\.[A-Za-z0-9]{16}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Teamwork (Projects, CRM, Desk, Spaces) API tokens: tkn.v1_ and base64.
  rule('teamwork-api-token', ['tkn.v1_'],
    /(?<![A-Za-z0-9_.])tkn\.v1_[A-Za-z0-9+/]{60,80}={0,2}(?![A-Za-z0-9+/=_-])/, { entropy: 3 }),
  rule('scrapfly-api-key', ['scp-live-', 'scp-test-'],
    /(?<![A-Za-z0-9_-])scp-(?:live|test)-[a-f0-9]{32}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Spectral (SpectralOps) personal tokens.
  rule('spectral-api-token', ['spu-'],
    /(?<![A-Za-z0-9_-])spu-[a-f0-9]{32}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Portainer access tokens (X-API-Key): ptr_ and 32 random bytes in standard base64, so 43
  // characters, the last holding 4 bits, and "=". C's ptr_ names are no base64 run with "=".
  rule('portainer-api-key', ['ptr_'],
    /(?<![A-Za-z0-9_])ptr_[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=(?![A-Za-z0-9+/=_-])/, { entropy: 3 }),
  // Ramp API client secrets (ramp_sec_); the client id (ramp_id_) is not secret.
  rule('ramp-client-secret', ['ramp_sec_'],
    /(?<![A-Za-z0-9_])ramp_sec_[A-Za-z0-9]{48}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Recharge API tokens: sk_, test_ for a test store, the tier (1x1, 2x2, 10x3…), 64 hex.
  rule('recharge-api-token', RECHARGE_TIERS.flatMap((n) => [`sk_${n}x`, `sk_test_${n}x`]),
    /(?<![A-Za-z0-9_])sk_(?:test_)?(?:10|[1235])x[1-3]_[a-fA-F0-9]{64}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // TruffleHog Enterprise: the key id (thog-key-, 16 hex) and its secret (thog-secret-, 32 hex).
  rule('trufflehog-enterprise-key', ['thog-key-'],
    /(?<![A-Za-z0-9_-])thog-key-[a-f0-9]{16}(?![A-Za-z0-9_-])/),
  rule('trufflehog-enterprise-secret', ['thog-secret-'],
    /(?<![A-Za-z0-9_-])thog-secret-[a-f0-9]{32}(?![A-Za-z0-9_-])/),
  // Bannerbear project (bb_pr_) and master (bb_ma_) API keys.
  rule('bannerbear-api-key', ['bb_pr_', 'bb_ma_'],
    /(?<![A-Za-z0-9_])bb_(?:pr|ma)_[a-f0-9]{30}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Bitbucket Data Center HTTP access tokens: BBDC- and 44 base64 characters, the encoding of
  // "<12-digit id>:" and 20 random bytes, so M, N or O first.
  rule('bitbucket-data-center-token', ['bbdc-'],
    /(?<![A-Za-z0-9_-])BBDC-[MNO][A-Za-z0-9+/]{43}(?![A-Za-z0-9+/=_@-])/, { entropy: 3 }),
  // AWS AppSync API keys (da2-, the version AppSync has issued since 2018).
  rule('aws-appsync-api-key', ['da2-'],
    /(?<![A-Za-z0-9_-])da2-[a-z0-9]{26}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Plaid tokens are <type>-<environment>-<UUID>: access tokens and Asset Report tokens, each
  // good with the client's keys for the data of an Item. Public and link tokens are short-lived
  // and handed to Link in the browser; the client secret (30 hex) has no shape of its own.
  rule('plaid-access-token', ['access', 'asset-report'].flatMap((type) => PLAID_ENVIRONMENTS.map((env) => `${type}-${env}-`)),
    new RegExp(String.raw`(?<![A-Za-z0-9_-])(?:access|asset-report)-(?:sandbox|development|production)-${UUID}(?![A-Za-z0-9_-])`), { entropy: 3 }),
  // Airtable OAuth access and refresh tokens: oaa and a 14-character id, .v1. (.v1.refresh. for
  // a refresh token), a base64url JSON object, ".", a 64-hex signature.
  rule('airtable-oauth-token', ['oaa'],
    /(?<![A-Za-z0-9_])oaa[A-Za-z0-9]{14}\.v1\.(?:refresh\.)?eyJ[A-Za-z0-9_-]{40,1000}\.[a-f0-9]{64}(?![A-Za-z0-9_-])/, { requires: '.v1.' }),
  // Atlassian organization admin API keys: ATCTT3 and base64url, "=", an 8-hex checksum, as
  // the API tokens (ATATT3…, which the project already finds) are laid out.
  rule('atlassian-admin-api-key', ['atctt3'],
    /(?<![A-Za-z0-9_-])ATCTT3[A-Za-z0-9_-]{150,250}=[A-F0-9]{8}(?![A-Za-z0-9_=-])/, { entropy: 3 }),
  // Typeform personal access tokens alone (gitleaks' rule needs the word typeform before one).
  rule('typeform-api-token', ['tfp_'],
    /(?<![A-Za-z0-9_])tfp_[A-Za-z0-9_]{40,59}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // Segment Public API tokens alone (Sourcegraph's sgp_ tokens are 40 hex, another shape).
  rule('segment-public-api-token', ['sgp_'],
    /(?<![A-Za-z0-9_])sgp_[A-Za-z0-9]{64}(?![A-Za-z0-9_])/, { entropy: 3 }),
  // AWS session tokens (STS, an instance's or a container's role): base64 that opens with the
  // token's version header, "IQoJb3JpZ2luX2Vj" now, "FwoGZXIvYXdz" and "FQoGZXIvYXdz" before;
  // percent-encoded too, as X-Amz-Security-Token in a presigned URL.
  rule('aws-session-token', ['iqojb3jpz2lux2vj', 'fwogzxivyxdz', 'fqogzxivyxdz'],
    /(?<![A-Za-z0-9+/%_-])(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz)(?:[A-Za-z0-9+/]|%2[BFbf]){100,4000}(?:=|%3[Dd]){0,2}(?![A-Za-z0-9+/=])/,
    { entropy: 4 }),
  // Microsoft Entra ID refresh tokens: 0.A or 1.A and base64url (client and tenant), maybe .1,
  // then .Ag and the encrypted token, maybe a further .A part. Found from "0.A" or "1.A", read
  // only where ".Ag" follows within reach.
  rule('azure-entra-refresh-token', ['0.a', '1.a'],
    /(?<![A-Za-z0-9_.-])[01]\.A[A-Za-z0-9_-]{50,200}(?:\.\d)?\.Ag[A-Za-z0-9_-]{250,4000}(?:\.A[A-Za-z0-9_-]{100,2000})?(?![A-Za-z0-9_-])/,
    { entropy: 4, requires: '.Ag' }),
  // Telnyx API keys (v2): KEY, a 32-hex id (time-ordered, 01… from 2004 to 2039), "_", 22
  // characters of base64url.
  rule('telnyx-api-key', ['key0'],
    /(?<![A-Za-z0-9_-])KEY0[0-9A-F]{31}_[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/, { entropy: 3 }),
  // Asana personal access tokens: 1/<user gid>:<32 hex>, or 2/<user gid>/<app gid>:<32 hex>.
  // Found from the version and the gid's first digit.
  rule('asana-personal-access-token', ['1', '2'].flatMap((v) => [...'123456789'].map((d) => `${v}/${d}`)),
    /(?<![A-Za-z0-9_/.-])[12]\/[1-9]\d{5,18}(?:\/[1-9]\d{5,18})?:[A-Za-z0-9]{32}(?![A-Za-z0-9])/),
  // Webhook URLs whose path is the credential: the host is left, the path masked. Tines: the
  // webhook's path and secret (32 hex each) after https://<tenant>.tines.com/webhook/.
  rule('tines-webhook', ['.tines.com/webhook/', '.tines.io/webhook/'],
    /(?<=[A-Za-z0-9-])\.tines\.(?:com|io)\/webhook\/([a-f0-9]{32}\/[a-f0-9]{32})(?![A-Za-z0-9_-])/),
  // A registry login in Docker's config.json (DOCKER_AUTH_CONFIG, a pull secret's
  // .dockerconfigjson once decoded): "auth" holds base64 of user:password. Only a value that
  // decodes to that is masked: "auth" names other things too.
  // As JSON, and as JSON inside a string (an env value, a runner's TOML), quotes escaped.
  rule('docker-config-auth', ['"auth"'],
    /"auth"\s*:\s*"([A-Za-z0-9+/]{8,1024}={0,2})"/, { allow: (s) => !isUserAndPassword(s) }),
  rule('docker-config-auth', ['\\"auth\\"'],
    /\\"auth\\"\s*:\s*\\"([A-Za-z0-9+/]{8,1024}={0,2})\\"/, { allow: (s) => !isUserAndPassword(s) }),
  // ThingsBoard Cloud device access tokens (20 characters), in the device API's path over HTTP
  // or CoAP: /api/v1/<token>/telemetry, /attributes, /rpc.
  rule('thingsboard-access-token', ['thingsboard.cloud/api/v1/'],
    /thingsboard\.cloud\/api\/v1\/([A-Za-z0-9]{20})(?=\/)/, { entropy: 3 }),
  // Zapier catch hooks: the account id and the hook's key after hooks.zapier.com/hooks/catch/.
  rule('zapier-webhook', ['hooks.zapier.com/hooks/catch/'],
    /hooks\.zapier\.com\/hooks\/catch\/(\d{3,12}\/[A-Za-z0-9]{5,16})(?![A-Za-z0-9_-])/),
];
