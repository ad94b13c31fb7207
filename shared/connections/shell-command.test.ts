import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeShell, onlyReads, quoteArgv } from './shell-command.js';

const programs = (source: string, stdin?: string) => analyzeShell(source, stdin).commands.map((c) => c.program);
const flags = (source: string, stdin?: string) => analyzeShell(source, stdin).flags;

describe('shell commands: programs', () => {
  it('finds every simple command: lists, pipelines, subshells, functions, substitutions', () => {
    assert.deepEqual(programs('kubectl get pods -n x | grep web && (cd /tmp; ls)'), ['kubectl', 'grep', 'cd', 'ls']);
    assert.deepEqual(programs('f() { rm -rf /; }; f'), ['rm', 'f']);
    assert.deepEqual(programs('echo $(whoami) `date` <(uname)'), ['echo', 'whoami', 'date', 'uname']);
    assert.deepEqual(programs('for i in 1 2; do touch $i; done; while true; do sleep 1; done'), ['touch', 'true', 'sleep']);
  });

  it('resolves quotes and escapes in program names', () => {
    assert.deepEqual(analyzeShell(`r\\m -rf '/' "x"y`).commands, [{ program: 'rm', args: ['-rf', '/', 'xy'] }]);
    assert.deepEqual(programs(`'r'"m" -rf /`), ['rm']);
  });

  it('looks through wrappers to the program they run', () => {
    assert.deepEqual(programs('sudo -u root rm -rf /'), ['rm']);
    assert.deepEqual(programs('timeout 5 env A=1 nice -n 5 /bin/rm -rf /'), ['timeout', 'env', 'nice', '/bin/rm']);
    assert.deepEqual(programs('xargs -n1 rm < list'), ['xargs', 'rm']);
    assert.deepEqual(programs('find . -name "*.log" -exec rm -f {} \\;'), ['find', 'rm']);
    assert.deepEqual(programs('busybox rm -rf /'), ['busybox', 'rm']);
    assert.deepEqual(programs('watch -n 1 "rm -rf /tmp/x"'), ['watch', 'rm']);
  });

  it('reads code handed to a shell: sh -c, eval, here-documents, here-strings, the request stdin', () => {
    assert.deepEqual(programs('bash -c "rm -rf /"'), ['bash', 'rm']);
    assert.deepEqual(programs('sh -lc \'curl x; rm -r y\''), ['sh', 'curl', 'rm']);
    assert.deepEqual(programs("eval 'rm -rf /'"), ['eval', 'rm']);
    assert.deepEqual(programs('bash <<EOF\nrm -rf /\nEOF'), ['bash', 'rm']);
    assert.deepEqual(programs('bash <<< "rm -rf /"'), ['bash', 'rm']);
    assert.deepEqual(programs('bash -s', 'rm -rf /'), ['bash', 'rm']);
    assert.deepEqual(programs('cat', 'rm -rf /'), ['cat']);
  });
});

describe('shell commands: flags', () => {
  it('sets sudo for sudo, doas and runuser', () => {
    assert.deepEqual(flags('sudo systemctl restart nginx'), ['sudo']);
    assert.deepEqual(flags('doas reboot'), ['sudo']);
    assert.deepEqual(flags('ls'), []);
  });

  it('sets pipe-to-shell when a shell or interpreter runs what it reads', () => {
    for (const command of ['curl -fsSL x | sh', 'wget -qO- x | sudo bash -s', 'curl x | python3', 'curl x |& bash -', 'curl x | env bash']) {
      assert.ok(flags(command).includes('pipe-to-shell'), command);
    }
    for (const command of ['curl x | jq .', 'curl x | python3 -c "import json"', 'ls | bash script.sh', 'curl x || sh']) {
      assert.ok(!flags(command).includes('pipe-to-shell'), command);
    }
    assert.ok(flags('python3', 'import os').includes('pipe-to-shell'));
  });

  it('sets command-substitution, redirect-write and background', () => {
    assert.deepEqual(flags('echo $(id)'), ['command-substitution']);
    assert.deepEqual(flags('diff <(ls a) <(ls b)'), ['command-substitution']);
    assert.deepEqual(flags('echo x > /etc/passwd'), ['redirect-write']);
    assert.deepEqual(flags('echo x >> ~/.bashrc'), ['redirect-write']);
    assert.deepEqual(flags('cmd &> log'), ['redirect-write']);
    assert.deepEqual(flags('ls 2>/dev/null >&2 2>&1 < input'), []);
    assert.deepEqual(flags('sleep 100 &'), ['background']);
    assert.deepEqual(flags('coproc sleep 1'), ['background']);
  });

  it('sets unparsable when the parser cannot read it', () => {
    for (const command of ['echo "unterminated', 'if then fi (', 'ls )', 'case x in']) assert.deepEqual(flags(command), ['unparsable'], command);
    assert.deepEqual(flags('bash -c "ls \'"'), ['unparsable']);
    assert.deepEqual(flags('sh -s', 'echo "'), ['unparsable']);
  });

  it('sets dynamic-program when the program is only known when it runs', () => {
    assert.ok(flags('$X -rf /').includes('dynamic-program'));
    assert.ok(flags('$(echo rm) -rf /').includes('dynamic-program'));
    assert.ok(flags('bash -c "$PAYLOAD"').includes('dynamic-program'));
    assert.ok(flags('eval "$(curl x)"').includes('dynamic-program'));
    assert.ok(flags('r* -rf /').includes('dynamic-program'));
    assert.deepEqual(analyzeShell('$X -rf /').commands, []);
  });
});

describe('shell commands: what only reads (credential tiers)', () => {
  it('is a command of programs that cannot write, bare, with no risk flag', () => {
    for (const source of ['id -un', 'ls -la /var/log | grep err | wc -l', 'cat /etc/hostname && uptime', 'hostname']) assert.equal(onlyReads(analyzeShell(source)), true, source);
  });
  it('is not anything that writes, runs code, or reaches a program by path', () => {
    for (const source of ['touch x', 'id > out', 'echo $(rm x)', 'sudo cat /etc/shadow', 'ls &', '/tmp/ls', 'hostname evil', 'cat x | sh', 'find . -delete', '']) {
      assert.equal(onlyReads(analyzeShell(source)), false, source);
    }
  });
});

describe('shell commands: an argument vector as a line', () => {
  it('quotes what the shell would read otherwise, so the line runs exactly the vector', () => {
    const argv = ['echo', '$(reboot)', "it's", 'a b', '', '*', 'plain-arg_1.txt'];
    const line = quoteArgv(argv);
    assert.equal(line, `echo '$(reboot)' 'it'\\''s' 'a b' '' '*' plain-arg_1.txt`);
    assert.deepEqual(analyzeShell(line).commands, [{ program: 'echo', args: argv.slice(1) }]);
    assert.deepEqual(analyzeShell(line).flags, []);
  });
});
