// The rules added for formats the documented-formats corpus found missing: each masks its
// format (generated here) and leaves its look-alikes alone.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { IDENTIFIABLE_32, IDENTIFIABLE_64 } from './rules/providers.js';
import { ALNUM, BASE64, DIGITS, guid, HEX, LOWER, opensshKey, pemKey, pushedInPieces, randomFrom, UPPER, withEntropy } from '../../test/support/masking.js';

const masker = createMasker({});
const r = randomFrom;
const masks = (text: string, secret: string, rule: string) => {
  const out = masker.text(text);
  assert.ok(!out.text.includes(secret), `${rule} leaked in ${JSON.stringify(text)}: ${out.text}`);
  assert.ok(out.findings.some((f) => f.rule === rule), `${rule} not reported in ${JSON.stringify(text)}: ${JSON.stringify(out.findings.map((f) => f.rule))}`);
};
const leaves = (text: string) =>
  assert.equal(masker.auto(text).text, text, `altered: ${JSON.stringify(text)} (${masker.auto(text).findings.map((f) => f.rule)})`);
const b64 = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(Math.random() * 256))).toString('base64');

describe('prefixed tokens found alone', () => {
  const cases: [string, () => string][] = [
    ['nuget-api-key', () => 'oy2' + r(LOWER + DIGITS, 43)],
    ['braintree-access-token', () => `access_token$production$${r(LOWER + DIGITS, 16)}$${r(HEX, 32)}`],
    ['flutterwave-secret-key', () => `FLWSECK-${r(HEX, 32)}-X`],
    ['mailgun-api-key', () => 'key-' + r(HEX, 32)],
    ['mailchimp-api-key', () => `${r(HEX, 32)}-us${1 + Math.floor(Math.random() * 20)}`],
    ['google-oauth-client-secret', () => 'GOCSPX-' + r(ALNUM + '-_', 28)],
    ['google-oauth-access-token', () => 'ya29.a0' + r(ALNUM + '-_', 150)],
    ['google-oauth-refresh-token', () => '1//0' + r(ALNUM + '-_', 99)],
    ['firebase-fcm-server-key', () => `AAAA${r(ALNUM + '-_', 7)}:APA91b${r(ALNUM + '-_', 134)}`],
    ['tencent-secret-id', () => 'AKID' + r(ALNUM, 32)],
    ['netlify-token', () => 'nfp_' + r(ALNUM, 36)],
    ['render-api-key', () => 'rnd_' + r(ALNUM, 32)],
    ['bitbucket-app-password', () => 'ATBB' + r(ALNUM, 32)],
    ['new-relic-license-key', () => r(HEX, 36) + 'NRAL'],
    ['new-relic-insert-key', () => 'NRII-' + r(ALNUM + '-_', 32)],
    ['buildkite-token', () => 'bkua_' + r(HEX, 40)],
    ['circleci-token', () => `CCIPAT_${r(ALNUM, 22)}_${r(HEX, 40)}`],
    ['contentful-token', () => 'CFPAT-' + r(ALNUM + '-_', 43)],
    ['dropbox-token', () => 'sl.B' + r(ALNUM + '-_', 135)],
    ['mapbox-secret-token', () => `sk.eyJ1Ijoi${r(ALNUM + '-_', 60)}.${r(ALNUM + '-_', 22)}`],
    ['supabase-token', () => 'sbp_' + r(HEX, 40)],
    ['replicate-token', () => 'r8_' + r(ALNUM, 37)],
    ['pinecone-api-key', () => `pcsk_${r(ALNUM, 5)}_${r(ALNUM, 63)}`],
    ['langsmith-api-key', () => `lsv2_pt_${r(HEX, 32)}_${r(HEX, 10)}`],
    ['hubspot-private-app-token', () => `pat-na1-${guid()}`],
    ['azure-devops-pat', () => r(ALNUM, 76) + 'AZDO' + r(ALNUM, 4)],
  ];
  for (const [rule, make] of cases) {
    it(`${rule}: alone, in prose, quoted, in JSON, after "="`, () => {
      for (let i = 0; i < 3; i++) {
        const value = make();
        for (const text of [value, `use ${value} now`, `'${value}'`, JSON.stringify({ v: value }), `X=${value}\n`]) masks(text, value, rule);
      }
    });
  }

  it('leaves their look-alikes: other hosts, shorter bodies, words', () => {
    leaves(`see https://ssl.acme.io/sl.js and api-key-${r(HEX, 8)} and oy2 is a word`);
    leaves(`monkey-${r("abcdef", 32)} the hotkey-${r("abcdef", 32)}`);
    leaves(`region eu-west-1, bucket logs-us1, build ${r(HEX, 12)}-us2`);
    leaves(`pk.eyJ1IjoiYWNtZSIsImEiOiJjbDEifQ.${r(ALNUM, 22)}`);
    leaves(`nfp_short rnd_${r(ALNUM, 8)} ATBB and AKID-42 r8_x`);
  });
});

describe("Azure's identifiable keys, found alone by their signature", () => {
  // Laid out as Microsoft's security-utilities describes each format; `zeros` puts a run of
  // zero bytes ("AAAA…" in base64) before the signature, as keys with reserved fields hold.
  const cases: [string, (zeros: boolean) => string][] = [
    ...IDENTIFIABLE_32.map(([id, signature]): [string, (zeros: boolean) => string] =>
      [id, (zeros) => (zeros ? r(BASE64, 23) + 'A'.repeat(10) : r(BASE64, 33)) + signature + r('ABCDEFGHIJKLMNOP', 1) + r(BASE64, 5) + '=']),
    ...IDENTIFIABLE_64.map(([id, signature]): [string, (zeros: boolean) => string] =>
      [id, (zeros) => (zeros ? r(BASE64, 64) + 'A'.repeat(12) : r(BASE64, 76)) + signature + r(BASE64, 5) + r('AQgw', 1) + '==']),
    ['azure-function-key', (zeros) => (zeros ? r(ALNUM + '-_', 34) + 'A'.repeat(10) : r(ALNUM + '-_', 44)) + 'AzFu' + r(ALNUM + '-_', 5) + r('AQgw', 1) + '=='],
    ['azure-search-key', (zeros) => (zeros ? r(ALNUM, 32) + 'A'.repeat(10) : r(ALNUM, 42)) + 'AzSe' + r('ABCD', 1) + r(ALNUM, 5)],
    ['azure-container-registry-key', (zeros) => (zeros ? r(BASE64, 32) + 'A'.repeat(10) : r(BASE64, 42)) + '+ACR' + r('ABCD', 1) + r(BASE64, 5)],
    // A CASK key of Azure AI services ("ACOG" at 80), with and without its "==" tail.
    ['azure-annotated-key', (zeros) => r(ALNUM, 52) + 'JQQJ99' + r(ALNUM, 1) + r('ABCDEFGHIJKL', 1) + (zeros ? 'A'.repeat(12) : r(ALNUM, 12)) + 'AAAAACOG' + r(ALNUM, 4) + (zeros ? r(ALNUM, 2) + '==' : '')],
    // An Azure DevOps PAT in the same layout: "AAAAAZDO" always, and its time fields may add more A.
    ['azure-devops-pat', (zeros) => r(ALNUM, 52) + 'JQQJ99' + r(ALNUM, 1) + r('ABCDEFGHIJKL', 1) + (zeros ? r(ALNUM, 4) + 'A'.repeat(8) : r(ALNUM, 12)) + 'AAAAAZDO' + r(ALNUM, 4)],
  ];
  for (const [rule, make] of cases) {
    it(`${rule}: alone, in prose, quoted, in JSON, after "=", with runs of zero bytes`, () => {
      for (const zeros of [false, true, false, true]) {
        const value = make(zeros);
        for (const text of [value, `use ${value} now`, `'${value}'`, JSON.stringify({ v: value }), `X=${value}\n`]) masks(text, value, rule);
      }
    });
  }

  it('leaves what only looks like them: the signature in prose, a base64 run without it, a placeholder that says so', () => {
    leaves('APIM policies, AIoT devices, AzCa and AzSe names, +ASt and +ACR in a diff, JQQJ in a word');
    leaves(`${r(BASE64, 33)}XASb${r('ABCDEFGHIJKLMNOP', 1)}${r(BASE64, 5)}= and ${r(ALNUM, 42)}AzSeZ${r(ALNUM, 5)}`);
    leaves(`EXAMPLE${r(BASE64, 26)}+ASbA${r(BASE64, 5)}=`);
  });
});

