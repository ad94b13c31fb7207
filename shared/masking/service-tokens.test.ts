// The service-token rules (rules/service-tokens.ts): each masks its format, generated here as
// the service issues it, alone and wherever text puts it, and leaves its look-alikes alone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { maskingChecks, ALNUM, DIGITS, guid, HEX, LOWER, pick, randomFrom, UPPER } from '../../test/support/masking.js';

const masker = createMasker({});
const r = randomFrom;
const B64URL = ALNUM + '-_';
const { masks, leaves } = maskingChecks(masker);
/** Every setting a token is tried in: alone, in prose, quoted, in JSON, after "=". */
const settings = (value: string) => [value, `use ${value} now`, `'${value}'`, JSON.stringify({ v: value }), `X=${value}\n`];

const upperHex = (n: number) => r(HEX.toUpperCase(), n);
/** A Bitbucket Data Center token: BBDC- and the base64 of "<12-digit id>:" and 20 random bytes. */
const bbdc = () => 'BBDC-' + Buffer.concat([Buffer.from(`${r('123456789', 1)}${r(DIGITS, 11)}:`), randomBytes(20)]).toString('base64');
/** An Airtable OAuth token: oaa<14>.v1.[refresh.]<base64url JSON>.<64 hex>. */
const airtable = (refresh: boolean) => {
  const claims = { userId: 'usr' + r(ALNUM, 14), expiresAt: '2026-03-08T17:28:59.000Z', oauthApplicationId: 'oap' + r(ALNUM, 14), secret: r(HEX, 64) };
  return `oaa${r(ALNUM, 14)}.v1.${refresh ? 'refresh.' : ''}${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${r(HEX, 64)}`;
};
/** An Entra ID refresh token: [01].A<client and tenant>[.1].AgAB…[.A…]. */
const entraRefresh = () =>
  `${pick(['0', '1'])}.A${r(B64URL, 54)}${pick(['', '.1'])}.AgABAwEAAAA${r(B64URL, 600 + Math.floor(Math.random() * 400))}${pick(['', `.A${r(B64URL, 300)}`])}`;
/** An AWS session token: the version header and base64. */
const awsSession = () => pick(['IQoJb3JpZ2luX2Vj', 'FwoGZXIvYXdz', 'FQoGZXIvYXdz']) + randomBytes(300 + Math.floor(Math.random() * 600)).toString('base64');
/** An Asana PAT: 1/<user gid>:<32 hex> or 2/<user gid>/<app gid>:<32 hex>. */
const asana = () => {
  const gid = () => r('123456789', 1) + r(DIGITS, 15);
  return pick([`1/${gid()}:${r(HEX, 32)}`, `2/${gid()}/${gid()}:${r(HEX, 32)}`]);
};

