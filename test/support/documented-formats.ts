// A corpus of secrets in their providers' documented formats (prefix, length, alphabet and,
// where the format has one, checksum), each in a setting it is met in (env files, JSON, YAML,
// shell, source, headers, logs, URLs), and strings that must come through unchanged. Written
// from the providers' documentation and the shapes secret scanners' fixtures use, not from the
// project's own regexes; every value is generated at run time, so no key-shaped literal is committed.
import { generateKeyPairSync } from 'node:crypto';
import {
  ALNUM, DIGITS, HEX, LOWER, UPPER, guid, jwt, onePasswordServiceAccountToken, opensshKey, pemKey, pick, randomFrom, type Random, type Sample,
} from './masking.js';

const BASE64URL = ALNUM + '-_';
const BASE36 = LOWER + DIGITS;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of Buffer.from(text)) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** Base62 of a number, left-padded with '0' to `width` (GitHub's and npm's token checksum). */
function base62(n: number, width: number): string {
  const digits = DIGITS + UPPER + LOWER;
  let out = '';
  do {
    out = digits[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/** GitHub's token format: prefix, 30 random base62 characters, their CRC32 in 6 base62 characters. */
function checksummed(prefix: string, random: Random): string {
  const body = randomFrom(ALNUM, 30, random);
  return prefix + body + base62(crc32(body), 6);
}

function pgpKeyBlock(random: Random): { text: string; secret: string } {
  const lines = Array.from({ length: 8 }, () => randomFrom(ALNUM + '+/', 64, random));
  return {
    text: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${lines.join('\n')}\n=${randomFrom(ALNUM, 4, random)}\n-----END PGP PRIVATE KEY BLOCK-----`,
    secret: lines[3]!,
  };
}

function encryptedPkcs8(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'corpus' }).toString().trimEnd();
}

function ecKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'sec1', format: 'pem' }).toString().trimEnd();
}

/** A line of a key block's body, the part a scanner must not leave readable. */
const bodyLine = (block: string) => block.split('\n').filter((l) => !l.startsWith('-----') && l.length > 20)[1] ?? block.split('\n')[1]!;

/** Base64 of random bytes. */
const b64 = (bytes: number, random: Random) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(random() * 256))).toString('base64');

/** A password as people and generators make them: letters, digits, a few symbols. */
const password = (random: Random) => randomFrom(ALNUM, 10, random) + pick(['!', '#', '%', '^', '*', '-', '_'], random) + randomFrom(ALNUM, 6, random);

/** The positive corpus: each sample's `secret` must be gone from the masked text. */
export function documentedFormats(random: Random): Sample[] {
  const r = (alphabet: string, n: number) => randomFrom(alphabet, n, random);
  const out: Sample[] = [];
  const fresh = (format: string, make: () => string, ...settings: ((s: string) => string)[]) => {
    for (const setting of settings) {
      const secret = make();
      out.push({ format, secret, text: setting(secret) });
    }
  };

  // GitHub: classic, OAuth, user-to-server, server-to-server, refresh; fine-grained; stateless installation tokens.
  fresh('github-classic-pat', () => checksummed('ghp_', random), (s) => `GITHUB_TOKEN=${s}`, (s) => `git clone https://${s}@github.com/acme/infra.git`);
  fresh('github-oauth', () => checksummed('gho_', random), (s) => `{"access_token":"${s}","token_type":"bearer","scope":"repo"}`);
  fresh('github-user-to-server', () => checksummed('ghu_', random), (s) => `Authorization: token ${s}`);
  fresh('github-installation', () => checksummed('ghs_', random), (s) => `  token: ${s}`);
  fresh('github-refresh', () => 'ghr_' + r(ALNUM, 76), (s) => `refresh_token=${s}&expires_in=15897600`);
  fresh('github-fine-grained', () => 'github_pat_11' + r(UPPER + DIGITS, 20) + '_' + r(ALNUM, 59), (s) => `export GH_TOKEN="${s}"`, (s) => `const octokit = new Octokit({ auth: '${s}' });`);
  fresh('github-stateless-installation', () => `ghs_${r('123456789', 1)}${r(DIGITS, 6)}_${jwt(random)}`, (s) => `x-access-token:${s}`);

  // GitLab: personal, project and group tokens (legacy and routable), pipeline trigger, deploy, runner, feed, agent.
  fresh('gitlab-pat', () => 'glpat-' + r(BASE64URL, 20), (s) => `GITLAB_TOKEN=${s}`, (s) => `curl --header "PRIVATE-TOKEN: ${s}" https://gitlab.example.com/api/v4/projects`);
  fresh('gitlab-pat-routable', () => `glpat-${r(BASE64URL, 27)}.01.${r(BASE36, 9)}`, (s) => `private_token: "${s}"`);
  fresh('gitlab-pipeline-trigger', () => 'glptt-' + r(HEX, 40), (s) => `curl -X POST -F token=${s} -F ref=main https://gitlab.com/api/v4/projects/9/trigger/pipeline`);
  fresh('gitlab-deploy-token', () => 'gldt-' + r(BASE64URL, 20), (s) => `docker login -u gitlab+deploy-token-7 -p ${s} registry.gitlab.com`);
  fresh('gitlab-runner-registration', () => 'GR1348941' + r(BASE64URL, 20), (s) => `gitlab-runner register --registration-token ${s}`, (s) => `REGISTRATION_TOKEN="${s}"`);
  fresh('gitlab-runner-auth', () => 'glrt-' + r(BASE64URL, 20), (s) => `  token = "${s}"`);
  fresh('gitlab-feed-token', () => 'glft-' + r(BASE64URL, 20), (s) => `https://gitlab.com/dashboard/projects.atom?feed_token=${s}`);
  fresh('gitlab-agent-token', () => 'glagent-' + r(BASE64URL, 50), (s) => `config:\n  token: ${s}`);

  // Package registries.
  fresh('npm-token', () => checksummed('npm_', random), (s) => `//registry.npmjs.org/:_authToken=${s}`, (s) => `NPM_TOKEN=${s}`);
  fresh('npmrc-legacy-authtoken', () => guid(random), (s) => `//npm.pkg.github.com/:_authToken=${s}`);
  fresh('npmrc-other-registry', () => r(ALNUM, 12) + '-' + r(ALNUM, 20), (s) => `//npm.acme.io/repository/npm/:_authToken=${s}`);
  fresh('package-json-oauth-basic', () => r(HEX, 40), (s) => `"dependencies": { "internal": "git+https://${s}:x-oauth-basic@github.com/acme/internal.git" }`);
  fresh('npmrc-auth', () => Buffer.from(`deploy:${password(random)}`).toString('base64'), (s) => `_auth=${s}`, (s) => `//registry.acme.io/:_auth="${s}"`);
  fresh('pypi-token', () => 'pypi-AgEIcHlwaS5vcmc' + r(BASE64URL, 140 + Math.floor(random() * 40)), (s) => `[pypi]\n  username = __token__\n  password = ${s}`, (s) => `TWINE_PASSWORD=${s}`);
  fresh('rubygems-api-key', () => 'rubygems_' + r(HEX, 48), (s) => `---\n:rubygems_api_key: ${s}`);
  fresh('nuget-api-key', () => 'oy2' + r(BASE36, 43), (s) => `dotnet nuget push pkg.nupkg --api-key ${s} --source https://api.nuget.org/v3/index.json`);
  fresh('docker-pat', () => 'dckr_pat_' + r(BASE64URL, 27), (s) => `echo ${s} | docker login -u acme --password-stdin`);
  fresh('docker-config-auth', () => Buffer.from(`acme:${password(random)}`).toString('base64'), (s) => `{"auths":{"https://index.docker.io/v1/":{"auth":"${s}"}}}`);
  fresh('artifactory-api-key', () => 'AKCp' + r(ALNUM, 69), (s) => `curl -H "X-JFrog-Art-Api: ${s}" https://acme.jfrog.io/artifactory/api/repositories`);
  fresh('clojars-token', () => 'CLOJARS_' + r(BASE36, 60), (s) => `CLOJARS_PASSWORD=${s}`);

  // Slack.
  fresh('slack-bot', () => `xoxb-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(ALNUM, 24)}`, (s) => `SLACK_BOT_TOKEN=${s}`, (s) => `client = WebClient(token="${s}")`);
  fresh('slack-user', () => `xoxp-${r(DIGITS, 12)}-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(HEX, 32)}`, (s) => `Authorization: Bearer ${s}`);
  fresh('slack-app-level', () => `xapp-1-A${r(UPPER + DIGITS, 10)}-${r(DIGITS, 13)}-${r(HEX, 64)}`, (s) => `SLACK_APP_TOKEN=${s}`);
  fresh('slack-config-rotating', () => `xoxe.xoxp-1-${r(ALNUM, 140)}`, (s) => `{"ok":true,"token":"${s}","exp":1700000000}`);
  fresh('slack-refresh', () => `xoxe-1-${r(ALNUM, 140)}`, (s) => `"refresh_token": "${s}"`);
  fresh('slack-webhook', () => `https://hooks.slack.com/services/T${r(UPPER + DIGITS, 8)}/B${r(UPPER + DIGITS, 10)}/${r(ALNUM, 24)}`, (s) => `SLACK_WEBHOOK_URL=${s}`);

  // Payments.
  fresh('stripe-secret-live', () => 'sk_live_51' + r(ALNUM, 97), (s) => `STRIPE_SECRET_KEY=${s}`, (s) => `Stripe.api_key = '${s}'`);
  fresh('stripe-secret-short', () => 'sk_live_' + r(ALNUM, 24), (s) => `curl https://api.stripe.com/v1/charges -u ${s}:`);
  fresh('stripe-restricted', () => 'rk_live_51' + r(ALNUM, 97), (s) => `{"stripeKey": "${s}"}`);
  fresh('stripe-test', () => 'sk_test_51' + r(ALNUM, 97), (s) => `stripe: { secret: "${s}" }`);
  fresh('stripe-webhook-secret', () => 'whsec_' + r(ALNUM, 32), (s) => `STRIPE_WEBHOOK_SECRET=${s}`);
  fresh('square-access-token', () => 'EAAA' + r(BASE64URL, 60), (s) => `SQUARE_ACCESS_TOKEN=${s}`);
  fresh('square-oauth-secret', () => 'sq0csp-' + r(BASE64URL, 43), (s) => `square_application_secret: ${s}`);
  fresh('braintree-access-token', () => `access_token$production$${r(BASE36, 16)}$${r(HEX, 32)}`, (s) => `BRAINTREE_ACCESS_TOKEN=${s}`);
  fresh('flutterwave-secret', () => `FLWSECK-${r(HEX, 32)}-X`, (s) => `FLW_SECRET_KEY=${s}`);
  fresh('shippo-token', () => 'shippo_live_' + r(HEX, 40), (s) => `Authorization: ShippoToken ${s}`);
  fresh('easypost-key', () => 'EZAK' + r(ALNUM, 54), (s) => `EASYPOST_API_KEY=${s}`);

  // Messaging and email.
  fresh('twilio-api-key-sid-secret', () => r(ALNUM, 32), (s) => `TWILIO_API_SECRET=${s}`);
  fresh('twilio-api-key', () => 'SK' + r(HEX, 32), (s) => `TWILIO_API_KEY=${s}`, (s) => `client = Client("${s}", api_secret, account_sid)`);
  fresh('twilio-auth-token', () => r(HEX, 32), (s) => `TWILIO_AUTH_TOKEN=${s}`, (s) => `twilio:\n  account_sid: AC${r(HEX, 32)}\n  auth_token: ${s}`);
  fresh('sendgrid-api-key', () => `SG.${r(BASE64URL, 22)}.${r(BASE64URL, 43)}`, (s) => `SENDGRID_API_KEY=${s}`, (s) => `sg = SendGridAPIClient('${s}')`, (s) => `Authorization: Bearer ${s}`);
  fresh('mailgun-private-key', () => 'key-' + r(HEX, 32), (s) => `MAILGUN_API_KEY=${s}`, (s) => `curl -s --user 'api:${s}' https://api.mailgun.net/v3/mg.acme.io/messages`);
  fresh('mailgun-key-new', () => `${r(HEX, 32)}-${r(HEX, 8)}-${r(HEX, 8)}`, (s) => `mailgun_api_key: "${s}"`);
  fresh('mailchimp-api-key', () => `${r(HEX, 32)}-us${1 + Math.floor(random() * 20)}`, (s) => `MAILCHIMP_API_KEY=${s}`, (s) => `mailchimp.setConfig({ apiKey: "${s}", server: "us12" });`);
  fresh('brevo-api-key', () => `xkeysib-${r(HEX, 64)}-${r(ALNUM, 16)}`, (s) => `api-key: ${s}`);
  fresh('postmark-server-token', () => guid(random), (s) => `X-Postmark-Server-Token: ${s}`);
  fresh('telegram-bot-token', () => `${r('123456789', 1)}${r(DIGITS, 9)}:AA${r(BASE64URL, 33)}`, (s) => `TELEGRAM_BOT_TOKEN=${s}`, (s) => `GET https://api.telegram.org/bot${s}/getMe`);
  fresh('discord-webhook', () => `https://discord.com/api/webhooks/${r(DIGITS, 18)}/${r(BASE64URL, 68)}`, (s) => `DISCORD_WEBHOOK=${s}`);
  fresh('teams-webhook', () => `https://acme.webhook.office.com/webhookb2/${guid(random)}@${guid(random)}/IncomingWebhook/${r(HEX, 32)}/${guid(random)}`, (s) => `TEAMS_WEBHOOK_URL=${s}`);

  // Cloud: AWS.
  fresh('aws-access-key-id', () => 'AKIA' + r(UPPER + '234567', 16), (s) => `aws_access_key_id = ${s}`, (s) => `"AccessKeyId": "${s}",`);
  fresh('aws-iam-unique-id', () => pick(['AIDA', 'AROA'], random) + r(UPPER + '234567', 16), (s) => `"UserId": "${s}",`);
  fresh('aws-temp-access-key-id', () => 'ASIA' + r(UPPER + '234567', 16), (s) => `AWS_ACCESS_KEY_ID=${s}`);
  fresh('aws-secret-access-key', () => r(ALNUM + '+/', 40), (s) => `aws_secret_access_key = ${s}`, (s) => `export AWS_SECRET_ACCESS_KEY="${s}"`, (s) => `{"SecretAccessKey": "${s}", "Expiration": "2026-01-01T00:00:00Z"}`);
  fresh('aws-session-token', () => 'IQoJb3JpZ2luX2Vj' + r(ALNUM + '+/', 300), (s) => `aws_session_token = ${s}`, (s) => `"SessionToken": "${s}",`);

  // Cloud: Azure.
  const storageKey = () => b64(64, random);
  fresh('azure-storage-connection-string', storageKey, (s) => `DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey=${s};EndpointSuffix=core.windows.net`);
  fresh('azure-storage-key-bare', storageKey, (s) => `{"keyName": "key1", "value": "${s}", "permissions": "FULL"}`, (s) => `AZURE_STORAGE_KEY=${s}`);
  fresh('azure-cosmos-key', storageKey, (s) => `AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey=${s};`);
  fresh('azure-sas', () => `sig=${encodeURIComponent(b64(32, random))}`, (s) => `https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01T00:00:00Z&st=2025-01-01T00:00:00Z&spr=https&${s}`);
  fresh('azure-service-bus-key', () => b64(32, random), (s) => `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}`);
  fresh('azure-ad-client-secret', () => `${r(ALNUM, 3)}${r(DIGITS, 1)}Q~${r(ALNUM + '_.~-', 34)}`, (s) => `AZURE_CLIENT_SECRET=${s}`, (s) => `{"password": "${s}", "appId": "x"}`);
  fresh('azure-devops-pat', () => r('abcdefghijklmnopqrstuvwxyz234567', 52), (s) => `AZURE_DEVOPS_EXT_PAT=${s}`, (s) => `git clone https://pat:${s}@dev.azure.com/acme/p/_git/r`);
  fresh('azure-function-key', () => r(BASE64URL, 54) + '==', (s) => `x-functions-key: ${s}`, (s) => `https://acme.azurewebsites.net/api/hook?code=${s}`);
  fresh('azure-app-config', () => b64(32, random), (s) => `Endpoint=https://acme.azconfig.io;Id=Xy12-ab-s0:AbCdEfGhIjKlMnOp;Secret=${s}`);
  fresh('azure-tenant-id', () => guid(random), (s) => `AZURE_TENANT_ID=${s}`, (s) => `{"tenantId": "${s}", "subscriptionId": "x"}`);
  fresh('azure-client-id', () => guid(random), (s) => `ARM_CLIENT_ID=${s}`, (s) => `az login --service-principal -u ${s} -p "$SECRET" --tenant contoso.onmicrosoft.com`);

  // Cloud: Google.
  fresh('gcp-api-key', () => 'AIza' + r(BASE64URL, 35), (s) => `GOOGLE_API_KEY=${s}`, (s) => `https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${s}`);
  fresh('gcp-oauth-client-secret', () => 'GOCSPX-' + r(BASE64URL, 28), (s) => `{"web":{"client_id":"x.apps.googleusercontent.com","client_secret":"${s}"}}`);
  fresh('google-oauth-access-token', () => 'ya29.a0' + r(BASE64URL, 150), (s) => `Authorization: Bearer ${s}`, (s) => `GOOGLE_ACCESS_TOKEN=${s}`);
  fresh('google-refresh-token', () => '1//0' + r(BASE64URL, 99), (s) => `"refresh_token": "${s}"`);
  {
    const key = pemKey();
    const escaped = key.replace(/\n/g, '\\n');
    out.push({ format: 'gcp-service-account-json', secret: bodyLine(key), text: `{\n  "type": "service_account",\n  "project_id": "acme",\n  "private_key_id": "${r(HEX, 40)}",\n  "private_key": "${escaped}\\n",\n  "client_email": "ci@acme.iam.gserviceaccount.com"\n}` });
  }
  fresh('gcp-private-key-id', () => r(HEX, 40), (s) => `{"type": "service_account", "private_key_id": "${s}", "client_id": "1"}`);
  fresh('firebase-fcm-server-key', () => `AAAA${r(BASE64URL, 7)}:APA91b${r(BASE64URL, 134)}`, (s) => `Authorization: key=${s}`);

  // Other clouds and platforms.
  fresh('digitalocean-pat', () => 'dop_v1_' + r(HEX, 64), (s) => `DIGITALOCEAN_TOKEN=${s}`, (s) => `doctl auth init -t ${s}`);
  fresh('digitalocean-oauth', () => 'doo_v1_' + r(HEX, 64), (s) => `"access_token": "${s}"`);
  fresh('heroku-api-key-new', () => 'HRKU-AA' + r(BASE64URL, 58), (s) => `HEROKU_API_KEY=${s}`);
  fresh('heroku-api-key-uuid', () => guid(random), (s) => `HEROKU_API_KEY=${s}`, (s) => `heroku_api_key: "${s}"`);
  fresh('alibaba-access-key', () => 'LTAI' + r(ALNUM, 20), (s) => `ALIBABA_CLOUD_ACCESS_KEY_ID=${s}`);
  fresh('tencent-secret-id', () => 'AKID' + r(ALNUM, 32), (s) => `TENCENTCLOUD_SECRET_ID=${s}`);
  fresh('ibm-cloud-api-key', () => r(BASE64URL, 44), (s) => `IBMCLOUD_API_KEY=${s}`);
  fresh('fly-io-token', () => `FlyV1 fm2_${b64(150, random)},fm2_${b64(90, random)}`, (s) => `FLY_API_TOKEN="${s}"`);
  fresh('netlify-token', () => 'nfp_' + r(ALNUM, 36), (s) => `NETLIFY_AUTH_TOKEN=${s}`);
  fresh('render-api-key', () => 'rnd_' + r(ALNUM, 32), (s) => `Authorization: Bearer ${s}`);
  fresh('vercel-token-prefixed', () => 'vcp_' + r(ALNUM, 56), (s) => `VERCEL_TOKEN=${s}`);
  fresh('vercel-token-legacy', () => r(ALNUM, 24), (s) => `VERCEL_TOKEN=${s}`, (s) => `vercel deploy --prod --token=${s}`);
  fresh('cloudflare-api-token', () => r(BASE64URL, 40), (s) => `CLOUDFLARE_API_TOKEN=${s}`, (s) => `Authorization: Bearer ${s}`);
  fresh('cloudflare-global-key', () => r(HEX, 37), (s) => `X-Auth-Key: ${s}`, (s) => `CF_API_KEY=${s}`);
  fresh('cloudflare-prefixed-token', () => pick(['cfk_', 'cfut_', 'cfat_'], random) + r(ALNUM, 40) + r(HEX, 8), (s) => `CLOUDFLARE_API_TOKEN=${s}`, (s) => `wrangler secret put --token ${s}`);
  fresh('cloudflare-origin-ca', () => `v1.0-${r(HEX, 24)}-${r(HEX, 146)}`, (s) => `X-Auth-User-Service-Key: ${s}`);
  fresh('tailscale-auth-key', () => `tskey-auth-k${r(ALNUM, 10)}CNTRL-${r(ALNUM, 33)}`, (s) => `tailscale up --authkey=${s}`, (s) => `TS_AUTHKEY=${s}`);
  fresh('tailscale-api-key', () => `tskey-api-k${r(ALNUM, 10)}CNTRL-${r(ALNUM, 33)}`, (s) => `TAILSCALE_API_KEY=${s}`);
  fresh('tailscale-oauth-client', () => `tskey-client-k${r(ALNUM, 10)}CNTRL-${r(ALNUM, 33)}`, (s) => `oauth_client_secret = "${s}"`);
  fresh('tailscale-webhook', () => `tskey-webhook-k${r(ALNUM, 10)}CNTRL-${r(ALNUM, 33)}`, (s) => `secret: ${s}`);
  fresh('terraform-cloud-token', () => `${r(ALNUM, 14)}.atlasv1.${r(ALNUM, 67)}`, (s) => `credentials "app.terraform.io" {\n  token = "${s}"\n}`, (s) => `TFE_TOKEN=${s}`);
  fresh('pulumi-token', () => 'pul-' + r(HEX, 40), (s) => `PULUMI_ACCESS_TOKEN=${s}`);
  fresh('hubspot-private-app', () => `pat-na1-${guid(random)}`, (s) => `HUBSPOT_ACCESS_TOKEN=${s}`);
  fresh('hashicorp-vault-token', () => 'hvs.' + r(BASE64URL, 90), (s) => `VAULT_TOKEN=${s}`, (s) => `X-Vault-Token: ${s}`);
  fresh('doppler-token', () => 'dp.pt.' + r(ALNUM, 43), (s) => `DOPPLER_TOKEN=${s}`);
  fresh('doppler-service-token', () => 'dp.st.prd.' + r(ALNUM, 43), (s) => `doppler run --token ${s} -- npm start`);
  fresh('1password-service-account', () => onePasswordServiceAccountToken(random), (s) => `OP_SERVICE_ACCOUNT_TOKEN=${s}`);
  fresh('1password-secret-key', () => `A3-${r(UPPER + DIGITS, 6)}-${r(UPPER + DIGITS, 6)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}`, (s) => `Secret Key: ${s}`);
  fresh('grafana-cloud-token', () => 'glc_' + Buffer.from(JSON.stringify({ o: r(DIGITS, 6), n: 'stack-' + r(DIGITS, 6) + '-hm-write', k: r(ALNUM, 24), m: { r: 'prod-eu-west-2' } })).toString('base64'), (s) => `GRAFANA_CLOUD_TOKEN=${s}`);
  fresh('grafana-service-account', () => `glsa_${r(ALNUM, 32)}_${r(HEX, 8)}`, (s) => `Authorization: Bearer ${s}`, (s) => `grafana:\n  token: ${s}`);
  fresh('grafana-api-key-legacy', () => Buffer.from(JSON.stringify({ k: r(ALNUM, 32), n: 'ci', id: 1 })).toString('base64'), (s) => `GRAFANA_API_KEY=${s}`);
  fresh('atlassian-api-token', () => `ATATT3xFfGF0${r(BASE64URL, 170)}=${r(HEX.toUpperCase(), 8)}`, (s) => `JIRA_API_TOKEN=${s}`, (s) => `curl -u me@acme.io:${s} https://acme.atlassian.net/rest/api/3/myself`);
  fresh('atlassian-api-token-legacy', () => r(ALNUM, 24), (s) => `JIRA_API_TOKEN=${s}`, (s) => `confluence_api_token: ${s}`);
  fresh('bitbucket-app-password', () => 'ATBB' + r(ALNUM, 32), (s) => `BITBUCKET_APP_PASSWORD=${s}`);
  fresh('databricks-token', () => 'dapi' + r(HEX, 32), (s) => `DATABRICKS_TOKEN=${s}`, (s) => `Authorization: Bearer ${s}-3`);
  fresh('databricks-token-upper', () => 'dapi' + r(HEX.toUpperCase(), 32), (s) => `token = ${s}`);
  fresh('shopify-access-token', () => 'shpat_' + r(HEX, 32), (s) => `X-Shopify-Access-Token: ${s}`);
  fresh('shopify-shared-secret', () => 'shpss_' + r(HEX, 32), (s) => `SHOPIFY_API_SECRET=${s}`);
  fresh('shopify-custom-app', () => 'shpca_' + r(HEX, 32), (s) => `{"shopifyToken": "${s}"}`);
  fresh('shopify-private-app', () => 'shppa_' + r(HEX, 32), (s) => `password: ${s}`);
  fresh('linear-api-key', () => 'lin_api_' + r(ALNUM, 40), (s) => `LINEAR_API_KEY=${s}`, (s) => `Authorization: ${s}`);
  fresh('postman-api-key', () => `PMAK-${r(HEX, 24)}-${r(HEX, 34)}`, (s) => `X-Api-Key: ${s}`);
  fresh('new-relic-user-key', () => 'NRAK-' + r(UPPER + DIGITS, 27), (s) => `NEW_RELIC_API_KEY=${s}`);
  fresh('new-relic-license-key', () => r(HEX, 36) + 'NRAL', (s) => `NEW_RELIC_LICENSE_KEY=${s}`);
  fresh('datadog-api-key', () => r(HEX, 32), (s) => `DD_API_KEY=${s}`, (s) => `datadog_api_key: "${s}"`);
  fresh('datadog-app-key', () => r(HEX, 40), (s) => `DD_APP_KEY=${s}`);
  fresh('sentry-org-token', () => 'sntrys_' + Buffer.from(JSON.stringify({ iat: 1700000000.5, url: 'https://sentry.io', region_url: 'https://us.sentry.io', org: 'acme' })).toString('base64').replace(/=+$/, '') + '_' + r(ALNUM + '+/', 43), (s) => `SENTRY_AUTH_TOKEN=${s}`);
  fresh('sentry-user-token', () => 'sntryu_' + r(HEX, 64), (s) => `SENTRY_AUTH_TOKEN=${s}`);
  fresh('dynatrace-token', () => `dt0c01.${r(UPPER + DIGITS, 24)}.${r(UPPER + DIGITS, 64)}`, (s) => `Authorization: Api-Token ${s}`);
  fresh('buildkite-token', () => 'bkua_' + r(HEX, 40), (s) => `BUILDKITE_API_TOKEN=${s}`);
  fresh('circleci-token', () => `CCIPAT_${r(ALNUM, 22)}_${r(HEX, 40)}`, (s) => `CIRCLE_TOKEN=${s}`);
  fresh('snyk-token', () => guid(random), (s) => `SNYK_TOKEN=${s}`);
  fresh('okta-api-token', () => '00' + r(BASE64URL, 40), (s) => `Authorization: SSWS ${s}`, (s) => `OKTA_API_TOKEN=${s}`);
  fresh('algolia-admin-key', () => r(HEX, 32), (s) => `ALGOLIA_ADMIN_API_KEY=${s}`);
  fresh('contentful-pat', () => 'CFPAT-' + r(BASE64URL, 43), (s) => `CONTENTFUL_MANAGEMENT_TOKEN=${s}`);
  fresh('notion-token', () => 'ntn_' + r(DIGITS, 11) + r(ALNUM, 35), (s) => `NOTION_TOKEN=${s}`);
  fresh('notion-secret-legacy', () => 'secret_' + r(ALNUM, 43), (s) => `const notion = new Client({ auth: "${s}" })`);
  fresh('airtable-pat', () => `pat${r(ALNUM, 14)}.${r(HEX, 64)}`, (s) => `AIRTABLE_API_KEY=${s}`);
  fresh('asana-pat', () => `2/${r(DIGITS, 16)}/${r(DIGITS, 16)}:${r(HEX, 32)}`, (s) => `Authorization: Bearer ${s}`);
  fresh('dropbox-token', () => 'sl.B' + r(BASE64URL, 135), (s) => `DROPBOX_ACCESS_TOKEN=${s}`);
  fresh('figma-pat', () => 'figd_' + r(BASE64URL, 40), (s) => `X-Figma-Token: ${s}`);
  fresh('mapbox-secret-token', () => 'sk.eyJ1Ijoi' + r(BASE64URL, 60) + '.' + r(BASE64URL, 22), (s) => `MAPBOX_SECRET_TOKEN=${s}`);
  fresh('planetscale-token', () => 'pscale_tkn_' + r(BASE64URL, 43), (s) => `PLANETSCALE_SERVICE_TOKEN=${s}`);
  fresh('planetscale-password', () => 'pscale_pw_' + r(BASE64URL, 43), (s) => `DATABASE_PASSWORD=${s}`);
  fresh('supabase-pat', () => 'sbp_' + r(HEX, 40), (s) => `SUPABASE_ACCESS_TOKEN=${s}`);
  fresh('replicate-token', () => 'r8_' + r(ALNUM, 37), (s) => `REPLICATE_API_TOKEN=${s}`);
  fresh('prefect-key', () => 'pnu_' + r(ALNUM, 36), (s) => `PREFECT_API_KEY=${s}`);
  fresh('readme-key', () => 'rdme_' + r(BASE36, 70), (s) => `README_API_KEY=${s}`);
  fresh('pinecone-key', () => 'pcsk_' + r(ALNUM, 5) + '_' + r(ALNUM, 63), (s) => `PINECONE_API_KEY=${s}`);
  fresh('langsmith-key', () => `lsv2_pt_${r(HEX, 32)}_${r(HEX, 10)}`, (s) => `LANGCHAIN_API_KEY=${s}`);
  fresh('age-secret-key', () => 'AGE-SECRET-KEY-1' + r('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.toUpperCase(), 58), (s) => `# created: 2024-01-01\n# public key: age1${r(BASE36, 58)}\n${s}`);

  // LLM providers.
  fresh('openai-project-key', () => `sk-proj-${r(BASE64URL, 74)}T3BlbkFJ${r(BASE64URL, 74)}`, (s) => `OPENAI_API_KEY=${s}`, (s) => `client = OpenAI(api_key="${s}")`);
  fresh('openai-service-account', () => `sk-svcacct-${r(BASE64URL, 74)}T3BlbkFJ${r(BASE64URL, 74)}`, (s) => `Authorization: Bearer ${s}`);
  fresh('openai-legacy', () => `sk-${r(ALNUM, 20)}T3BlbkFJ${r(ALNUM, 20)}`, (s) => `openai.api_key = "${s}"`);
  fresh('anthropic-api-key', () => `sk-ant-api03-${r(BASE64URL, 93)}AA`, (s) => `ANTHROPIC_API_KEY=${s}`, (s) => `x-api-key: ${s}`);
  fresh('anthropic-admin-key', () => `sk-ant-admin01-${r(BASE64URL, 93)}AA`, (s) => `{"apiKey": "${s}"}`);
  fresh('huggingface-token', () => 'hf_' + r(UPPER + LOWER, 34), (s) => `HF_TOKEN=${s}`, (s) => `huggingface-cli login --token ${s}`);
  fresh('huggingface-org', () => 'api_org_' + r(UPPER + LOWER, 34), (s) => `use_auth_token="${s}"`);
  fresh('groq-key', () => 'gsk_' + r(ALNUM, 52), (s) => `GROQ_API_KEY=${s}`);
  fresh('perplexity-key', () => 'pplx-' + r(ALNUM, 48), (s) => `PERPLEXITY_API_KEY=${s}`);
  fresh('mistral-key', () => r(ALNUM, 32), (s) => `MISTRAL_API_KEY=${s}`);
  fresh('cohere-key', () => r(ALNUM, 40), (s) => `COHERE_API_KEY=${s}`);
  fresh('xai-key', () => 'xai-' + r(ALNUM, 80), (s) => `XAI_API_KEY=${s}`);
  fresh('azure-openai-key', () => r(HEX, 32), (s) => `api-key: ${s}`, (s) => `AZURE_OPENAI_API_KEY=${s}`);
  fresh('gemini-key', () => 'AIza' + r(BASE64URL, 35), (s) => `x-goog-api-key: ${s}`);

  // Tokens and keys by their shape.
  fresh('jwt', () => jwt(random), (s) => `Authorization: Bearer ${s}`, (s) => `Set-Cookie: session=${s}; Path=/; HttpOnly`, (s) => `2026-01-01T00:00:00Z INFO auth ok id_token=${s}`);
  {
    const rsa = pemKey('pkcs1');
    out.push({ format: 'pem-rsa', secret: bodyLine(rsa), text: `ssl_key: |\n${rsa.split('\n').map((l) => '  ' + l).join('\n')}` });
    const p8 = pemKey();
    out.push({ format: 'pem-pkcs8', secret: bodyLine(p8), text: p8 });
    const ec = ecKey();
    out.push({ format: 'pem-ec', secret: bodyLine(ec), text: `const key = \`${ec}\`;` });
    const enc = encryptedPkcs8();
    out.push({ format: 'pem-pkcs8-encrypted', secret: bodyLine(enc), text: enc });
    const ssh = opensshKey();
    out.push({ format: 'openssh-private-key', secret: bodyLine(ssh), text: ssh });
    const escaped = opensshKey();
    out.push({ format: 'openssh-private-key-escaped', secret: bodyLine(escaped), text: `{"ssh_key": "${escaped.replace(/\n/g, '\\n')}"}` });
    const pgp = pgpKeyBlock(random);
    out.push({ format: 'pgp-private-key', secret: pgp.secret, text: pgp.text });
    const dsaLines = Array.from({ length: 6 }, () => r(ALNUM + '+/', 64));
    out.push({ format: 'pem-dsa', secret: dsaLines[2]!, text: `-----BEGIN DSA PRIVATE KEY-----\n${dsaLines.join('\n')}\n-----END DSA PRIVATE KEY-----` });
    const putty = Array.from({ length: 4 }, () => r(ALNUM + '+/', 64));
    out.push({ format: 'putty-private-key', secret: putty[1]!, text: `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ci\nPublic-Lines: 2\n${r(ALNUM, 64)}\n${r(ALNUM, 20)}\nPrivate-Lines: 4\n${putty.join('\n')}\nPrivate-MAC: ${r(HEX, 64)}` });
  }
  fresh('secp256k1-hex', () => r(HEX, 64), (s) => `PRIVATE_KEY=0x${s}`, (s) => `const wallet = new ethers.Wallet("0x${s}");`, (s) => `ETH_PRIVATE_KEY=${s}`, (s) => `{"privateKey": "${s}"}`);
  fresh('bitcoin-wif', () => '5' + pick(['H', 'J', 'K'], random) + r('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', 49), (s) => `BTC_PRIVATE_KEY=${s}`);

  // Credentials in URLs, connection strings and configuration.
  fresh('postgres-uri', () => password(random), (s) => `DATABASE_URL=postgres://app:${s}@db.internal:5432/app`, (s) => `postgresql://app:${s}@10.0.0.4/app?sslmode=require`);
  fresh('mysql-uri', () => password(random), (s) => `mysql://root:${s}@localhost:3306/shop`);
  fresh('mongodb-srv-uri', () => r(ALNUM, 16), (s) => `MONGO_URL="mongodb+srv://admin:${s}@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority"`);
  fresh('redis-uri', () => r(ALNUM, 24), (s) => `REDIS_URL=redis://:${s}@redis-12345.c1.us-east-1.ec2.cloud.redislabs.com:12345`, (s) => `rediss://default:${s}@cache.acme.io:6380/0`);
  fresh('mysqlx-uri', () => password(random), (s) => `MYSQLX_URL=mysqlx://app:${s}@db:33060/app`);
  fresh('amqp-uri', () => r(ALNUM, 20), (s) => `CELERY_BROKER_URL=amqp://guest:${s}@rabbit:5672//`);
  fresh('basic-auth-url', () => password(random), (s) => `https://deploy:${s}@nexus.acme.io/repository/npm/`, (s) => `git remote add origin https://bot:${s}@git.acme.io/a/b.git`);
  fresh('jdbc-password', () => password(random), (s) => `jdbc:sqlserver://db.acme.io:1433;databaseName=app;user=app;password=${s};encrypt=true`);
  fresh('ado-connection-string', () => password(random), (s) => `Server=tcp:acme.database.windows.net,1433;Initial Catalog=app;User ID=app;Password=${s};Encrypt=True;`);
  fresh('basic-auth-header', () => Buffer.from(`admin:${password(random)}`).toString('base64'), (s) => `Authorization: Basic ${s}`);
  fresh('api-key-header', () => r(ALNUM, 40), (s) => `X-API-Key: ${s}`, (s) => `curl -H "x-api-key: ${s}" https://api.acme.io/v1/items`);
  fresh('password-yaml', () => password(random), (s) => `database:\n  host: db\n  password: ${s}`, (s) => `spring.datasource.password=${s}`);
  fresh('password-cli', () => password(random), (s) => `mysql -u root -p'${s}' -h db shop`, (s) => `sshpass -p '${s}' ssh deploy@10.0.0.5`);
  fresh('k8s-secret-data', () => Buffer.from(password(random)).toString('base64'), (s) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${s}`);
  fresh('k8s-secret-json', () => Buffer.from(r(ALNUM, 32)).toString('base64'), (s) => `{"apiVersion":"v1","kind":"Secret","data":{"api-token":"${s}"}}`);
  fresh('client-secret-generic', () => r(ALNUM + '-_', 32), (s) => `OAUTH_CLIENT_SECRET=${s}`, (s) => `"client_secret": "${s}"`);
  fresh('django-secret-key', () => r(LOWER + DIGITS + '!@#%^&*(-_=+)', 50), (s) => `SECRET_KEY = '${s}'`);
  fresh('sentry-dsn', () => r(HEX, 32), (s) => `SENTRY_DSN=https://${s}@o${r(DIGITS, 6)}.ingest.sentry.io/${r(DIGITS, 7)}`);
  fresh('cloudinary-url', () => r(BASE64URL, 27), (s) => `CLOUDINARY_URL=cloudinary://${r(DIGITS, 15)}:${s}@acme`);
  fresh('log-line-token', () => r(ALNUM, 40), (s) => `2026-01-01T10:00:00.123Z DEBUG http: GET /v1/items?access_token=${s} 200 12ms`);
  fresh('cookie-session', () => r(BASE64URL, 48), (s) => `Cookie: sessionid=${s}; csrftoken=${r(ALNUM, 32)}`);
  return out;
}

/** Strings that must come through unchanged: ids, digests, placeholders, prose, code. */
export function documentedNegatives(random: Random): string[] {
  const r = (alphabet: string, n: number) => randomFrom(alphabet, n, random);
  return [
    // Identifiers outside a credential's context.
    `request_id=${guid(random)} status=200 duration=12ms`,
    `{"id": "${guid(random)}", "name": "build", "state": "queued"}`,
    `Correlation-Id: ${guid(random)}`,
    `/subscriptions/${guid(random)}/resourceGroups/rg-app/providers/Microsoft.Web/sites/app`,
    `trace_id: ${r(HEX, 32)}`,
    `span_id=${r(HEX, 16)} parent=${r(HEX, 16)}`,
    `commit ${r(HEX, 40)}\nAuthor: Dev\nDate:   Mon Jan 1 10:00:00 2026 +0000`,
    `Merge pull request #42 from acme/fix ${r(HEX, 7)}..${r(HEX, 7)}`,
    `git checkout ${r(HEX, 40)}`,
    `"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": "sha512-${b64(64, random)}"`,
    `sha256sum: ${r(HEX, 64)}  dist/app.tar.gz`,
    `<script src="/app.js" integrity="sha384-${b64(48, random)}" crossorigin="anonymous"></script>`,
    `Digest: sha256:${r(HEX, 64)}`,
    `image: ghcr.io/acme/api@sha256:${r(HEX, 64)}`,
    `etag: "${r(HEX, 32)}"`,
    `md5 ${r(HEX, 32)} README.md`,
    `content-md5: ${b64(16, random)}`,
    `"version": "4.17.21", "lockfileVersion": 3`,
    `node v20.11.1, npm 10.2.4, typescript 5.4.2`,
    `Step 5/12 : RUN npm ci --omit=dev`,
    // base64 of ordinary text and data.
    `data:image/png;base64,iVBORw0KGgo${b64(60, random)}`,
    `message: ${Buffer.from('The quick brown fox jumps over the lazy dog, again and again.').toString('base64')}`,
    `"payload": "${Buffer.from(JSON.stringify({ event: 'push', ref: 'refs/heads/main' })).toString('base64')}"`,
    // Placeholders and documentation examples.
    `API_KEY=<your-api-key>`,
    `export OPENAI_API_KEY="<your OpenAI key>"`,
    `password: \${DB_PASSWORD}`,
    `token: {{ .Values.token }}`,
    `STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`,
    `GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
    `AWS_SECRET_ACCESS_KEY=YOUR_SECRET_ACCESS_KEY`,
    `aws_access_key_id = AKIAIOSFODNN7EXAMPLE`,
    `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
    `password = changeme`,
    `DB_PASSWORD=********`,
    `secret: REPLACE_ME`,
    `Set the api_key to your key from the dashboard.`,
    `token = os.environ["GITHUB_TOKEN"]`,
    `const password = process.env.DB_PASSWORD;`,
    `password_field = forms.CharField(widget=forms.PasswordInput)`,
    `if (!token) throw new Error('missing token');`,
    `"passwordPolicy": {"minLength": 12, "requireDigits": true}`,
    `client_secret: $(CLIENT_SECRET)`,
    `Authorization: Bearer <token>`,
    `secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>`,
    // Ordinary text, numbers and paths.
    `Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
    `The password reset link expires after 24 hours; the token is single-use.`,
    `color: #1e90ff; background: #fafafa; border-color: rgba(0, 0, 0, 0.12);`,
    `listen [2001:db8:85a3::8a2e:370:7334]:443 ssl;`,
    `fe80::1ff:fe23:4567:890a%eth0`,
    `2026-01-01T10:00:00.123456Z INFO worker started pid=4321`,
    `timestamp=1767225600123 level=info msg="cache warm"`,
    `/usr/local/lib/node_modules/npm/node_modules/@npmcli/arborist/lib/arborist/build-ideal-tree.js:1234`,
    `C:\\Program Files\\Microsoft Visual Studio\\2022\\Enterprise\\MSBuild\\Current\\Bin\\MSBuild.exe`,
    `https://learn.microsoft.com/en-us/azure/storage/common/storage-account-keys-manage?tabs=azure-portal`,
    `https://github.com/acme/infra/blob/${r(HEX, 40)}/modules/network/main.tf#L42`,
    `phase: Running, restartCount: 0, podIP: 10.244.1.17`,
    `SELECT id, name FROM users WHERE created_at > now() - interval '1 day';`,
    `function tokenize(input: string): Token[] { return lexer.run(input); }`,
    `const SECRET_KEY_LENGTH = 32;`,
    `Error: connect ECONNREFUSED 127.0.0.1:5432`,
    `x-request-id: ${r(ALNUM, 20)}`,
    `User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36`,
    `accept-encoding: gzip, deflate, br`,
    `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${b64(24, random)} dev@laptop`,
    `-----BEGIN CERTIFICATE-----\nMIIB${b64(48, random)}\n-----END CERTIFICATE-----`,
    `-----BEGIN PUBLIC KEY-----\nMFkw${b64(60, random)}\n-----END PUBLIC KEY-----`,
    `"publishableKey": "pk_live_${r(ALNUM, 24)}"`,
    `"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"`,
    `tenant: contoso.onmicrosoft.com`,
    `"tenantDisplayName": "Contoso", "countryCode": "US"`,
    `password must be at least 8 characters`,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3`,
    `uuid.v4() // e.g. 123e4567-e89b-12d3-a456-426614174000`,
    `isbn 978-3-16-148410-0, doi 10.1000/182`,
    // Placeholders where a key, a token or a hash is documented.
    `-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----`,
    `-----BEGIN PRIVATE KEY-----\n****************\n-----END PRIVATE KEY-----`,
    `"private_key": "-----BEGIN PRIVATE KEY-----\\n<your private key>\\n-----END PRIVATE KEY-----\\n"`,
    `-----BEGIN OPENSSH PRIVATE KEY-----\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n-----END OPENSSH PRIVATE KEY-----`,
    `//registry.npmjs.org/:_authToken=\${NPM_TOKEN}`,
    `DATABASE_URL=postgres://user:password@localhost:5432/app`,
    `mongodb+srv://<username>:<password>@cluster0.example.mongodb.net/test`,
    `https://admin:admin@jenkins.local/job/build`,
    `ftp://anonymous:{password}@ftp.acme.io/pub`,
    `Server=db;Database=app;User Id=sa;Password=your_password;`,
    `"packageManager": "pnpm@9.1.0+sha512.${r(HEX, 128)}"`,
    `DOTENV_PUBLIC_KEY="0${pick(['2', '3'], random)}${r(HEX, 64)}"`,
    // Names of secrets whose values are settings, references or code (the shapes generic rules trip on).
    `"aws_region": "us-east-1", "api_version": "2023-05-01"`,
    `{"token_type": "Bearer", "expires_in": 3599, "scope": "openid profile"}`,
    `"primaryKey": "userId", "sortKey": "createdAt"`,
    `"password": "", "passwordConfirm": ""`,
    `"accessTokenLifetime": 3600, "refreshTokenRotation": true`,
    `TOKEN_URL=https://login.microsoftonline.com/common/oauth2/v2.0/token`,
    `api_key_header_name = "X-API-Key"`,
    `<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">`,
    `fetch(url, { credentials: "include", mode: "cors" })`,
    `secret_name: prod/db/password`,
    `{"key": "ctrl+shift+p", "command": "workbench.action.showCommands"}`,
    `github_token: \${{ secrets.GITHUB_TOKEN }}`,
    `apiKey: process.env.OPENAI_API_KEY ?? ''`,
    `token = getpass.getpass("Token: ")`,
    `auth_method: oauth2`,
    `keyId: arn:aws:kms:us-east-1:123456789012:alias/app`,
    `Your API key is shown only once. Store it in a secret manager such as Azure Key Vault.`,
    `"secretRef": {"name": "db-credentials", "key": "password"}`,
    `valueFrom:\n  secretKeyRef:\n    name: api\n    key: token`,
    `password_min_length = 12\npassword_max_age_days = 90`,
  ];
}