describe('credentials in context', () => {
  it('telegram-bot-token: in the Bot API URL and an env file; not a time or a ratio', () => {
    const secret = 'AA' + r(ALNUM + '-_', 33);
    const id = '1' + r(DIGITS, 9);
    masks(`GET https://api.telegram.org/bot${id}:${secret}/getMe`, secret, 'telegram-bot-token');
    masks(`bot token ${id}:${secret} (from BotFather)`, secret, 'telegram-bot-token');
    leaves(`at 12:30:AA the ratio 3:1 and id 1234567890:AB${r(ALNUM, 33)}`);
  });

  it('discord-webhook: the token after the webhook id', () => {
    const token = r(ALNUM + '-_', 68);
    masks(`https://discord.com/api/webhooks/${r(DIGITS, 18)}/${token}`, token, 'discord-webhook');
    masks(`https://discordapp.com/api/webhooks/${r(DIGITS, 18)}/${token}`, token, 'discord-webhook');
    leaves('https://discord.com/api/webhooks/123/edit and docs at https://discord.com/developers/docs/resources/webhook');
  });

  it('azure-devops-pat: 52 base32 characters named as an Azure DevOps token', () => {
    const pat = r('abcdefghijklmnopqrstuvwxyz234567', 52);
    masks(`AZURE_DEVOPS_EXT_PAT=${pat}`, pat, 'azure-devops-pat');
    masks(`ado_pat: "${pat}"`, pat, 'azure-devops-pat');
    leaves(`azure devops pipeline ${r(HEX, 40)} finished`);
  });

  it('azure-function-key: code= in a function URL and the x-functions-key header', () => {
    const key = r(ALNUM + '-_', 54) + '==';
    masks(`https://acme.azurewebsites.net/api/hook?code=${key}`, key, 'azure-function-key');
    masks(`x-functions-key: ${key}`, key, 'azure-function-key');
    leaves('https://acme.io/oauth/callback?code=200&state=ok and ?code=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
  });

  it('azure-client-id: az login --service-principal -u <guid>', () => {
    const id = guid();
    masks(`az login --service-principal -u ${id} -p "$SECRET" --tenant contoso.onmicrosoft.com`, id, 'azure-client-id');
    leaves(`az login --service-principal -u http://acme-ci -p "$SECRET" && echo ${guid()}`);
  });

  it('flyio-token: FlyV1 and comma-separated macaroons', () => {
    const token = `fm2_${b64(150)},fm2_${b64(90)}`;
    masks(`FLY_API_TOKEN="FlyV1 ${token}"`, token.slice(0, 60), 'flyio-token');
    leaves('FlyV1 is the scheme; see fly tokens create');
  });

  it('putty-private-key: the private lines of a .ppk file', () => {
    const lines = Array.from({ length: 4 }, () => r(ALNUM + '+/', 64));
    const text = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPublic-Lines: 1\n${r(ALNUM, 64)}\nPrivate-Lines: 4\n${lines.join('\n')}\nPrivate-MAC: ${r(HEX, 64)}`;
    for (const line of lines) masks(text, line, 'putty-private-key');
    leaves('Private-Lines: the count of lines that follow');
  });

  it('secp256k1-private-key: a hex key given to new Wallet(…) or privateKeyToAccount(…)', () => {
    const key = r(HEX, 64);
    masks(`const wallet = new ethers.Wallet("0x${key}");`, key, 'secp256k1-private-key');
    masks(`const account = privateKeyToAccount('0x${key}')`, key, 'secp256k1-private-key');
    leaves(`const wallet = new Wallet(provider); // tx 0x${'0'.repeat(8)}`);
  });

  it('command-line-password: mysql -p<pw>, sshpass -p <pw>, redis-cli -a <pw>; not -p <db>, a port or a variable', () => {
    const pw = r(ALNUM, 10) + '!' + r(ALNUM, 5);
    masks(`mysql -u root -p'${pw}' -h db shop`, pw, 'command-line-password');
    masks(`mysqldump -uroot -p${pw} shop > dump.sql`, pw, 'command-line-password');
    masks(`sshpass -p '${pw}' ssh deploy@10.0.0.5`, pw, 'command-line-password');
    masks(`redis-cli -h cache -a ${pw} ping`, pw, 'command-line-password');
    leaves('mysql -u root -p shop < schema.sql; mysql -h db -P 3306 -p"$MYSQL_PWD"; mkdir -p /var/lib/mysql');
  });

  it('django-secret-key: SECRET_KEY with the characters Django draws from', () => {
    const key = r(LOWER + DIGITS + '!@#%^&*(-_=+)', 50);
    masks(`SECRET_KEY = '${key}'`, key, 'django-secret-key');
    leaves(`SECRET_KEY = os.environ['DJANGO_SECRET_KEY']`);
  });

  it('private-key: a key whose line ends are escaped once (JSON) or twice (JSON in a JSON string), whole or cut short', () => {
    const pem = pemKey();
    const body = pem.split('\n')[3]!;
    const once = JSON.stringify(pem).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const text of [`key: "${once}"`, `key: "${twice}"`, `log ${twice.slice(0, 600)}`, `log ${once.slice(0, 600)}`]) {
      const out = masker.text(text);
      assert.ok(!out.text.includes(body.slice(0, 24)), `${text.slice(0, 40)}… -> ${out.text.slice(0, 80)}`);
    }
  });

  it('cookie-header: a token in a Cookie or Set-Cookie line whatever its name, and the line after it; not words, not short values', () => {
    for (let i = 0; i < 5; i++) {
      const token = r(HEX, 32);
      const b64 = r(BASE64, 60);
      masks(`Cookie: sid=${token}`, token, 'cookie-header');
      masks(`Set-Cookie: id=${token}; Path=/; HttpOnly`, token, 'cookie-header');
      masks(`> cookie: theme=dark; _gh_sess=${b64}; tz=UTC`, b64, 'cookie-header');
      masks(`< Set-Cookie: __Host-next-auth.session-token=${b64}; Path=/; Secure`, b64, 'cookie-header');
      // The line's later cookies go with the first token.
      const later = r(ALNUM, 40);
      assert.ok(!masker.text(`Cookie: a1=${token}; b2=${later}`).text.includes(later));
    }
    leaves('Cookie: theme=dark-mode-enabled; lang=en-US');
    leaves('Set-Cookie: lang=en-US; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT');
    leaves('the cookie: a small one, with a=b');
  });

  it('session-cookie: a session id in Cookie and Set-Cookie; not a short or word value', () => {
    const id = r(ALNUM + '-_', 48);
    masks(`Cookie: sessionid=${id}; csrftoken=x`, id, 'session-cookie');
    const php = r(LOWER + DIGITS, 26);
    masks(`Set-Cookie: PHPSESSID=${php}; path=/`, php, 'session-cookie');
    masks(`cookies: connect.sid=s%3A${id}`, id, 'session-cookie');
    leaves('Set-Cookie: session=; Max-Age=0 and sessionid=expired_by_server_request and session=authenticated');
  });

  it('authorization-header: the SSWS and Api-Token schemes', () => {
    const token = '00' + r(ALNUM + '-_', 40);
    masks(`Authorization: SSWS ${token}`, token, 'authorization-header');
    masks(`Authorization: Api-Token ${token}`, token, 'authorization-header');
  });

  it('jwt: an Entra-sized token (1-6 KB, its payload holding "eyJ" too) alone, in prose, in JSON and streamed in pieces', () => {
    const b64u = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const claims of [800, 2000, 4000]) {
      const payload = b64u({ aud: 'https://management.azure.com', nested: b64u({ typ: 'JWT' }), roles: r(ALNUM, claims) });
      const token = `${b64u({ alg: 'RS256', typ: 'JWT', kid: r(ALNUM, 27) })}.${payload}.${r(ALNUM + '-_', 342)}`;
      for (const text of [token, `token ${token} ok`, `Authorization header was ${token}\n`]) masks(text, token, 'jwt');
      assert.ok(!masker.auto(JSON.stringify({ access_token_value: token })).text.includes(token.slice(-60)));
      const stream = masker.stream();
      assert.ok(!pushedInPieces(stream, `got ${token} back`, [7, 100, 1500]).includes(token.slice(-60)));
    }
  });

  it('generic-secret: a value of hundreds of characters is masked whole, not its first 200', () => {
    for (const length of [340, 900]) {
      const value = r(ALNUM, length);
      for (const text of [`client_secret: ${value}`, `password=${value}\n`, `X-Api-Key: ${value}`]) {
        const out = masker.text(text).text;
        assert.ok(!out.includes(value.slice(-12)), `${text.slice(0, 20)}…: ${out.slice(0, 80)}`);
      }
    }
  });

  it('generic-secret: a literal compared with a secret name (==, ===, !=, !==) is masked; a comparison of names is not', () => {
    for (const op of ['==', '===', '!=', '!==']) {
      // Of such values, about 1 in 150 repeats enough to fall below the rule's entropy: drawn again.
      const value = withEntropy(() => r(LOWER, 6) + r(DIGITS, 3) + r(UPPER, 3));
      masks(`if password ${op} "${value}":`, value, 'generic-secret');
      masks(`if (creds.secret ${op} '${value}') {`, value, 'generic-secret');
      leaves(`if (password ${op} confirmPassword) {`);
      leaves(`if token ${op} null:`);
    }
  });

  it('database-url-password and url-basic-auth: a password holding "@" or ":" runs to the last "@" before the host', () => {
    for (const scheme of ['postgres', 'mongodb', 'https']) {
      const pw = `${r(ALNUM, 5)}@${r(ALNUM, 4)}:${r(ALNUM, 5)}`;
      const url = `${scheme}://app:${pw}@db${r(DIGITS, 2)}.internal/app`;
      const out = masker.text(url);
      assert.ok(!out.text.includes(pw.split('@')[1]!) && !out.text.includes(pw.slice(0, 5)), out.text);
      assert.ok(out.text.endsWith('.internal/app'), out.text);
    }
    leaves('https://registry.acme.io:8443/@acme/pkg and git@github.com:acme/app.git');
  });

  it('azure-sas-signature: a Logic Apps trigger URL signed in base64url', () => {
    for (let i = 0; i < 5; i++) {
      const sig = r(ALNUM, 20) + '-_' + r(ALNUM, 21);
      masks(`https://prod-12.westeurope.logic.azure.com:443/workflows/${r(HEX, 32)}/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`, sig, 'azure-sas-signature');
    }
  });

  it('database-url-password: a password with "#" in it', () => {
    const pw = r(ALNUM, 8) + '#' + r(ALNUM, 8);
    masks(`postgresql://app:${pw}@10.0.0.4/app?sslmode=require`, pw, 'database-url-password');
    leaves('https://docs.acme.io:443/guide#section-2');
  });
});