describe('service tokens found alone', () => {
  const cases: [string, () => string][] = [
    ['zoho-oauth-token', () => `1000.${r(HEX, 32)}.${r(HEX, 32)}`],
    ['launchdarkly-access-token', () => `api-${guid()}`],
    ['launchdarkly-sdk-key', () => `sdk-${guid()}`],
    ['rootly-api-key', () => 'rootly_' + r(HEX, 64)],
    ['voiceflow-api-key', () => `${pick(['VF.DM.', 'VF.WS.'])}${r(HEX, 24)}.${r(ALNUM, 16)}`],
    ['teamwork-api-token', () => `tkn.v1_${r(ALNUM, 71)}=`],
    ['scrapfly-api-key', () => `${pick(['scp-live-', 'scp-test-'])}${r(HEX, 32)}`],
    ['spectral-api-token', () => 'spu-' + r(HEX, 32)],
    ['portainer-api-key', () => 'ptr_' + randomBytes(32).toString('base64')],
    ['ramp-client-secret', () => 'ramp_sec_' + r(ALNUM, 48)],
    ['recharge-api-token', () => `sk_${pick(['', 'test_'])}${pick(['1x1', '1x3', '2x1', '2x2', '3x3', '5x3', '10x3'])}_${r(HEX, 64)}`],
    ['trufflehog-enterprise-key', () => 'thog-key-' + r(HEX, 16)],
    ['trufflehog-enterprise-secret', () => 'thog-secret-' + r(HEX, 32)],
    ['bannerbear-api-key', () => `${pick(['bb_pr_', 'bb_ma_'])}${r(HEX, 30)}`],
    ['bitbucket-data-center-token', bbdc],
    ['aws-appsync-api-key', () => 'da2-' + r(LOWER + DIGITS, 26)],
    ['plaid-access-token', () => `${pick(['access', 'asset-report'])}-${pick(['sandbox', 'development', 'production'])}-${guid()}`],
    ['airtable-oauth-token', () => airtable(false)],
    ['airtable-oauth-token', () => airtable(true)],
    ['atlassian-admin-api-key', () => `ATCTT3xFfG${r(B64URL, 173)}=${upperHex(8)}`],
    ['typeform-api-token', () => 'tfp_' + r(ALNUM + '_', 40 + Math.floor(Math.random() * 20))],
    ['segment-public-api-token', () => 'sgp_' + r(ALNUM, 64)],
    ['aws-session-token', awsSession],
    ['azure-entra-refresh-token', entraRefresh],
    ['telnyx-api-key', () => `KEY01${upperHex(30)}_${r(B64URL, 22)}`],
    ['asana-personal-access-token', asana],
  ];
  for (const [rule, make] of cases) {
    it(`${rule}: alone, in prose, quoted, in JSON, after "="`, () => {
      for (let i = 0; i < 4; i++) {
        const value = make();
        for (const text of settings(value)) masks(text, value, rule);
      }
    });
  }

  it('aws-session-token: percent-encoded, as X-Amz-Security-Token in a presigned URL', () => {
    for (let i = 0; i < 4; i++) {
      const token = encodeURIComponent(awsSession());
      for (const text of [token, `use ${token} now`, `x-amz-security-token: ${token}\n`]) masks(text, token, 'aws-session-token');
      // Within a query, the generic rule takes the rest of the line; the token is masked either way.
      const url = `https://bucket.s3.amazonaws.com/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=${token}&X-Amz-Signature=${r(HEX, 64)}`;
      assert.ok(!masker.text(url).text.includes(token.slice(0, 40)), masker.text(url).text);
    }
  });

  it('leaves their look-alikes: shorter bodies, other alphabets, public ids, the prefix in prose', () => {
    leaves(`1000.${r(HEX, 31)}.${r(HEX, 32)} costs 1000.00 and the client id 1000.${r(UPPER + DIGITS, 30)}`);
    leaves(`21000.${r(HEX, 32)}.${r(HEX, 32)}`);
    leaves(`VF.DM.XXXXXXXXX and VF.DM.your_api_key and VF.DM.${r(HEX, 23)}.${r(ALNUM, 16)} and VF.DM.${r(HEX, 24)}.${r(ALNUM, 15)}`);
    leaves(`rootly_${r(HEX, 63)} and rootly_api_key`);
    leaves(`tkn.v1_${r(ALNUM, 20)} and scp-live-${r(HEX, 31)} and scp-live-key and spu-${r(UPPER, 32)}`);
    leaves(`ramp_id_${r(ALNUM, 40)} and ramp_sec_${r(ALNUM, 47)}`);
    leaves(`sk_1x1_${r(HEX, 63)} and sk_2x2_${r('ghijklmnopqrstuvwxyz', 64)} and sk_4x1_${r(HEX, 64)}`);
    leaves(`thog-key-${r(HEX, 15)} thog-secret-${r(UPPER, 32)} bb_pr_${r(HEX, 29)} bb_xx_${r(HEX, 30)}`);
  });

  it('leaves their look-alikes: GUIDs without the prefix, other Plaid tokens, the non-secret LaunchDarkly keys', () => {
    // A version-1 UUID after api-, a mobile key (public by LaunchDarkly's documentation), an id after x-api-.
    leaves(`api-${r(HEX, 8)}-${r(HEX, 4)}-11ee-${r(HEX, 4)}-${r(HEX, 12)} and mob-${guid()} and x-api-${guid()}`);
    leaves(`api-key-rotation, sdk-version 4.2 and the request ${guid()}`);
    leaves(`public-sandbox-${guid()} link-production-${guid()} access-staging-${guid()} access-sandbox-abc`);
  });

  it('leaves their look-alikes: ptr_ in C, BBDC- and da2- in words, short tokens', () => {
    leaves('node *ptr_to_next = ptr_head->next; ptr_len = 4;');
    leaves(`ptr_${r(ALNUM, 43)} and ptr_${r(ALNUM, 42)}B=`);
    leaves(`BBDC-1234 and BBDC-Z${r(ALNUM, 43)} and BBDC-M${r(ALNUM, 41)}`);
    leaves(`panda2-${r(LOWER, 26)} and da2-${r(LOWER + DIGITS, 25)} and da2-${r(UPPER, 26)}`);
    leaves(`oaa${r(ALNUM, 14)}.v1.notjson.${r(HEX, 64)} and ATCTT3${r(B64URL, 40)}=${upperHex(8)}`);
    leaves(`tfp_${r(ALNUM, 39)} and sgp_${r(ALNUM, 63)} and telnyx KEY_xxx or KEY0${upperHex(31)} or KEY0${r(HEX, 31)}_${r(B64URL, 22)}`);
  });

  it('leaves their look-alikes: a session token header too short, "1.A" in prose, dates and fractions', () => {
    leaves(`IQoJb3JpZ2luX2Vj${r(ALNUM, 50)} and FwoGZXIvYXdz is the header`);
    leaves(`See section 1.A and 0.A${r(B64URL, 60)} without the rest, and v1.0.A${r(B64URL, 60)}.Ag${r(B64URL, 300)}`);
    leaves('Due 1/12/2024, 2/3 of the budget, 1/1234567890:abcdef... and ASANA_ACCESS_TOKEN=2/...');
    // (An 11-digit gid: 16 random digits are a card number now and then, which the card rule masks.)
    leaves(`1/${r('123456789', 1)}${r(DIGITS, 10)}:${r(HEX, 31)} and 2/${r('123456789', 1)}${r(DIGITS, 10)}:${r(HEX, 33)}`);
  });
});

