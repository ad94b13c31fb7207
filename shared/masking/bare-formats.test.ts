// Prefixed formats an audit found masked only after a sensitive name: each is masked alone,
// wherever it stands (a JSON array's item, a log line, prose, a call's argument), and its
// look-alikes are left. Values are generated from each provider's documented format
// (bareFormatSamples in test/support/masking.ts), with the entropy each rule asks of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { maskingChecks, ALNUM, BASE64, bareFormatSamples, DIGITS, guid, HEX, LOWER, randomFrom, withEntropy } from '../../test/support/masking.js';

const masker = createMasker({});
const r = randomFrom;
const rulesIn = (text: string) => masker.text(text).findings.map((f) => f.rule);
const { masks, leaves } = maskingChecks(masker);

const samples = bareFormatSamples();

describe('prefixed formats, masked alone wherever they stand', () => {
  for (const [rule, make] of Object.entries(samples)) {
    it(`${rule}: alone, in a JSON array, a log line, prose, a call's argument, after "=", before a full stop`, () => {
      for (let i = 0; i < 4; i++) {
        const value = make();
        for (const text of [
          value,
          JSON.stringify({ items: [{ name: 'svc', data: value }] }),
          `2024-05-01T12:00:00.123Z DEBUG [client] initialised session with ${value} for tenant acme`,
          `Use ${value} for the staging deploy.`,
          `client = Client("${value}", timeout=30)`,
          `X=${value}\n`,
          `The key is ${value}.`,
        ]) masks(text, value, rule);
        // The JSON walker reads the same value as a document's string.
        const out = masker.json({ items: [value] });
        assert.ok(!JSON.stringify(out.value).includes(value), `${rule} leaked in JSON: ${JSON.stringify(out.value)}`);
      }
    });
  }
});

describe('formats and names that were missed even after a name', () => {
  it("twitter-bearer-token: its run of A is the format's zero bytes, not a placeholder", () => {
    for (let i = 0; i < 4; i++) {
      const token = samples['twitter-bearer-token']!();
      for (const text of [`TWITTER_BEARER_TOKEN=${token}`, `Authorization: Bearer ${token}`, JSON.stringify({ bearerToken: token })]) {
        assert.ok(!masker.auto(text).text.includes(token.slice(21)), `leaked: ${text}`);
      }
      masks(`twitter_bearer: "${token}"`, token.slice(21), 'twitter-bearer-token');
    }
    // A base64 run of zero bytes has no percent-escape; a placeholder says what it is.
    leaves(`blob: ${'A'.repeat(22)}${r(ALNUM, 90)}`);
    leaves(`TWITTER_BEARER_TOKEN=${'A'.repeat(21)}EXAMPLE${r(ALNUM, 30)}%3D${r(ALNUM, 50)}`);
  });

  it('laravel-app-key: base64: and 32 bytes after APP_KEY or appKey; not another name', () => {
    for (let i = 0; i < 4; i++) {
      const key = 'base64:' + Buffer.from(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))).toString('base64');
      for (const text of [`APP_KEY=${key}`, `export APP_KEY="${key}"`, `laravel:\n  appKey: ${key}\n`, `'app_key' => '${key}',`]) masks(text, key.slice(7), 'laravel-app-key');
      const out = masker.json({ appKey: key, region: 'eu-west-1' });
      assert.ok(!JSON.stringify(out.value).includes(key.slice(7)));
    }
    leaves('APP_NAME=Laravel and app_key_id: 42');
  });

  it('brevo-smtp-key: xsmtpsib-, 64 hex, "-", 16; not shorter', () => {
    const key = samples['brevo-smtp-key']!();
    masks(`SMTP_KEY=${key}`, key, 'brevo-smtp-key');
    leaves(`xsmtpsib-${r(HEX, 63)}-${r(ALNUM, 16)} and xsmtpsib-${r(HEX, 64)}`);
  });
});

describe('keys holding secrets under names the sensitive-key list lacked', () => {
  const names = ['appKey', 'adminKey', 'writeKey', 'masterKey', 'secretKeyBase', 'encryptionKey', 'ingestionKey', 'streamKey', 'keystoreBase64', 'ALGOLIA_ADMIN_KEY', 'SEGMENT_WRITE_KEY', 'RAILS_MASTER_KEY', 'SECRET_KEY_BASE', 'ANDROID_KEYSTORE_BASE64', 'youtubeStreamKey', 'DD_APP_KEY', 'LOGDNA_INGESTION_KEY'];
  it('masks the value under each, in JSON and in an assignment', () => {
    for (const name of names) {
      const value = withEntropy(() => r(ALNUM, 32));
      const out = masker.json({ [name]: value, region: 'eu-west-1' });
      assert.ok(!JSON.stringify(out.value).includes(value), `${name}: ${JSON.stringify(out.value)}`);
      assert.ok(!masker.text(`${name}=${value}`).text.includes(value), `${name}= in text`);
    }
  });

  it('leaves keys that only start or contain those words', () => {
    const doc = { keyName: 'primary', appName: 'portal', streamName: 'events', adminUser: 'root', masterNode: 'node-1', encryptionAlgorithm: 'AES256', writeMode: 'append' };
    assert.deepEqual(masker.json(doc).value, doc);
  });
});