describe('allowlists', () => {
  it('a connection-string password rule leaves code that names the password', () => {
    leaves('const password = process.env.DB_PASSWORD;');
    leaves('user = (char *) (p + 1);\npwd = (char *) (p + ulen + 2);');
    leaves('password = config.get("db.password");');
    masks('Server=db;Password=Hunter2-Summer;', 'Hunter2-Summer', 'connection-string-password');
  });

  it('a setting named like a secret that holds a URL without credentials or a path of words is left', () => {
    leaves('TOKEN_URL=https://login.microsoftonline.com/common/oauth2/v2.0/token');
    leaves('secret_name: prod/db/password');
    const pw = r(ALNUM, 12) + '7';
    masks(`secret = ${pw}/${r(ALNUM, 8)}9`, pw, 'generic-secret');
    masks(`TOKEN_URL=https://bot:${pw}@hooks.acme.io/t`, pw, 'generic-secret');
  });

  it("Stripe's publishable keys (public by design) are not taken for API keys", () => {
    leaves(`"publishableKey": "pk_live_${r(ALNUM, 24)}"`);
    leaves(`STRIPE_PUBLISHABLE_KEY=pk_test_${r(ALNUM, 99)}`);
  });
});

describe("formats as secretlint's recommended rules define them", () => {
  it('cloudflare-api-token: cfk_, cfut_, cfat_ with 40 characters and an 8-hex checksum', () => {
    for (const prefix of ['cfk_', 'cfut_', 'cfat_']) {
      const token = prefix + r(ALNUM, 40) + r(HEX, 8);
      masks(token, token, 'cloudflare-api-token');
      masks(`use ${token}.`, token, 'cloudflare-api-token');
    }
    leaves(`cfk_${r(ALNUM, 20)} and xcfut_${r(ALNUM, 48)}`);
  });

  it('tailscale-key: any type, "_" in its parts, after a digit', () => {
    const key = `tskey-${r(LOWER, 15)}-k${r(ALNUM, 5)}_${r(ALNUM, 4)}-${r(ALNUM, 15)}_${r(ALNUM, 14)}`;
    masks(`1${key}`, key, 'tailscale-key');
    masks(`"${key}"`, key, 'tailscale-key');
    leaves(`mytskey-auth-k${r(ALNUM, 10)}-${r(ALNUM, 30)}`);
  });

  it('github-token and github-fine-grained-pat: "_" inside the random part', () => {
    const classic = 'ghp_' + r(ALNUM, 17) + '_' + r(ALNUM, 18);
    masks(`token: ${classic}`, classic, 'github-token');
    const fine = 'github_pat_' + r(ALNUM, 30) + '_' + r(ALNUM, 51);
    masks(`GH_TOKEN=${fine}`, fine, 'github-fine-grained-pat');
  });

  it('aws-access-key-id: AKIA… with any digit, and the IAM unique ids (AIDA, AROA, AGPA…)', () => {
    for (const prefix of ['AKIA', 'AIDA', 'AROA', 'AGPA', 'ANPA']) {
      // The rule asks a key for a random value's entropy: a draw like ANPAE5EJ15E44VNEJEJ4 has not.
      const id = withEntropy(() => prefix + r(UPPER + DIGITS, 16));
      masks(`"id": "${id}"`, id, 'aws-access-key-id');
    }
    leaves('AKIAIOSFODNN7EXAMPLE AIDAAAAAAAAAAAAAAAAA');
  });

  it('slack-token: xapp- in any case; sendgrid-api-key: shorter parts; linear-api-key: "_" inside', () => {
    const xapp = `xapp-1-${r(UPPER + DIGITS, 11)}-${r(DIGITS, 13)}-${r(ALNUM, 64)}`;
    masks(xapp, xapp, 'slack-token');
    const sg = `SG.${r(ALNUM, 12)}.${r(ALNUM + '_-', 14)}`;
    masks(`key=${sg}`, sg, 'sendgrid-api-key');
    const lin = 'lin_api_' + r(ALNUM, 19) + '_' + r(ALNUM, 20);
    masks(lin, lin, 'linear-api-key');
    leaves('SG.Config.LoadDefaults and SG.short.value');
  });

  it('1password-service-account-token: ops_ and any base64 JSON object', () => {
    const token = 'ops_' + Buffer.from(`{ "signInAddress": "my.1password.com", "secret": "${r(ALNUM, 120)}" }`).toString('base64');
    masks(token, token.slice(0, 60), '1password-service-account-token');
  });

  it('url-token: a token as the user of a URL, with x-oauth-basic or alone', () => {
    const token = r(HEX, 40);
    masks(`"x": "git+https://${token}:x-oauth-basic@github.com/acme/x.git"`, token, 'url-token');
    // One in twenty random 40-hex tokens has less than 3.5 bits of entropy per character: ten
    // hex digits four times each, shuffled, has log2(10) = 3.32.
    const digits = [...HEX].sort(() => Math.random() - 0.5).slice(0, 10);
    const lowEntropy = digits.flatMap((d) => [d, d, d, d]).sort(() => Math.random() - 0.5).join('');
    masks(`"x": "git+https://${lowEntropy}:x-oauth-basic@github.com/acme/x.git"`, lowEntropy, 'url-token');
    // An email-shaped user@host is the PII rule's to name; either way the token is gone.
    assert.ok(!masker.text(`git clone https://${token}@github.com/acme/x.git`).text.includes(token));
    leaves("git clone https://github.com/acme/x.git and ssh://deploy-user-for-production-servers@host");
    // A Sentry DSN's key on sentry.io is public (Sentry says to ship it in clients); elsewhere it may be anything.
    const dsnKey = withEntropy(() => r(HEX, 32));
    leaves(`SENTRY_DSN=https://${dsnKey}@o4501234.ingest.us.sentry.io/4504567`);
    leaves(`dsn: "https://${dsnKey}@o4501234.ingest.sentry.io/4504567"`);
    assert.ok(!masker.text(`https://${dsnKey}@sentry.example.com/3`).text.includes(dsnKey));
  });

  it('npmrc-credential: _authToken, _auth, _password of any registry, not a variable', () => {
    const token = r(ALNUM, 10) + '-' + r(ALNUM, 10);
    masks(`//npm.acme.io/:_authToken=${token}`, token, 'npmrc-credential');
    const auth = Buffer.from(`ci:${r(ALNUM, 12)}`).toString('base64');
    masks(`_auth = "${auth}"`, auth, 'npmrc-credential');
    leaves('//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n_auth=$NPM_AUTH');
    assert.ok(!masker.text(`CLOUDANT_PASSWORD=${r(HEX, 64)}`).findings.some((f) => f.rule === 'npmrc-credential'));
  });

  it('npm-token: "_" inside the random part', () => {
    const token = 'npm_' + r(ALNUM, 17) + '_' + r(ALNUM, 18);
    masks(`NPM_TOKEN=${token}`, token, 'npm-token');
  });

  it('database-url-password: mysqlx://', () => {
    const pw = r(ALNUM, 14) + '1';
    masks(`mysqlx://app:${pw}@db:33060/app`, pw, 'database-url-password');
  });

  it("database-url-password: Azure SQL's JDBC URL, whose port and properties come before its user@server, is no URL password", () => {
    const pw = r(ALNUM, 14) + '1';
    leaves('jdbc:sqlserver://srv.database.windows.net:1433;database=db;user=admin@srv;encrypt=true;loginTimeout=30;');
    masks(`jdbc:sqlserver://srv.database.windows.net:1433;database=db;user=admin@srv;password=${pw};encrypt=true`, pw, 'connection-string-password');
    assert.equal(masker.text(`jdbc:sqlserver://srv.database.windows.net:1433;user=admin@srv;password=${pw};`).text, 'jdbc:sqlserver://srv.database.windows.net:1433;user=admin@srv;password=[MASKED:connection-string-password];');
  });

  it('private-key: a block whose body is a placeholder or too short for a key is left; a cut-off block is masked', () => {
    leaves('-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----');
    leaves('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----');
    leaves('"-----BEGIN PRIVATE KEY-----\\n<your key here>\\n-----END PRIVATE KEY-----\\n"');
    leaves('-----BEGIN PRIVATE KEY-----\n${PRIVATE_KEY_BODY}\n-----END PRIVATE KEY-----');
    const body = r(ALNUM + '+/', 64);
    masks(`-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`, body, 'private-key');
    masks(`-----BEGIN PRIVATE KEY-----\n${body.slice(0, 20)}`, body.slice(0, 20), 'private-key');
  });
});