describe('docker-config-auth: a registry login in Docker\'s config.json', () => {
  it('masks "auth" when it decodes to user:password: as JSON, indented, and as JSON in a string (quotes escaped)', () => {
    for (let i = 0; i < 4; i++) {
      const auth = Buffer.from(`${r(LOWER, 6)}:${r(ALNUM, 6)}@${r(ALNUM, 5)}`).toString('base64');
      const config = { auths: { [`registry${r(DIGITS, 2)}.acme.io`]: { auth } } };
      for (const text of [JSON.stringify(config), JSON.stringify(config, null, 2), `DOCKER_AUTH_CONFIG=${JSON.stringify(JSON.stringify(config))}`]) {
        const out = masker.auto(text);
        assert.ok(!out.text.includes(auth), out.text);
        assert.ok(out.findings.some((f) => f.rule === 'docker-config-auth'), text);
      }
    }
  });

  it('leaves an "auth" that is no login: a word, a mode, base64 of something else', () => {
    leaves('{"auth": "required", "auths": {}}');
    leaves(JSON.stringify({ auth: Buffer.from('no colon in it').toString('base64').slice(0, 12) }));
  });
});

describe('webhook URLs whose path is the secret: the path is masked, the host is left', () => {
  it('tines-webhook: the path and secret after <tenant>.tines.com/webhook/', () => {
    for (let i = 0; i < 4; i++) {
      const secret = `${r(HEX, 32)}/${r(HEX, 32)}`;
      const url = `https://${pick(['acme', 'blue-river-42'])}.${pick(['tines.com', 'tines.io'])}/webhook/${secret}`;
      for (const text of settings(url)) masks(text, secret, 'tines-webhook');
      assert.ok(masker.text(url).text.endsWith('/webhook/[MASKED:tines-webhook]'), masker.text(url).text);
    }
    leaves('https://acme.tines.com/webhook/alerts/secret and https://www.tines.com/docs/actions/types/webhook/');
  });

  it('thingsboard-access-token: the device token in ThingsBoard Cloud\'s device API path (HTTP and CoAP)', () => {
    for (let i = 0; i < 4; i++) {
      const secret = r(LOWER + DIGITS, 20);
      const url = `${pick(['https://', 'http://', 'coap://coap.'])}thingsboard.cloud/api/v1/${secret}/${pick(['telemetry', 'attributes', 'rpc'])}`;
      for (const text of settings(url)) masks(text, secret, 'thingsboard-access-token');
      assert.ok(masker.text(url).text.includes('thingsboard.cloud/api/v1/[MASKED:thingsboard-access-token]/'), masker.text(url).text);
    }
    leaves('https://thingsboard.cloud/api/v1/devices/telemetry and https://thingsboard.cloud/api/v1/$ACCESS_TOKEN/telemetry');
  });

  it('zapier-webhook: the account id and hook key after hooks.zapier.com/hooks/catch/', () => {
    for (let i = 0; i < 4; i++) {
      const secret = `${r('123456789', 1)}${r(DIGITS, 6)}/${r(LOWER + DIGITS, 7)}`;
      const url = `https://hooks.zapier.com/hooks/catch/${secret}/${pick(['', 'silent/', '?source=web'])}`;
      for (const text of settings(url)) masks(text, secret, 'zapier-webhook');
      assert.ok(masker.text(url).text.startsWith('https://hooks.zapier.com/hooks/catch/[MASKED:zapier-webhook]'), masker.text(url).text);
    }
    leaves('https://hooks.zapier.com/hooks/catch/{account_id}/{hook_id}/ and https://zapier.com/apps/webhook');
  });
});