describe('headers', () => {
  it("honeycomb-api-key: a classic key in X-Honeycomb-Team; not a word", () => {
    const key = withEntropy(() => r(ALNUM, 22));
    masks(`curl https://api.honeycomb.io/1/auth -H "X-Honeycomb-Team: ${key}"`, key, 'honeycomb-api-key');
    const hex = withEntropy(() => r(HEX, 32));
    masks(`x-honeycomb-team=${hex}`, hex, 'honeycomb-api-key');
    leaves('The X-Honeycomb-Team header carries the key; X-Honeycomb-Team: your-key-here');
  });

  it('splunk-hec-token: a GUID after "Splunk "; not after another word', () => {
    const token = guid();
    masks(`curl -H "Authorization: Splunk ${token}" https://hec.acme.io:8088/services/collector`, token, 'splunk-hec-token');
    leaves(`request ${guid()} logged to Splunk; Splunk Enterprise 9.1`);
  });

  it('modal-token-secret: as- and 22 after --token-secret or MODAL_TOKEN_SECRET; not alone', () => {
    for (let i = 0; i < 4; i++) {
      const secret = 'as-' + withEntropy(() => r(ALNUM, 22));
      masks(`modal token set --token-id ak-${r(ALNUM, 22)} --token-secret ${secret}`, secret, 'modal-token-secret');
      masks(`MODAL_TOKEN_SECRET=${secret}`, secret, 'modal-token-secret');
      masks(`token_secret = "${secret}"`, secret, 'modal-token-secret');
    }
    leaves(`the id ak-${r(ALNUM, 22)} is public; as-${r(ALNUM, 22)} alone is a name`);
  });

  it('checkout-secret-key: the live form only after a Checkout.com name', () => {
    const key = withEntropy(() => 'sk_' + r(LOWER + '234567', 26) + r(LOWER + '234567', 1));
    masks(`CKO_SECRET_KEY=${key}`, key, 'checkout-secret-key');
    masks(`checkout_secret_key: "${key}"`, key, 'checkout-secret-key');
    leaves(`the symbol sk_${r(LOWER, 27)} is exported`);
  });
});

describe('look-alikes that stay as they are', () => {
  it('generic prefixes with words, identifiers and short or wrong bodies', () => {
    leaves('def test_ShouldReturnNotFoundWhenMissing2(self): check_status(live_stream_settings_for_channel_one)');
    leaves(`live_${r(ALNUM, 12)} test_${r(HEX, 34)} access_token_expires_at live_${r(HEX, 36)} access_granted`);
    leaves('check_in, block_size, stack_trace, track_id, focus_mode, news_feed, pk_id, cs_lead');
    leaves(`ck_${r(HEX, 39)} cs_${r(HEX, 41)} pk_${r(HEX, 33)} pk_${r(HEX, 35)}`);
    leaves(`secret-${r(ALNUM, 43)} as-${r(ALNUM, 22)} md-${r(LOWER, 22)} md-button-toggle-group md-${r(ALNUM, 21)}`);
  });

  it('hashes, GUIDs, instance types, base64 runs and code', () => {
    leaves(`request ${r(HEX, 8)}-4bfc-${r(HEX, 4)}-8fc-${r(HEX, 12)} took 12 ms; fc-${r(HEX, 31)}`);
    leaves('aws ec2 run-instances --instance-type t1.micro; y0_[i] = y[i] * 2; re_match = re_compile(x)');
    leaves(`image: data:image/png;base64,iVBORw0KGgo${'A'.repeat(24)}NSUhEUgAA${r(BASE64, 120)}==`);
    leaves(`blob EAAB${r(ALNUM, 60)}+${r(BASE64, 80)}= and IGQ${r(ALNUM, 20)}`);
    leaves(`amzn.mws.example and amzn.mws.${r(HEX, 8)} and rh-api-docs, waka_time, slk_${r(HEX, 63)}`);
    leaves(`ATTACHMENT attached to ${r(HEX, 72)} and ATTA${r(HEX, 64)}`);
    leaves(`version 0.${r(DIGITS, 2)}.${r(DIGITS, 3)} released; sq0_${r(HEX, 40)} squ_short`);
    leaves(`NRJS-${r(HEX, 18)} AA${r(HEX, 39)}-NRMA endr+short hcaik_${r(LOWER + DIGITS, 20)} xaat-${r(HEX, 8)}`);
    leaves(`dG9rOA${r(ALNUM, 60)} decodes to no "tok:" token`);
  });

  it('a bare token of several forms is named once, by its own rule', () => {
    for (const rule of ['stripe-client-secret', 'new-relic-mobile-token', 'bitwarden-access-token', 'mollie-api-key', 'gocardless-access-token', 'lob-api-key']) {
      const value = samples[rule]!();
      assert.deepEqual(rulesIn(`token ${value} done`), [rule], `${rule}: ${value}`);
    }
  });
});
