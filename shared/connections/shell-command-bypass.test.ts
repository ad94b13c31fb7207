// Shell syntax that runs code without naming it as a command: bash's evaluations (arithmetic,
// prompts, names with subscripts), stdin read by a nested shell, and words bash rewrites ($'…',
// braces) or wrappers hide (bundled options, env -S, su). Each must show the program it runs or be
// flagged, never pass as the harmless command around it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeShell, onlyReads } from './shell-command.js';

const programs = (source: string, stdin?: string) => analyzeShell(source, stdin).commands.map((c) => c.program);
const flags = (source: string, stdin?: string) => analyzeShell(source, stdin).flags;
const runs = (source: string, program: string, stdin?: string) => assert.ok(programs(source, stdin).includes(program), `${source} runs ${program}: ${JSON.stringify(programs(source, stdin))}`);
const dynamic = (source: string, stdin?: string) => assert.ok(flags(source, stdin).includes('dynamic-program'), `${source}: ${JSON.stringify(flags(source, stdin))}`);

describe('shell commands: code bash evaluates outside commands', () => {
  it('reads literal text bash evaluates as arithmetic as code (a subscript runs its $(…))', () => {
    for (const source of ["let 'a[$(rm -rf /d)]=1'; ls", "[[ 'a[$(rm -rf /d)]' -eq 0 ]]; uptime", "builtin let 'a[$(rm -rf /d)]=1'", 'echo ${x:$(rm -rf /d):1}']) {
      runs(source, 'rm');
      assert.equal(onlyReads(analyzeShell(source)), false, source);
    }
  });

  it('follows a variable bash evaluates to the values the command gives it', () => {
    for (const source of [
      "x='a[$(rm -rf /d)]'; echo $((x))",
      "x='a[$(rm -rf /d)]'; (( x )); id",
      "y='a[$(rm -rf /d)]'; x=y; echo $((x))",
      "for x in 'a[$(rm -rf /d)]'; do echo $((x)); done",
      "export x='a[$(rm -rf /d)]'; bash -c 'echo $((x))'",
      "env x='a[$(rm -rf /d)]' bash -c 'echo $((x))'",
      "declare -i n; n='a[$(rm -rf /d)]'",
      "x='a[$(rm -rf /d)]'; echo ${!x}",
      "declare -n r='a[$(rm -rf /d)]'; echo $r",
      "x='a[$(rm -rf /d)]'; [[ $x -gt 0 ]]",
    ]) {
      runs(source, 'rm');
      assert.equal(onlyReads(analyzeShell(source)), false, source);
    }
  });

  it('flags dynamic-program where the evaluated value is only known at run time', () => {
    for (const source of [
      'read x; echo $((x))',
      "set -- 'a[$(rm -rf /d)]'; echo $(($1))",
      'echo $(( $(cat f) ))',
      "x='$(rm -rf /d)'; echo \"${x@P}\"",
      "PS4='$(rm -rf /d)'; set -x; ls",
      ": 'a[$(rm -rf /d)]'; echo $((_))",
      "x='a['; x+='$(rm -rf /d)]'; echo $((x))",
      "p='$'; x=\"a[${p}(rm -rf /d)]\"; echo $((x))",
      '[[ $(cat f) -eq 1 ]]',
      'read "$name"',
      'declare "$spec"',
    ]) {
      dynamic(source);
      assert.equal(onlyReads(analyzeShell(source)), false, source);
    }
  });

  it('reads the subscript of a variable name a builtin is given', () => {
    for (const source of ["read 'a[$(rm -rf /d)]' <<< 1", "printf -v 'a[$(rm -rf /d)]' x", "unset 'a[$(rm -rf /d)]'", "[ -v 'a[$(rm -rf /d)]' ]", "[ -n \"$a\" -a -v 'a[$(rm -rf /d)]' ]", "declare 'a[$(rm -rf /d)]=1'", "command declare 'a[$(rm -rf /d)]=1'"]) {
      runs(source, 'rm');
    }
  });

  it('flags setting a variable that chooses which program runs', () => {
    for (const source of ['PATH=/tmp/x ls', 'env LD_PRELOAD=/tmp/x.so ls', 'export BASH_ENV=/tmp/x; bash -c ls', "env 'BASH_FUNC_ls%%=() { rm -rf /d; }' bash -c ls"]) {
      dynamic(source);
      assert.equal(onlyReads(analyzeShell(source)), false, source);
    }
  });

  it('reads the code trap, alias and mapfile -C run later', () => {
    runs("trap 'rm -rf /d' EXIT; ls", 'rm');
    runs("shopt -s expand_aliases; alias ll='rm -rf /d'\nll", 'rm');
    runs("mapfile -C 'rm -rf /d' -c 1 lines < f", 'rm');
    assert.deepEqual(programs('trap - EXIT; trap -p'), ['trap', 'trap']);
  });

  it('leaves ordinary arithmetic, tests and variables unflagged', () => {
    for (const source of [
      'echo $((1+2))',
      'for ((i=0; i<3; i++)); do echo $i; done',
      'n=5; echo $((n+1))',
      'i=0; while [ $i -lt 3 ]; do i=$((i+1)); done',
      'n=${#a[@]}; echo $((n-1)) "$(( $n * 2 ))"',
      '[[ $# -gt 0 ]] && echo "$1"',
      'echo ${#x} ${x:-y} ${arr[0]} "${arr[@]}" ${x:1:2}',
      'declare -A m; m[$k]=1; echo "${m[$k]}"',
      'let i=i+1; let "j = i * 2"; declare -i n=3; local x=1',
      'for f in *.log; do wc -l "$f"; done',
      'read -r line; echo "$line"',
      '[ -f x ] && test -d y',
      "PS4='+ '; set -x",
    ]) {
      assert.deepEqual(flags(source), [], source);
    }
    assert.equal(onlyReads(analyzeShell('for f in *.log; do wc -l "$f"; done')), true);
  });
});