describe('passwords as documentation writes them', () => {
  it('URL and connection-string passwords: the word, a template, too short, repeated, or the user again are left', () => {
    for (const text of [
      'https://user:password@host.io/x', 'postgres://admin:admin@db/app', 'ftp://bob:{password}@ftp.acme.io',
      'mysql://root:$MYSQL_PASSWORD@db/x', 'redis://:secret@cache:6379', 'mongodb+srv://app:pass@cluster0.x.mongodb.net',
      'https://u:abc@host.io', 'https://u:aaaa@host.io', 'mysql://app:root@db/x', 'postgres://app:admin@db/x', 'Server=x;Password=your_password;', 'mysql -u root -p$(cat /run/pw) db',
    ]) leaves(text);
  });

  it('a real password in the same places is masked', () => {
    const pw = r(ALNUM, 10) + '7';
    masks(`https://deploy:${pw}@nexus.acme.io`, pw, 'url-basic-auth');
    masks(`postgres://admin:${pw}@db/app`, pw, 'database-url-password');
    masks(`Server=x;Password=${pw};`, pw, 'connection-string-password');
    masks('postgres://admin:s3cr@db/app', 's3cr', 'database-url-password');
  });
});

describe('letters-only values in a secret setting', () => {
  it('a random mixed-case letters-only token is masked; identifiers made of words are left', () => {
    for (let i = 0; i < 20; i++) {
      // Both cases alternating, consonants: no word in it, as a random token mostly has none.
      const token = Array.from({ length: 12 }, () => r('BCDFGHJKLMNPQRSTVWXZ', 1) + r('bcdfghjklmnpqrstvwxz', 1)).join('');
      masks(`JIRA_API_TOKEN=${token}`, token, 'generic-secret');
    }
    for (const id of ['getUserByIdFromCache', 'AbstractSingletonProxyFactoryBean', 'XMLHttpRequestUpload', 'hunterhunterhunter', 'IsValidTokenForUserId', 'PoRaTeSiLuMaKeNoVa']) {
      leaves(`token = ${id}`);
    }
  });
});

