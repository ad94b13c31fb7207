// Sensitive keys in text, assigned: the value a setting, variable, flag or XML element named by a
// sensitive key is given, masked whatever its entropy, whole or streamed; code and stand-ins left.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { DIGITS, PASSWORD_WORDS, pick, randomFrom } from '../../test/support/masking.js';

const masker = createMasker();
// As people choose passwords: a word twice and a digit, too little entropy for the generic rule.
const chosen = () => {
  const word = pick(PASSWORD_WORDS);
  return `${word}${word}${randomFrom(DIGITS, 1)}`;
};

const masks = (make: (secret: string) => string) => {
  const secret = chosen();
  const text = make(secret);
  const out = masker.text(text);
  assert.ok(!out.text.includes(secret), `${text} -> ${out.text}`);
  assert.deepEqual(out.findings.map((f) => f.rule), ['sensitive-key'], text);
  return out.text;
};

describe('assignments of sensitive keys in text', () => {
  it('masks a quoted literal assigned in any language', () => {
    for (const make of [
      (s: string) => `password = "${s}"`,
      (s: string) => `    client_secret: '${s}',`,
      (s: string) => `$password = '${s}';`,
      (s: string) => `'password' => "${s}",`,
      (s: string) => `const API_TOKEN = \`${s}\`;`,
      (s: string) => `password := "${s}"`,
      (s: string) => `ENV['DB_PASSWORD'] = '${s}'`,
      (s: string) => `$env:API_TOKEN = "${s}"`,
      (s: string) => `private const string PfxPassword = "${s}";`,
      (s: string) => `DB_PASSWORD="${s} with spaces"`,
    ]) masks(make);
    assert.equal(masker.text('password = "summersummer4" # dev').text, 'password = "[MASKED:sensitive-key]" # dev');
  });

  it('masks env files, shells, command lines, queries and flags', () => {
    for (const make of [
      (s: string) => `DB_PASSWORD=${s}\nLOG_LEVEL=debug`,
      (s: string) => `export PGPASSWORD=${s}`,
      (s: string) => `  - POSTGRES_PASSWORD=${s}`,
      (s: string) => `mysql --password=${s} -u root shop`,
      (s: string) => `az vm create -n vm1 --admin-password ${s} --size B2s`,
      (s: string) => `az sql server create --admin-password "${s}" -n sql1`,
      (s: string) => `helm upgrade app ./chart --set db.password=${s} --wait`,
      (s: string) => `az webapp config appsettings set --settings DB_PASSWORD=${s} LOG=1`,
      (s: string) => `GET /callback?state=x&token=${s} HTTP/1.1`,
      (s: string) => `docker run -e "DB_PASSWORD=${s}" postgres`,
      (s: string) => `services:\n  db:\n    environment:\n      - "POSTGRES_PASSWORD=${s}"`,
      (s: string) => `"Env": ["PATH=/usr/bin", "POSTGRES_PASSWORD=${s}"]`,
    ]) masks(make);
    assert.equal(masker.text('export PGPASSWORD=summersummer4 && psql').text, 'export PGPASSWORD=[MASKED:sensitive-key] && psql');
    assert.equal(
      masker.text('helm install db ./pg --set auth.password=summersummer4,auth.username=app,primary.persistence.size=8Gi').text,
      'helm install db ./pg --set auth.password=[MASKED:sensitive-key],auth.username=app,primary.persistence.size=8Gi',
    );
    assert.equal(masker.text('--set a.password=sum,mer4').text, '--set a.password=[MASKED:sensitive-key]');
    // A credential's word inside a password is no variable's name (postgres' documented example).
    assert.equal(masker.text('POSTGRES_PASSWORD=mysecretpassword').text, 'POSTGRES_PASSWORD=[MASKED:sensitive-key]');
  });

  it("masks the rest of a YAML, header or INI line, up to a comment", () => {
    for (const make of [
      (s: string) => `services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${s}\n`,
      (s: string) => `password: ${s} # rotated monthly`,
      (s: string) => `[client]\nuser = app\npassword = ${s}!\n`,
      (s: string) => `spring.datasource.password = ${s}`,
      (s: string) => `password            = "${s}"\nusername            = "app"`,
      (s: string) => `  POSTGRES_PASSWORD:          ${s}`,
      (s: string) => `# password: ${s}`,
      (s: string) => `{"content": "x\\npassword: ${s}\\nuser: x"}`,
    ]) masks(make);
    assert.equal(masker.text('password: open sesame # dev\nuser: bob').text, 'password: [MASKED:sensitive-key] # dev\nuser: bob');
  });

  it("masks a setting's value given as a call's second argument or a list's next item", () => {
    for (const make of [
      (s: string) => `define('DB_PASSWORD', '${s}');`,
      (s: string) => `define( "DB_PASSWORD",  "${s}" );`,
      (s: string) => `db_pass = os.getenv("DB_PASSWORD", "${s}")`,
      (s: string) => `password = os.environ.get('DB_PASSWORD', '${s}')`,
      (s: string) => `token = ENV.fetch("API_TOKEN", "${s}")`,
      (s: string) => `'password' => env('DB_PASSWORD', '${s}'),`,
      (s: string) => `props.setProperty("db.password", "${s}");`,
      (s: string) => `localStorage.setItem('token', '${s}');`,
      (s: string) => `Environment.SetEnvironmentVariable("API_TOKEN", "${s}");`,
      (s: string) => `        args: ["--port", "80", "--password", "${s}"]`,
      (s: string) => `"Cmd": ["server", "--client-secret", "${s}"]`,
      (s: string) => `        args:\n        - "--db-password"\n        - "${s}"`,
      (s: string) => `        args:\n          - --admin-password\n          - ${s}\n          - --verbose`,
    ]) masks(make);
    for (const text of [
      "t('password', 'Password')", 'translate("password", "Passwort")', 'const keys = ["password", "token", "secret"];',
      "define('DB_PASSWORD', $pw);", 'getenv("DB_PASSWORD")', "os.environ.get('DB_PASSWORD', '')", "ENV.fetch('TOKEN', nil)",
      'args: ["--password", "$(DB_PASSWORD)"]', 'args:\n  - --password\n  - --verbose', "format('token', 'x')",
    ]) assert.equal(masker.text(text).text, text, text);
  });

  it('masks a YAML block under a sensitive key: the more indented lines, whatever their number', () => {
    for (const make of [
      (s: string) => `password: |\n  ${s}\nuser: admin`,
      (s: string) => `spec:\n  client_secret: >-\n    ${s}\n    ${s}\n\n    ${s}\n  user: x\n`,
      (s: string) => `- token: |\r\n    ${s}\r\n- name: next`,
    ]) {
      const out = masks(make);
      assert.ok(!out.includes('[MASKED:sensitive-key]\n    '), out);
    }
    assert.equal(masker.text('password: |\n  open sesame\n  twice\nuser: admin\n').text, 'password: |\n  [MASKED:sensitive-key]\nuser: admin\n');
    for (const text of ['password: |\nuser: admin', 'password: |', 'description: |\n  the token is rotated\n']) assert.equal(masker.text(text).text, text, text);
  });

  it("masks a single dash's parameter (PowerShell) and a Groovy DSL's quoted argument", () => {
    for (const make of [
      (s: string) => `Connect-VIServer vc01 -User admin -Password ${s} -Force`,
      (s: string) => `New-AzADServicePrincipal -DisplayName ci -ClientSecret "${s}"`,
    ]) masks(make);
    // SQL's PASSWORD '…' may name it first: either way it is masked.
    for (const make of [
      (s: string) => `publishing {\n  repositories {\n    maven {\n      credentials {\n        username 'ci'\n        password '${s}'\n      }`,
      (s: string) => `  password "${s}"`,
    ]) {
      const secret = chosen();
      const out = masker.text(make(secret)).text;
      assert.ok(!out.includes(secret), out);
    }
    for (const text of [
      'Connect-VIServer $h -User $u -Password $p', '-Password (ConvertTo-SecureString $plain -AsPlainText -Force)', 'Use the -Password option to set it.',
      'ls -la /etc', 'credentials {\n  password "${NEXUS_PASSWORD}"\n}', "  password project.findProperty('nexusPassword')", 'tar -xzf token.tgz',
    ]) assert.equal(masker.text(text).text, text, text);
  });

  it("masks a setting given to a command in a subshell, not a call's keyword argument", () => {
    masks((s) => `(DB_PASSWORD=${s} ./migrate.sh)`);
    masks((s) => `echo $(PGPASSWORD=${s} psql -h db -c 'select 1')`);
    for (const text of ['connect(password=hunter2)', 'f(x, password=pw)', 'login(password=summersummer4 )']) assert.equal(masker.text(text).text, text, text);
  });

  it('masks a credential listed after another setting in a sentence: one word, not an identifier', () => {
    for (const make of [
      (s: string) => `Log in with username: admin, password: ${s} and change it.`,
      (s: string) => `User: admin / Password: ${s}`,
      (s: string) => `host: db.internal; user: app; password: ${s}`,
      (s: string) => `| user: admin | password: ${s} |`,
      (s: string) => `The demo account (login: demo, **password:** ${s}) resets nightly.`,
    ]) masks(make);
    for (const text of [
      'const creds = { user: u, password: pw };', 'login({ username: name, password: password })', 'function f(user: string, password: string) {}',
      'def connect(host: str, password: SecretStr):', 'Note: the password: see the vault', 'a, password: required',
    ]) assert.equal(masker.text(text).text, text, text);
  });

  it("masks a credential a model lists in Markdown, its name in bold", () => {
    for (const make of [
      (s: string) => `Here are the credentials:\n- **Username:** admin\n- **Password:** ${s}\n`,
      (s: string) => `**Password**: ${s}`,
      (s: string) => `* **Token:** \`${s}\``,
    ]) masks(make);
    assert.equal(masker.text('**Password: summersummer4**').text, '**Password: [MASKED:sensitive-key]**');
    assert.equal(masker.text('a **token**: is a word here').text, 'a **token**: is a word here');
  });

  it("masks XML: an element's text, and the value of an attribute pair whose key or name is sensitive", () => {
    for (const make of [
      (s: string) => `<servers>\n  <server><id>nexus</id><username>ci</username><password>${s}</password></server>`,
      (s: string) => `<appSettings>\n  <add key="SmtpPassword" value="${s}" />\n  <add key="LogLevel" value="debug" />`,
      (s: string) => `<packageSourceCredentials><feed><add key="ClearTextPassword" value="${s}" /></feed>`,
      (s: string) => `<add name="ApiToken" value='${s}'/>`,
    ]) masks(make);
    for (const text of ['<add key="LogLevel" value="debug" />', '<password>${env.NEXUS_PASSWORD}</password>', '<input type="password" value="">', '<add name="DbPassword" value="" />']) {
      assert.equal(masker.text(text).text, text, text);
    }
  });

  it('masks a literal a typed declaration is given (TypeScript, Kotlin, Swift, Python, Rust, Go, Bicep); not its type, nor code given to it', () => {
    for (const make of [
      (s: string) => `const dbPassword: string = "${s}";`,
      (s: string) => `  private readonly clientSecret: string | undefined = '${s}';`,
      (s: string) => `val password: String = "${s}"`,
      (s: string) => `let apiToken: String? = "${s}"`,
      (s: string) => `    password: Optional[str] = "${s}"`,
      (s: string) => `let api_token: &str = "${s}";`,
      (s: string) => `  static readonly API_KEY: Readonly<string> = \`${s}\`;`,
      // Go and Bicep name the type after the key.
      (s: string) => `var dbPassword string = "${s}"`,
      (s: string) => `\tconst apiToken   string = \`${s}\``,
      (s: string) => `@secure()\nparam adminPassword string = '${s}'`,
    ]) masks(make);
    for (const text of [
      'password: string;', 'const password: string = process.env.DB_PASSWORD;', 'password: str = ""', 'token: Token = new Token()',
      'password: string = "${DB_PASSWORD}"', 'const password: string = `${prefix}-x`;', 'if (password: string == "x")',
      'token type = "bearer-abc-123"',
      'Password string `json:"password"`', 'var password string = os.Getenv("DB_PASSWORD")', 'param adminPassword string',
      'password string == "x"', "param adminPassword string = ''",
    ]) assert.equal(masker.text(text).text, text, text);
  });

  it("masks the default of a Terraform variable whose name is sensitive; not another block's, a nested block's or a template", () => {
    for (const make of [
      (s: string) => `variable "db_password" {\n  default = "${s}"\n}`,
      (s: string) => `variable "okta_api_token" {\n  description = "The {org} token"\n  type        = string\n  sensitive   = true\n  default     = "${s}"\n}`,
      (s: string) => `variable "client_secret" { default = "${s}" }`,
    ]) masks(make);
    for (const text of [
      'variable "db_password" {\n  type = string\n}\nvariable "region" {\n  default = "westeurope"\n}',
      'variable "db_password" {\n  validation {\n    default = "not-the-variables"\n  }\n}',
      'variable "db_password" {\n  default = "${var.fallback}"\n}', 'variable "db_password" {\n  default = ""\n}',
      'resource "azurerm_key_vault_secret" "db_password" {\n  value = random_password.db.result\n}',
    ]) assert.equal(masker.text(text).text, text, text);
  });

  it('masks a random password whatever its case: only names made of words read as code (camelCase, PascalCase)', () => {
    const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (const make of [(v: string) => `DB_PASS=${v}`, (v: string) => `SMTP_PASS: ${v}`, (v: string) => `mysql --password ${v} db`, (v: string) => `DB_PASSWORD=${v}`]) {
      for (let i = 0; i < 200; i++) {
        // Lower case, then upper case: what a camelCase name also starts with.
        const value = randomFrom('abcdefghijklmnopqrstuvwxyz', 1) + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) + randomFrom(alnum, 12);
        const text = make(value);
        assert.ok(!masker.text(text).text.includes(value), text);
      }
    }
    for (const text of ['DB_PASS=dbPass', 'password: userPasswordHash', 'api_key = apiKeyID', 'secret: SecretStr', 'token = accessTokenJWT']) {
      assert.equal(masker.text(text).text, text, text);
    }
  });

  it('leaves code, stand-ins, templates and words that name no value', () => {
    for (const text of [
      'password = getPassword()', 'password = user_password', 'token = os.environ["TOKEN"]', 'conn = connect(host, password=pw)',
      'login(user, password=password)', '  password: hashedPassword,', 'const user = { password: req.body.password };',
      'password: str = Field(min_length=12)', 'if password == "x":', 'while token != "":', "fetch(url, { credentials: 'include' })",
      'password: required', 'token: ${TOKEN}', 'DB_PASSWORD=$(cat /run/secrets/db)', 'permissions:\n  id-token: write\n  contents: read', 'PASSWORD=%DB_PASSWORD%', 'Password: ********',
      'API_KEY=your-api-key-here', 'OPENAI_API_KEY=sk-...', 'password: changeme', 'client_secret: REPLACE_ME', 'api_key = "example-key-1234"',
      'password = ""', 'password = "{}"', 'secret = "%s"', 'this.addPassword = "#add-password";', 'secret_name = "prod-db"',
      'token_url: https://login.example.com/oauth2/token', 'Your password: see the vault', 'password: # set me', 'Foo::password = 1',
      'the token is expired', 'std::string password;', 'password.length = 12',
      'SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[Shared Access key goes here];',
      // Generic types are no XML elements; interpolation, joins and string prefixes are code.
      'List<Token> tokens = new List<Token>();', 'Task<Secret> Get() => _c.Get<Secret>(n);', 'useState<Token>(null);', 'Vec<Token> tokens',
      '  Authorization: `Bearer ${token}`,', 'headers["Authorization"] = "Bearer " + token', 'token = "Bearer %s" % token',
      'token = f"Bearer {token}"', 'TOKEN=`gh auth token`', 'password = <<EOF',
      // Types, variables named for what they hold, YAML tags and blocks.
      '  token: AccessToken', '  secret: string | null', '  token: String!', '    api_key: SecretStr', '    token: str | None = None',
      'return {\n  user,\n  token: jwt_token\n};', '  secret: SESSION_SECRET', 'conn = f(\n    host=host,\n    password=db_password)',
      '  password: !Ref DbPassword', 'password: |', 'Set password=<your password> in .env', 'password = user_password',
      '"//registry/:_password = "+new Buffer(pw).toString("base64")', `echo 'export DATABASE_PASSWORD="'$CI_PASSWORD'"' >> .env`,
    ]) assert.equal(masker.text(text).text, text, text);
  });

  it("names a value by the specific rule that finds a secret inside it", () => {
    const token = `ghp_${randomFrom('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 36)}`;
    assert.deepEqual(masker.text(`GITHUB_TOKEN="${token}"`).findings.map((f) => f.rule), ['github-token']);
  });

  it("follows the policy's sensitive keys, and is one rule with the quoted members", () => {
    const secret = chosen();
    const custom = createMasker({ sensitiveKeys: { mode: 'replace', names: ['pinCode'] } });
    assert.equal(custom.text(`PIN_CODE=${secret}\npassword=${secret}`).text, `PIN_CODE=[MASKED:sensitive-key]\npassword=${secret}`);
    assert.equal(createMasker({ disabled: ['sensitive-key'] }).text(`password = "${secret}"`).text, `password = "${secret}"`);
    assert.equal(createMasker({ disabled: ['sensitive-key'] }).ruleCount, masker.ruleCount - 1);
  });

  it('masks a key whose last word is pat (a personal access token), in env files, YAML and JSON; not pat alone, compat or format', () => {
    masks((s) => `export AZURE_DEVOPS_EXT_PAT=${s}`);
    masks((s) => `GITHUB_PAT="${s}"`);
    masks((s) => `  ado.pat: ${s}`);
    const secret = chosen();
    assert.equal(masker.auto(JSON.stringify({ env: { ASANA_PAT: secret } }), 'application/json').text, JSON.stringify({ env: { ASANA_PAT: '[MASKED:sensitive-key]' } }));
    for (const text of ['{"pat": "Pat Smith", "compat": "es2020"}', 'format: json\ncompat=1\nPAT=3', '{"patterns": ["a*"]}']) {
      assert.equal(masker.auto(text).text, text, text);
    }
  });

  it('masks a key whose last word is pass (DB_PASS), in env files, YAML and JSON; not pass alone, bypass or firstPass', () => {
    masks((s) => `DB_PASS=${s}`);
    masks((s) => `export SMTP_PASS="${s}"`);
    masks((s) => `  redis.pass: ${s}`);
    masks((s) => `REDIS_PASS_2=${s}`);
    const secret = chosen();
    assert.equal(masker.auto(JSON.stringify({ mail: { smtp_pass: secret } }), 'application/json').text, JSON.stringify({ mail: { smtp_pass: '[MASKED:sensitive-key]' } }));
    for (const text of ['{"pass": 12, "fail": 0}', '{"bypass": true, "firstPass": "done", "compass": "north"}', 'bypass=yes\nPASS=3']) {
      assert.equal(masker.auto(text).text, text, text);
    }
    // A name of the policy's own that starts with a separator is a word the same way.
    const custom = createMasker({ sensitiveKeys: { mode: 'replace', names: ['_pin'] } });
    assert.equal(custom.text(`CARD_PIN=${secret}\nSPIN=${secret}`).text, `CARD_PIN=[MASKED:sensitive-key]\nSPIN=${secret}`);
  });

  it('masks pw, the short name for a password, alone or as a key\'s last word; not inside other words', () => {
    masks((s) => `pw=${s}`);
    masks((s) => `DB_PW: ${s}`);
    masks((s) => `https://app.example/login?user=a&pw=${s}`);
    const secret = chosen();
    assert.equal(masker.auto(JSON.stringify({ user: 'a', pw: secret }), 'application/json').text, JSON.stringify({ user: 'a', pw: '[MASKED:sensitive-key]' }));
    for (const text of ['the pw is fine', 'git log -pw', '{"pwm": 3, "pwr": "on"}']) assert.equal(masker.auto(text).text, text, text);
  });

  it('masks the same in JSON mode, inside a string that holds a script', () => {
    const secret = chosen();
    const out = masker.auto(JSON.stringify({ command: `export DB_PASSWORD=${secret}\n./migrate` }));
    assert.ok(!out.text.includes(secret), out.text);
    assert.deepEqual(out.findings.map((f) => f.rule), ['sensitive-key']);
  });

  it('masks the same in a stream, wherever the text is split', () => {
    const secret = chosen();
    const text = [
      `DB_PASSWORD=${secret}`, `password: ${secret} # note`, `secret = "${secret} and more"`, `run --admin-password '${secret}' -n x`,
      'password = user_password', `f(a, password=${secret})`, `  token: ${secret}`, `<password>${secret}</password>`,
      `<add key="DbPassword" value="${secret} x" />`, `docker run -e "DB_PASSWORD=${secret}" x`, 'List<Token> t = new List<Token>();',
      `password      = "${secret}"`, `- **Password:** ${secret}`, `define('DB_PASSWORD', 'none${secret}');`, `args: ["--password", "${secret}"]`,
      `(DB_PASSWORD=${secret} ./run)`, `User: admin / Password: ${secret}`, `Connect-VIServer h -Password ${secret} -Force`, `  password '${secret}'`, `const dbPassword: string | null = "${secret}";`, `param adminPassword string = '${secret}'`, `variable "db_password" {`, `  type    = string`, `  default = "${secret} x"`, `}`, `token: |`, `  ${secret}`, `  ${secret} again`, `user: x`, `cut password = "${secret}`,
    ].join('\n');
    const whole = masker.text(text).text;
    assert.ok(!whole.includes(`${secret} and`) && whole.includes(`f(a, password=${secret})`), whole);
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      assert.equal(out, whole, `split at ${cut}`);
    }
  });
});
