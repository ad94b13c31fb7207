import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMasker, loadGitleaksPack } from './index.js';
import { gitleaksDefaultPack, gitleaksDefaultRules, SUPERSEDED } from './rules/builtin.js';
import { GITLEAKS_DEFAULT_TOML } from './rules/gitleaks-default.js';
import { secretRules } from './rules/secrets.js';
import { ALNUM, HEX, randomFrom, wordFree } from '../../test/support/masking.js';

const packUrl = new URL('../../test/data/gitleaks/gitleaks.toml', import.meta.url);
const pack = () => gitleaksDefaultPack();
const defaultPack = () => loadGitleaksPack(readFileSync(packUrl, 'utf8'), 'gitleaks.toml');

describe('loadGitleaksPack with the gitleaks default pack', () => {
  it('loads every rule that applies to content and says why the others do not', () => {
    const pack = defaultPack();
    assert.equal(pack.rules.length + pack.skipped.length, 222);
    assert.equal(pack.rules.length, 217);
    assert.deepEqual(pack.skipped.map((s) => s.id).sort(), ['freemius-secret-key', 'hashicorp-tf-password', 'kubernetes-secret-yaml', 'nuget-config-password', 'pkcs12-file']);
    for (const s of pack.skipped) assert.match(s.reason, /path/);
    assert.deepEqual(pack.warnings, []);
  });

  it('masks with its rules, gated by keyword, entropy and allowlists', () => {
    const masker = createMasker({ disabled: ['generic-secret'] }, [defaultPack()]);
    const adafruit = randomFrom(ALNUM.toLowerCase(), 32);
    assert.equal(masker.text(`adafruit_key = "${adafruit}"`).text, 'adafruit_key = "[MASKED:adafruit-api-key]"');
    // The generic-api-key rule's allowlist (stopword "example") and global allowlist hold.
    assert.equal(masker.text('api_key = "example-value-1234"').text, 'api_key = "example-value-1234"');
    const generic = wordFree(24);
    assert.equal(masker.text(`api_key = "${generic}"`).text, 'api_key = "[MASKED:generic-api-key]"');
    const sumo = randomFrom(HEX, 64);
    assert.match(masker.text(`sumo_key = ${sumo}`).text, /\[MASKED:/);
  });
});

describe('the gitleaks default pack, built in', () => {
  it('is the vendored pack, byte for byte (regenerate: node --import tsx scripts/gitleaks-pack.ts)', () => {
    assert.equal(GITLEAKS_DEFAULT_TOML, readFileSync(packUrl, 'utf8'));
  });

  it('is on by default, every rule but those a project rule supersedes', () => {
    const pack = gitleaksDefaultPack();
    assert.equal(pack.rules.length, 217);
    const on = gitleaksDefaultRules().map((r) => r.id);
    assert.deepEqual(on, pack.rules.map((r) => r.id).filter((id) => !(id in SUPERSEDED)));
    const masker = createMasker();
    const adafruit = randomFrom(ALNUM.toLowerCase(), 32);
    assert.equal(masker.text(`adafruit_key = "${adafruit}"`).text, 'adafruit_key = "[MASKED:adafruit-api-key]"');
    assert.equal(createMasker({ disabled: ['adafruit-api-key', 'generic-secret', 'generic-api-key'] }).text(`adafruit_key = "${adafruit}"`).text, `adafruit_key = "${adafruit}"`);
  });

  it('names, for each superseded gitleaks rule, a project rule that exists', () => {
    const ids = new Set(pack().rules.map((r) => r.id));
    const own = new Set(secretRules.map((r) => r.id));
    for (const [gitleaks, project] of Object.entries(SUPERSEDED)) {
      assert.ok(ids.has(gitleaks), `${gitleaks} is not a gitleaks rule`);
      assert.ok(own.has(project), `${project} is not a project rule`);
    }
  });

  it('does not run a pack given again twice', () => {
    const masker = createMasker({}, [defaultPack()]);
    assert.equal(masker.ruleCount, createMasker().ruleCount + Object.keys(SUPERSEDED).length);
  });
});

describe('loadGitleaksPack with hand-written packs', () => {
  it('reports each rule it cannot use, with the reason, and never throws for a bad rule', () => {
    const pack = loadGitleaksPack(`
[[rules]]
id = "ok"
regex = '''(?i)tok_[a-z]{8}'''
keywords = ["tok_"]

[[rules]]
id = "greek"
regex = '''\\p{Greek}+'''

[[rules]]
id = "no-regex"
description = "nothing to match"

[[rules]]
id = "bad-group"
regex = '''x(y)'''
secretGroup = 3

[[rules]]
regex = "no id"

[[rules]]
id = "warned"
regex = '''w_[0-9]{4}'''
[[rules.allowlists]]
regexes = ['''\\p{Lu}''']
`);
    assert.deepEqual(pack.rules.map((r) => r.id), ['ok', 'warned']);
    assert.deepEqual(pack.skipped.map((s) => s.id), ['greek', 'no-regex', 'bad-group', 'rules[4]']);
    assert.match(pack.skipped[0]!.reason, /Unicode class/);
    assert.match(pack.skipped[1]!.reason, /no regex/);
    assert.match(pack.skipped[2]!.reason, /secretGroup 3/);
    assert.match(pack.skipped[3]!.reason, /malformed: id/);
    assert.equal(pack.warnings.length, 1);
    assert.equal(createMasker({}, [pack]).text('x TOK_abcdefgh y').text, 'x [MASKED:ok] y');
  });

  it('applies regexTarget, stopwords, AND conditions and global allowlists', () => {
    const pack = loadGitleaksPack(`
[allowlist]
stopwords = ["globalstop"]

[[rules]]
id = "r"
regex = '''key=([a-z0-9]{10,})'''
keywords = ["key="]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''^#''']
[[rules.allowlists]]
condition = "AND"
paths = ['''\\.md$''']
regexes = ['''.*''']
`);
    const m = createMasker({ disabled: ['generic-secret', 'connection-string-password'] }, [pack]);
    assert.equal(m.text('key=abcdef12345').text, 'key=[MASKED:r]');
    assert.equal(m.text('# key=abcdef12345').text, '# key=abcdef12345');
    assert.equal(m.text('key=xxglobalstopxx').text, 'key=xxglobalstopxx');
  });

  it('holds stopwords and regexes of mixed flags as each alone would', () => {
    const pack = loadGitleaksPack(`
[allowlist]
regexes = ['''(?i)^allowed''', '''^[0-9]+$''', '''(?i)ends$''', '''^x{3}''']
stopwords = ["stop", "ab\u0130cd"]

[[rules]]
id = "r"
regex = '''key=([^ ]{4,})'''
keywords = ["key="]
`);
    const m = createMasker({ disabled: ['generic-secret', 'connection-string-password'] }, [pack]);
    for (const kept of ['ALLOWEDabc', '12345678', 'abcENDS', 'xxxabc', 'aSTOPa', 'ab\u0130cd', 'xab\u0130cdx']) assert.equal(m.text(`key=${kept}`).text, `key=${kept}`);
    // Lowered, "İ" is two characters: a secret shorter than a stopword may hold it once lowered.
    const shorter = loadGitleaksPack(`
[allowlist]
stopwords = ["abi\u0307"]

[[rules]]
id = "r"
regex = '''key=([^ ]{3,})'''
keywords = ["key="]
`);
    const s = createMasker({ disabled: ['generic-secret', 'connection-string-password'] }, [shorter]);
    assert.equal(s.text('key=ab\u0130').text, 'key=ab\u0130');
    assert.equal(s.text('key=abi').text, 'key=[MASKED:r]');
    for (const masked of ['xallowed', 'xx123', 'endsx', 'xxyabc', 'aSTaOP']) assert.equal(m.text(`key=${masked}`).text, 'key=[MASKED:r]');
  });

  it('throws a clear error only for TOML that does not parse', () => {
    assert.throws(() => loadGitleaksPack('[[rules]\nid = 1', 'my.toml'), /^Error: my\.toml: not valid TOML: /);
  });
});