describe('shell commands: a shell reading stdin, at any depth', () => {
  it('reads the request stdin wherever a shell reads it', () => {
    for (const source of ['sh -c sh', 'eval bash', 'bash -c "bash -s"', 'sh -c "sh -c sh"', 'bash /dev/stdin', 'bash /dev/fd/0', 'sh /proc/self/fd/0', 'bash -', '. /dev/stdin', 'source /dev/fd/0', 'busybox sh', 'su -']) {
      runs(source, 'rm', 'rm -rf /d\n');
    }
  });

  it('reads here-documents and here-strings fed to a shell, also through a compound command', () => {
    for (const source of ["bash /dev/stdin <<< 'rm -rf /d'", "sh /dev/stdin <<'EOF'\nrm -rf /d\nEOF", "source /dev/stdin <<< 'rm -rf /d'", "sh -c sh <<< 'rm -rf /d'", "{ sh; } <<< 'rm -rf /d'", '(sh) <<EOF\nrm -rf /d\nEOF']) {
      runs(source, 'rm');
    }
    assert.deepEqual(programs("sh /dev/stdin <<'EOF'\nrm -rf /d\nEOF"), ['sh', 'rm']);
  });

  it('reads a text a shell reads once, however many shells in it read on', () => {
    assert.deepEqual(programs('sh', `${'sh\n'.repeat(20)}rm -rf /d`), ['sh', ...Array<string>(20).fill('sh'), 'rm']);
  });

  it('sets pipe-to-shell for a shell running a process substitution or a piped compound command', () => {
    for (const source of ['bash <(curl -s x)', 'source <(curl -s x)', 'curl x | { cat; sh; }']) assert.ok(flags(source).includes('pipe-to-shell'), source);
    assert.deepEqual(flags('cat <<EOF\n*.log $HOME\nEOF'), []);
  });
});

describe('shell commands: words bash rewrites, wrappers that hide the program', () => {
  it('decodes $\'…\' as bash does', () => {
    for (const source of ["$'\\x72m' -rf /d", "$'\\162m' -rf /d", "$'\\u0072m' -rf /d", "rm $'-\\x72f' /d"]) assert.deepEqual(analyzeShell(source).commands, [{ program: 'rm', args: ['-rf', '/d'] }], source);
  });

  it('expands braces, and only unquoted ones', () => {
    assert.deepEqual(analyzeShell('{rm,-rf,/d}').commands, [{ program: 'rm', args: ['-rf', '/d'] }]);
    assert.deepEqual(analyzeShell('rm -{r,}f /d').commands, [{ program: 'rm', args: ['-rf', '-f', '/d'] }]);
    assert.deepEqual(analyzeShell('echo {a,b{1..3}}.txt {c..a} "{x,y}" \\{p,q} {} @{u}').commands[0]!.args, ['a.txt', 'b1.txt', 'b2.txt', 'b3.txt', 'c', 'b', 'a', '{x,y}', '{p,q}', '{}', '@{u}']);
    assert.deepEqual(flags('echo {1..100000}'), []);
  });

  it('reads bundled and attached options, so a value is not taken for the program', () => {
    for (const source of ['sudo -nu root rm -rf /d', 'sudo -uroot rm -rf /d', 'sudo --user=root rm -rf /d', 'sudo -u root -- rm -rf /d', 'runuser -u root -- rm -rf /d', 'nice -n5 rm -rf /d']) {
      assert.deepEqual(analyzeShell(source).commands.at(-1), { program: 'rm', args: ['-rf', '/d'] }, source);
    }
  });

  it("runs env -S's split string, su's and runuser's -c, a shell's -c past other options", () => {
    for (const source of ["env -S 'rm -rf /d'", 'env -iS"rm\\_-rf\\_/d"', "env --split-string='rm -rf' /d", "runuser -l root -c 'rm -rf /d'", "su -lc 'rm -rf /d' root", "bash -c -- 'rm -rf /d'", "bash -o errexit -c 'rm -rf /d'", "sh -e -c 'rm -rf /d'", "fish --command='rm -rf /d'"]) {
      assert.deepEqual(analyzeShell(source).commands.at(-1), { program: 'rm', args: ['-rf', '/d'] }, source);
    }
    assert.ok(flags("runuser -l root -c 'ls'").includes('sudo'));
    dynamic('env -S "$CMD"');
  });
});