describe("formats other scanners' example sets showed missing, from each provider's documentation", () => {
  const CRYPT = ALNUM + './';
  const cases: [string, () => string][] = [
    ['crates-io-token', () => 'cio' + r(ALNUM, 32)],
    ['dependency-track-api-key', () => 'odt_' + r(ALNUM, 32)],
    ['dependency-track-api-key', () => `odt_${r(ALNUM, 8)}_${r(ALNUM, 32)}`],
    ['tavily-api-key', () => 'tvly-' + r(ALNUM, 32)],
    ['tavily-api-key', () => 'tvly-dev-' + r(ALNUM, 32)],
    ['posthog-api-key', () => 'phx_' + r(ALNUM, 43)],
    ['posthog-api-key', () => `phx_${r(ALNUM, 20)}_${r(ALNUM, 22)}`],
    ['buildkite-token', () => 'bkua_' + r(LOWER + DIGITS, 40)],
    ['circleci-token', () => `CCIPAT_${r(ALNUM, 22)}_${r(LOWER + DIGITS, 40)}`],
    ['anthropic-api-key', () => `sk-ant-api003-${r(ALNUM + '-_', 93)}AA`],
    ['clickup-api-token', () => `pk_${r(DIGITS, 8)}_${r(UPPER + DIGITS, 32)}`],
    ['elevenlabs-api-key', () => 'sk_' + r(HEX, 48)],
    ['fleetbase-api-key', () => 'flb_live_' + r(ALNUM, 20)],
    ['flexport-api-key', () => 'shltm_' + r(ALNUM + '-_', 40)],
    ['ionic-token', () => 'ion_' + r(ALNUM, 42)],
    ['pagarme-api-key', () => 'ak_live_' + r(ALNUM, 30)],
    ['pagarme-api-key', () => 'ak_test_' + r(ALNUM, 30)],
    ['nightfall-api-key', () => 'NF-' + r(ALNUM, 32)],
    ['fullstory-api-key', () => 'na1.' + b64(75)],
    ['ubidots-token', () => 'BBFF-' + r(ALNUM, 30)],
    ['notion-integration-token', () => 'secret_' + r(ALNUM, 43)],
    ['nvidia-api-key', () => 'nvapi-' + r(ALNUM + '-_', 64)],
    ['mongodb-atlas-service-account-secret', () => 'mdb_sa_sk_' + r(ALNUM + '-_', 40)],
    ['adafruit-io-key', () => 'aio_' + r(ALNUM, 28)],
    ['twitch-stream-key', () => `live_${r(DIGITS, 9)}_${r(ALNUM, 30)}`],
    ['teamcity-token', () => `eyJ0eXAiOiAiVENWMiJ9.${r(ALNUM + '-_', 36)}.${r(ALNUM + '-_', 64)}`],
    ['salesforce-access-token', () => `00D${r(ALNUM, 12)}!${r(ALNUM + '.', 96)}`],
    ['new-relic-license-key', () => `eu01xx${r(HEX, 30)}NRAL`],
    ['password-hash', () => `$6$${r(CRYPT, 16)}$${r(CRYPT, 86)}`],
    ['password-hash', () => `$5$rounds=5000$${r(CRYPT, 16)}$${r(CRYPT, 43)}`],
    ['password-hash', () => `$1$${r(CRYPT, 8)}$${r(CRYPT, 22)}`],
    ['password-hash', () => `$apr1$${r(CRYPT, 8)}$${r(CRYPT, 22)}`],
    ['password-hash', () => `$2b$12$${r(CRYPT, 53)}`],
    ['password-hash', () => `$y$j9T$${r(CRYPT, 22)}$${r(CRYPT, 43)}`],
    ['password-hash', () => `$argon2id$v=19$m=65536,t=3,p=4$${r(BASE64, 22)}$${r(BASE64, 43)}`],
    ['password-hash', () => `$krb5asrep$23$${r(HEX, 32)}$${r(HEX, 200)}`],
  ];
  for (const [rule, make] of cases) {
    it(`${rule}: ${make().slice(0, 12)}… alone, in prose, quoted, in JSON, after "="`, () => {
      for (let i = 0; i < 3; i++) {
        const value = make();
        for (const text of [value, `use ${value} now`, `'${value}'`, JSON.stringify({ v: value }), `X=${value}\n`]) masks(text, value, rule);
      }
    });
  }

  it('leaves their look-alikes: words, shorter bodies, public keys, shell variables', () => {
    leaves(`the ciotola ${r(LOWER, 20)} and precious odt_x, tvly-${r(ALNUM, 8)}`);
    leaves(`phc_${r(ALNUM, 43)} is PostHog's public project key; mdb_sa_id_${r(HEX, 24)} a client id`);
    leaves(`live_stream_${r(LOWER, 30)} and live_123_abc`);
    leaves('echo $1$2 and $6$ and awk \'{print $1$5}\' and $2y$10$short');
    // Stripe's publishable keys and Pagar.me's encryption keys go to browsers; identifiers that share a prefix.
    leaves(`pk_live_${r(ALNUM, 24)} and ek_live_${r(ALNUM, 30)}, pk_${r(DIGITS, 8)}_short`);
    leaves('secret_key_base = Rails.application.secret_key_base; ion_channel_map and secret_sauce');
    leaves(`sk_${r(LOWER, 48)} is no hex key; conf-NF-overview, na1.example.com, BBFF-beef`);
  });

  it('microsoft-teams-webhook: the connector URL, old and new hosts; the tenant is not the secret', () => {
    const path = `${guid()}@${guid()}/IncomingWebhook/${r(HEX, 32)}/${guid()}`;
    masks(`https://outlook.office.com/webhook/${path}`, path, 'microsoft-teams-webhook');
    const signed = `${path}/V2${r(ALNUM + '-_', 40)}`;
    const text = `webhook: https://acme.webhook.office.com/webhookb2/${signed}`;
    masks(text, signed.slice(-20), 'microsoft-teams-webhook');
    assert.ok(masker.text(text).text.includes('https://acme.webhook.office.com/webhookb2/[MASKED:'), masker.text(text).text);
    leaves('see https://outlook.office.com/webhook/ and https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/');
  });

  it('telegram-bot-token: a documented token (no "AA") named as Telegram, or in a tgram:// URL', () => {
    const secret = r(ALNUM + '-_', 35);
    masks(`TELEGRAM_BOT_TOKEN=${r(DIGITS, 10)}:${secret}`, secret, 'telegram-bot-token');
    masks(`notify: tgram://${r(DIGITS, 9)}:${secret}/${r(DIGITS, 9)}`, secret, 'telegram-bot-token');
    leaves(`telegram: at 12:30 send ${r(LOWER, 10)}`);
  });

  it('kubernetes-bootstrap-token: kubeadm join --token, kubelet --tls-bootstrap-token', () => {
    const token = `${r(LOWER + DIGITS, 6)}.${r(LOWER + DIGITS, 16)}`;
    masks(`kubeadm join 10.0.0.5:6443 --token ${token} --discovery-token-ca-cert-hash sha256:${r(HEX, 64)}`, token, 'kubernetes-bootstrap-token');
    masks(`--tls-bootstrap-token=${token}`, token, 'kubernetes-bootstrap-token');
    leaves('kubeadm token create --print-join-command --token-ttl 2h');
  });

  it('vault-unseal-key: as `vault operator init` prints it and as `vault operator unseal` takes it', () => {
    const share = r(BASE64, 44);
    masks(`Unseal Key 1: ${share}\nUnseal Key 2: ${r(BASE64, 44)}`, share, 'vault-unseal-key');
    masks(`vault operator unseal ${share}`, share, 'vault-unseal-key');
    const hex = r(HEX, 66);
    masks(`vault operator unseal -address=https://vault:8200 ${hex}`, hex, 'vault-unseal-key');
    leaves('vault operator unseal -status; Unseal Key 1: (see the vault)');
  });

  it('netrc-password: on one line or several; not a variable or the word', () => {
    const pw = r(ALNUM, 14);
    masks(`machine api.github.com login ci password ${pw}`, pw, 'netrc-password');
    masks(`machine raw.github.com\n  login ci-bot\n  password ${pw}\n`, pw, 'netrc-password');
    leaves('machine api.acme.io login ci password $NETRC_PASSWORD\nmachine x login y password password');
  });

  it('cli-secret-value: what az keyvault, gh, aws secretsmanager, kubectl and docker login store as a secret, whatever its name', () => {
    // Words with a digit: no entropy- or name-based rule would take them.
    const pw = `${r(LOWER, 6)}${r(LOWER, 6)}${r(DIGITS, 1)}`;
    masks(`az keyvault secret set --vault-name kv-prod --name db-conn --value ${pw}`, pw, 'cli-secret-value');
    masks(`az keyvault secret set --name sql --value "${pw} and more" --vault-name kv`, `${pw} and more`, 'cli-secret-value');
    masks(`gh secret set DEPLOY_KEY --body ${pw} --repo octo/app`, pw, 'cli-secret-value');
    masks(`gh secret set DEPLOY_KEY -b '${pw}'`, pw, 'cli-secret-value');
    const json = `{"user":"app","pw":"${pw}"}`;
    masks(`aws secretsmanager create-secret --name prod/db --secret-string '${json}'`, json, 'cli-secret-value');
    masks(`kubectl create secret generic db --from-literal=user=app --from-literal=DB_PASS=${pw}`, pw, 'cli-secret-value');
    masks(`kubectl create secret generic db "--from-literal=conn=${pw} x"`, `${pw} x`, 'cli-secret-value');
    masks(`docker login -u ci -p ${pw} acme.azurecr.io`, pw, 'cli-secret-value');
    // Both --from-literal values are masked.
    const other = `${r(LOWER, 8)}${r(DIGITS, 2)}`;
    const both = masker.text(`kubectl create secret generic x --from-literal=a=${pw} --from-literal=b=${other}`).text;
    assert.ok(!both.includes(pw) && !both.includes(other), both);
    leaves('az keyvault secret set --vault-name kv --name x --file ./secret.txt');
    leaves('az keyvault secret set --vault-name kv --name x --value @secret.txt');
    leaves('gh secret set X --body "$TOKEN"');
    leaves('az keyvault secret show --name x --vault-name kv --query value');
    // A quoted value is held in a stream until its quote closes.
    const line = `az keyvault secret set -n x --vault-name kv --value "${pw} and more"`;
    for (let cut = 1; cut < line.length; cut++) {
      const stream = masker.stream();
      assert.ok(!(stream.push(line.slice(0, cut)) + stream.push(line.slice(cut)) + stream.end()).includes(pw), `split at ${cut}`);
    }
  });

  it('command-line-password: PsExec -p, ConvertTo-SecureString -AsPlainText, NetworkCredential; not variables', () => {
    const pw = r(ALNUM, 10) + '!';
    masks(`PsExec.exe \\\\10.0.0.7 -u ACME\\admin -p ${pw} cmd /c whoami`, pw, 'command-line-password');
    masks(`$sec = ConvertTo-SecureString "${pw}" -AsPlainText -Force`, pw, 'command-line-password');
    // The match reaches past the secret: a stream holds it until -AsPlainText comes.
    const line = `$sec = ConvertTo-SecureString "${pw}" -AsPlainText -Force`;
    for (let cut = 1; cut < line.length; cut++) {
      const stream = masker.stream();
      assert.ok(!(stream.push(line.slice(0, cut)) + stream.push(line.slice(cut)) + stream.end()).includes(pw), `split at ${cut}`);
    }
    masks(`new System.Net.NetworkCredential("svc-build", "${pw}")`, pw, 'command-line-password');
    leaves('psexec \\\\host -u admin -p $Password -i calc.exe; psexec \\\\host -u admin -p %PASS% cmd');
    leaves('$sec = ConvertTo-SecureString "$env:DEPLOY_PASSWORD" -AsPlainText -Force');
  });

  it('password-in-prose: a password a README or an answer tells, quoted; not "the password is required"', () => {
    const pw = `${r(LOWER, 5)}${r(DIGITS, 2)}${r(UPPER, 2)}`;
    masks(`The password is '${pw}'`, pw, 'password-in-prose');
    masks(`so just ensure the password is "${pw}" and press the "On" button!`, pw, 'password-in-prose');
    masks(`2. Ensure the password for user 'postgres' is '${pw}' or change .env file.`, pw, 'password-in-prose');
    masks(`The default password for the user "pyne-user" is "${pw}".`, pw, 'password-in-prose');
    masks(`Your new password will be set to \u201c${pw}\u201d.`, pw, 'password-in-prose');
    leaves('The password is required. The password is "password". The password is "<your password>" and is stored hashed.');
    leaves('the password is the one you chose; a password was "reset" by the admin, the password is "reset" now and is \'expired\'');
  });

  it('secret-in-prose: a generated value told after "key", "token" or "secret" with no separator, as a prompt or a note tells it', () => {
    // Letters and digits both, as a generated token always has (a run of letters alone may not).
    const token = () => r(LOWER, 2) + r(DIGITS, 2) + r(ALNUM, 14) + r(UPPER, 2) + r(DIGITS, 2);
    for (let i = 0; i < 20; i++) {
      const hex = r(HEX, 31) + r('abcdef', 1);
      masks(`use api key ${hex} to call the service`, hex, 'secret-in-prose');
      const value = token();
      masks(`my token is ${value}`, value, 'secret-in-prose');
      masks(`Is the secret ${value}? It was.`, value, 'secret-in-prose');
      masks(`the access token \u201c${value}\u201d expires tomorrow`, value, 'secret-in-prose');
      masks(`okta token - '${value}'`, value, 'secret-in-prose');
      masks(`PASSWORD ${value}.`, value, 'secret-in-prose');
      const dashed = `${r(UPPER + DIGITS, 8)}-${r(UPPER + DIGITS, 8)}-${r(UPPER + DIGITS, 8)}-${r(DIGITS, 2)}${r(UPPER, 2)}`;
      masks(`ayrshare SECRET ${dashed}`, dashed, 'secret-in-prose');
      const padded = r(BASE64.replace(/[+/=]/g, ''), 20) + r(DIGITS, 2) + 'A==';
      masks(`the key ${padded} works`, padded, 'secret-in-prose');
    }
    // Generated values whose capitals happen to have vowels: no words where the words are written in lower case.
    for (const generated of ['ch20FyaodoefrgyvPKOP77', 'qa72ofAVOGAROFGUELSK31', 'ft922vmceiUhykb2IHGW57', 'ty39LoRaeydhTthyDKEY99']) {
      masks(`my token is ${generated}`, generated, 'secret-in-prose');
    }
    const value = token();
    const line = `here is the api key ${value} for staging`;
    for (let cut = 1; cut < line.length; cut++) {
      const stream = masker.stream();
      assert.ok(!(stream.push(line.slice(0, cut)) + stream.push(line.slice(cut)) + stream.end()).includes(value), `split at ${cut}`);
    }
  });

  it('secret-in-prose leaves words, names, hosts, paths, dates, numbers and values inside a longer run after those words', () => {
    leaves('The token expired at 2024-05-01T12:00:00Z and the key rotation runs weekly.');
    leaves('Set the key TokenRefreshHandlerFactory in the secret store; the token getUserByIdFromCache is code.');
    leaves('the token auth0-tenant-42.eu.auth0.com, the key /etc/ssl/private/server2024.key, the secret kv-prod-2/db-password/version-12');
    leaves('primary key 12345678901234567890 and the secret ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    leaves('// secret is "a-string-secret-at-least-256-bits-long"');
    // Names whose words are short or shaped unlike dictionary words (creds, certs, nginx, tfstate) still read as names.
    for (const name of ['db_creds_rotation_v2', 'Prod_DB_Creds_2024', 'team.certs.bundle.v3', 'nginx_ingress_tls_v2', 'terraform.tfstate.backup.2', 'SMTP_CREDS_PROD_V2', 'the_strongest_pwd_2024']) {
      leaves(`rotate the key ${name} now`);
    }
    leaves(`token - '${r(LOWER, 6)}${r(DIGITS, 6)}?${r(ALNUM, 20)}' and key ${r(LOWER, 10)}${r(DIGITS, 8)}#${r(ALNUM, 4)}`);
    leaves('the key 00000000-0000-0000-0000-000000000000 and the token xxxxxxxxxxxxxxxxxxxx1');
    leaves('monkey business 2024 and turkey sandwiches');
    leaves('gpg: key 4AEE18F83AFDEB23: public key "GitHub (web-flow commit signing)" imported; gpg: key 4aee18f83afdeb23: public key imported');
    leaves('gpg:                using RSA key 5DE3E0509C47EA3CF04A42D34AEE18F83AFDEB23\nRUN gpg --recv-keys 4ED778F539E3634C779C87C6D7062848A1AB005C\nENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D');
    leaves('Error from server (NotFound): secrets "db-creds-7f8d9c6b5-x2k9p" not found; secret "app-env-v2-5t8m2k9f4h" not found');
    leaves(`the peer's public key ${r(ALNUM, 20)}5${r(ALNUM, 22)}=, age public key age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p`);
    leaves('Deployed ERC20 token 0x5FbDB2315678afecb367f032d93F642f64180aa3 on localhost');
    leaves('the key base64EncodedPayload, the token oauth2AccessTokenProvider, the secret k8sClusterCaCertificate, the key SecretsManagerV2Client, the key user_42_profile_v3');
    leaves('W: GPG error: https://apt.example.com stable InRelease: NO_PUBKEY B53DC80D13EDEF05; signed with RSA key 0x4AEE18F83AFDEB23');
  });

  it('named values: DirectoryEntry\'s password, Vault\'s s.CAES tokens, Postmark tokens, Code Climate\'s reporter id', () => {
    const pw = r(ALNUM, 12) + '!';
    masks(`$d = New-Object DirectoryServices.DirectoryEntry("LDAP://10.10.10.1", "corp\\svc", "${pw}")`, pw, 'command-line-password');
    const vault = 's.CAES' + r(ALNUM + '-_', 90);
    masks(`vault login ${vault}`, vault, 'hashicorp-vault-token');
    const token = guid();
    masks(`POSTMARK_SERVER_TOKEN=${token}`, token, 'postmark-token');
    masks(`postmark: "${token}",`, token, 'postmark-token');
    const reporter = r(HEX, 64);
    masks(`env:\n  CC_TEST_REPORTER_ID: ${reporter}\n`, reporter, 'codeclimate-reporter-id');
    leaves(`postmark_message_id: ${guid()}; DirectoryEntry("LDAP://dc", $user, $password); s.CAES and s.cases`);
  });

  it('command-line-password: keytool\'s and jarsigner\'s store and key passwords, OpenSSL\'s pass: phrases; not where they name a source', () => {
    const pw = r(ALNUM, 10) + '!';
    masks(`keytool -importcert -alias ca -file ca.pem -keystore truststore.jks -storepass ${pw} -noprompt`, pw, 'command-line-password');
    masks(`keytool -genkeypair -alias app -keystore app.p12 -storepass "${pw}" -keypass ${r(ALNUM, 12)}`, pw, 'command-line-password');
    masks(`keytool -importkeystore -srckeystore a.jks -srcstorepass '${pw}' -destkeystore b.p12`, pw, 'command-line-password');
    masks(`jarsigner -keystore release.jks -storepass ${pw} app.apk release`, pw, 'command-line-password');
    masks(`openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.p12 -passout pass:${pw}`, pw, 'command-line-password');
    masks(`openssl rsa -in enc.key -out plain.key -passin 'pass:${pw}'`, pw, 'command-line-password');
    masks(`openssl enc -aes-256-cbc -pbkdf2 -in a -out a.enc -pass pass:${pw}`, pw, 'command-line-password');
    leaves('keytool -list -keystore app.jks -storepass:env STORE_PASS; keytool -list -storepass:file pw.txt');
    leaves('openssl pkcs12 -export -passout env:P12_PASSWORD -passin file:pass.txt; openssl rsa -passin stdin; keytool -storepass $STORE_PASS');
  });

  it('password-hash: database verifiers (PostgreSQL SCRAM and md5, MySQL hashes where grants print them)', () => {
    const scram = `SCRAM-SHA-256$4096:${b64(16)}$${b64(32)}:${b64(32)}`;
    masks(` app | ${scram}`, scram, 'password-hash');
    const md5 = 'md5' + r(HEX, 32);
    masks(`{"rolname":"legacy","pw":"${md5}"}`, md5, 'password-hash');
    const native = '*' + r('0123456789ABCDEF', 40);
    masks(`GRANT USAGE ON *.* TO \`app\`@\`%\` IDENTIFIED BY PASSWORD '${native}'`, native, 'password-hash');
    masks(`CREATE USER \`app\`@\`%\` IDENTIFIED WITH 'mysql_native_password' AS '${native}'`, native, 'password-hash');
    assert.equal(masker.auto(`[{"User":"app","authentication_string":"${native}"}]`).text, '[{"User":"app","authentication_string":"[MASKED:sensitive-key]"}]');
    leaves(`md5sum says ${r(HEX, 32)}; the md5 of it is printed`);
  });

  it('sql-password: IDENTIFIED BY, [ENCRYPTED] PASSWORD, SET PASSWORD, WITH PASSWORD = N; not a placeholder or code', () => {
    const pw = r(ALNUM, 12) + "''x";
    for (const text of [
      `CREATE USER 'app'@'%' IDENTIFIED BY '${pw}';`,
      `ALTER ROLE app WITH LOGIN ENCRYPTED PASSWORD '${pw}' VALID UNTIL 'infinity';`,
      `SET PASSWORD FOR 'bob'@'%' = PASSWORD('${pw}');`,
      `set password = '${pw}';`,
      `CREATE LOGIN app WITH PASSWORD = N'${pw}', CHECK_POLICY = OFF;`,
    ]) masks(text, pw.slice(0, 12), 'sql-password');
    leaves("ALTER USER app PASSWORD 'password'; CREATE USER u PASSWORD NULL;");
    // Not SQL: a sensitive key's assignment in code (assignments.ts).
    assert.deepEqual(masker.auto("password = 'supersecret'").findings.map((f) => f.rule), ['sensitive-key']);
  });

  it('private-key: an OpenSSH key laid out as ssh-keygen writes it (runs of "A" from its zero bytes), under either header', () => {
    const key = opensshKey();
    const body = key.split('\n')[1]!;
    assert.match(key, /A{8}/);
    masks(key, body, 'openssh-private-key');
    masks(key.replaceAll('OPENSSH', 'RSA'), body, 'private-key');
    leaves(`-----BEGIN OPENSSH PRIVATE KEY-----\n${'A'.repeat(70)}\n${'A'.repeat(70)}\n-----END OPENSSH PRIVATE KEY-----`);
  });
});

describe("Azure's access keys as list-keys answers name them", () => {
  it('azure-access-key: key1/key2, primaryKey/secondaryKey, Cosmos master keys, masterKey; not a schema primary key', () => {
    const hex = r(HEX, 32);
    const b44 = r(BASE64, 43) + '=';
    const b88 = r(BASE64, 86) + '==';
    masks(JSON.stringify({ key1: hex, key2: r(HEX, 32) }, null, 2), hex, 'azure-access-key');
    masks(`{"keyName":"RootManageSharedAccessKey","primaryKey":"${b44}","secondaryKey":"${r(BASE64, 43)}="}`, b44, 'azure-access-key');
    // Cosmos DB's 64-byte keys have the storage account key's shape too; either name will do.
    const cosmos = masker.text(`primary_readonly_master_key: ${b88}`);
    assert.ok(!cosmos.text.includes(b88) && cosmos.findings.some((f) => /^azure-(access|storage-account)-key$/.test(f.rule)), cosmos.text);
    masks(`AZURE_OPENAI_KEY1=${hex}`, hex, 'azure-access-key');
    const fk = r(ALNUM + '-_', 54) + '==';
    masks(`"masterKey": "${fk}"`, fk, 'azure-access-key');
    leaves('{"table":"users","primaryKey":"id","primary_key":"user_id_and_tenant_id_composite","key1":"value1"}');
  });
});

describe('container env in YAML', () => {
  it('yaml-env-secret: the value after "- name: <secret name>"; not other names, variables or valueFrom', () => {
    const pw = r(ALNUM, 14);
    const token = `${r(ALNUM, 8)} ${r(ALNUM, 8)}`;
    const yaml = `spec:\n  containers:\n  - env:\n    - name: DB_PASSWORD\n      value: ${pw}\n    - name: LOG_LEVEL\n      value: debug\n    - name: "API_TOKEN"\n      value: "${token}"\n`;
    masks(yaml, pw, 'yaml-env-secret');
    masks(yaml, token, 'yaml-env-secret');
    assert.ok(masker.text(yaml).text.includes('value: debug'));
    leaves('env:\n- name: DB_PASSWORD\n  value: ${DB_PASSWORD}\n- name: API_TOKEN\n  valueFrom: {secretKeyRef: {name: api, key: token}}\n- name: TOKEN_TTL\n  value: "3600"');
  });
});

describe('private keys in base64, as kubeconfig and Secrets carry them', () => {
  it('masks client-key-data and tls.key in YAML and text, whole or streamed; leaves a certificate', () => {
    const rsa = Buffer.from(pemKey() + '\n').toString('base64');
    const ssh = Buffer.from(opensshKey() + '\n').toString('base64');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = Buffer.from('-----BEGIN CERTIFICATE-----\n' + r(BASE64, 64) + '\n' + r(BASE64, 64) + '\n-----END CERTIFICATE-----\n').toString('base64');
    const yaml = `users:\n- name: admin\n  user:\n    client-certificate-data: ${cert}\n    client-key-data: ${rsa}\n`;
    masks(yaml, rsa.slice(40, 80), 'private-key');
    assert.ok(masker.text(yaml).text.includes(cert), 'the certificate is public');
    masks(`data:\n  tls.key: ${ssh}\n`, ssh.slice(40, 80), 'private-key');
    const ec = Buffer.from(privateKey.export({ type: 'sec1', format: 'pem' }).toString()).toString('base64');
    masks(`tls.key: ${ec}`, ec.slice(30, 60), 'private-key');
    const stream = masker.stream();
    const out = [...yaml].reduce((sofar, _, i) => (i % 97 === 0 ? sofar + stream.push(yaml.slice(i, i + 97)) : sofar), '') + stream.end();
    assert.ok(!out.includes(rsa.slice(40, 80)), out);
    leaves(`tls.key: ${Buffer.from('-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----\n').toString('base64')}`);
  });
});

describe("values in a secret's setting that are routes and names, not secrets", () => {
  it('an AWS resource name, an anchor, a route with a version or after a variable are left; a token with "/" is masked', () => {
    leaves('IAMUserChangePassword = "arn:aws:iam::aws:policy/IAMUserChangePassword"');
    leaves('this.addPassword = "#add-password";');
    leaves(`put '/forgot-password' => "cms/sites/passwords#update", as: 'update_password'`);
    leaves('"creating-a-strong-password":"/en/enterprise-server@3.0/auth"');
    leaves('FORGOT_PASSWORD_URL=$BASE_URL/classroom/#/forgot_password');
    const token = `${r(ALNUM, 8)}7/${r(ALNUM, 8)}+${r(ALNUM, 6)}=`;
    masks(`secret_key = "${token}"`, token, 'generic-secret');
    const pw = `Summer#Rain${r(DIGITS, 3)}`;
    masks(`password = "${pw}"`, pw, 'generic-secret');
  });
});
