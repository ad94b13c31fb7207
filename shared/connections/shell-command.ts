// A shell command in the terms rules match: the programs it runs with their arguments, and risk
// flags. Parsed by mvdan/sh's bash parser (mvdan-sh), never by regular expressions; every simple
// command is found wherever it sits (pipelines, lists, subshells, functions, command and process
// substitutions, here-documents fed to a shell, `sh -c '…'`, `eval`), and wrappers (`sudo`, `env`,
// `xargs`, `timeout`, `find -exec`…) are looked through to the program they run.
import sh, { type Pos, type ShNode } from 'mvdan-sh';
import { SHELL_FLAGS, type ShellFlag as Flag } from './shell-flags.js';

export interface ShellCommand {
  /** The program as written, quotes and escapes resolved (`/bin/rm`, `kubectl`). */
  program: string;
  args: string[];
}

export interface ShellAnalysis {
  commands: ShellCommand[];
  flags: string[];
}



const { syntax } = sh;

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh']);
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'php', 'lua', 'pwsh', 'osascript']);
/** Options after which an interpreter's next argument is code, not a script file. */
const CODE_OPTIONS: Record<string, string[]> = { shell: ['-c'], python: ['-c'], perl: ['-e', '-E'], ruby: ['-e'], node: ['-e', '--eval', '-p', '--print'], php: ['-r'], lua: ['-e'], pwsh: ['-c', '-Command'] };

interface Wrapper {
  /** Options that take the next argument as their value. */
  values?: string[];
  /** Plain arguments before the wrapped command (timeout's duration, chroot's folder). */
  positional?: number;
  /** Skips NAME=VALUE arguments (env). */
  assignments?: boolean;
  sudo?: boolean;
}

/** Programs that run the command in their arguments. */
const WRAPPERS: Record<string, Wrapper> = {
  sudo: { values: ['-u', '--user', '-g', '--group', '-C', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout', '-R', '--chroot'], sudo: true },
  doas: { values: ['-u', '-C'], sudo: true },
  env: { values: ['-u', '--unset', '-C', '--chdir'], assignments: true },
  nice: { values: ['-n', '--adjustment'] },
  nohup: {},
  setsid: {},
  time: { values: ['-f', '--format', '-o', '--output'] },
  timeout: { values: ['-s', '--signal', '-k', '--kill-after'], positional: 1 },
  stdbuf: { values: ['-i', '-o', '-e'] },
  chroot: { values: ['--userspec', '--groups'], positional: 1 },
  ionice: { values: ['-c', '--class', '-n', '--classdata', '-p', '--pid'] },
  taskset: { positional: 1 },
  xargs: { values: ['-I', '-n', '--max-args', '-P', '--max-procs', '-L', '--max-lines', '-s', '--max-chars', '-d', '--delimiter', '-E', '-a', '--arg-file'] },
  command: {},
  builtin: {},
  exec: { values: ['-a'] },
  unbuffer: {},
  flock: { values: ['-w', '--timeout', '-E', '--conflict-exit-code'], positional: 1 },
  runuser: { values: ['-u', '--user', '-g', '--group'], sudo: true },
  nsenter: { values: ['-t', '--target'] },
  watch: { values: ['-n', '--interval', '-d'] },
  busybox: {},
};

interface Unwrapped {
  commands: Array<ShellCommand & { dynamic: boolean; words: Word[] }>;
  sudo: boolean;
  /** Words `watch` runs through sh -c. */
  watched: Word[][];
}

export class ShellAnalyzer {
  private readonly commands: ShellCommand[] = [];
  private readonly flags = new Set<Flag>();
  private depth = 0;

  /** `stdin`: what the command reads on its standard input, analysed too when a shell reads it. */
  analyze(source: string, stdin?: string): ShellAnalysis {
    this.script(source, stdin);
    return { commands: this.commands, flags: SHELL_FLAGS.filter((f) => this.flags.has(f)) };
  }

  private script(source: string, stdin?: string): void {
    // Code inside code inside code…: past a few levels, refuse to judge it.
    if (++this.depth > 8) {
      this.flags.add('unparsable');
      return;
    }
    let file: ShNode;
    try {
      file = syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(source, 'command');
    } catch {
      this.flags.add('unparsable');
      return;
    }
    const text = new Text(source);
    syntax.Walk(file, (node) => {
      if (node === null) return true;
      switch (syntax.NodeType(node)) {
        case 'Stmt':
          this.statement(node, text, stdin);
          break;
        case 'BinaryCmd':
          if (['|', '|&'].includes(text.operator(node.OpPos as Pos)) && readsStdin(this.effective(node.Y as ShNode, text))) this.flags.add('pipe-to-shell');
          break;
        case 'CmdSubst':
        case 'ProcSubst':
          this.flags.add('command-substitution');
          break;
        case 'Redirect':
          if (writes(text.operator(node.OpPos as Pos), node.Word as ShNode | null, text)) this.flags.add('redirect-write');
          break;
        case 'CoprocClause':
          this.flags.add('background');
          break;
      }
      return true;
    });
    this.depth--;
  }

  private statement(stmt: ShNode, text: Text, stdin: string | undefined): void {
    if (stmt.Background || stmt.Coprocess) this.flags.add('background');
    const cmd = stmt.Cmd as ShNode | null;
    if (!cmd || syntax.NodeType(cmd) !== 'CallExpr') return;
    const words = (cmd.Args as ShNode[]).map((w) => text.word(w));
    if (words.length === 0) return;
    const unwrapped = unwrap(words);
    if (unwrapped.sudo) this.flags.add('sudo');
    for (const found of unwrapped.commands) {
      if (found.dynamic) {
        this.flags.add('dynamic-program');
        continue;
      }
      this.commands.push({ program: found.program, args: found.args });
      const code = codeOf(found.program, found.words);
      if (code === 'dynamic') this.flags.add('dynamic-program');
      else if (code !== undefined) this.script(code);
      else if (readsStdin([found])) {
        // A shell fed a here-document, a here-string or the request's stdin runs that text.
        for (const redirect of stmt.Redirs as ShNode[]) {
          const op = text.operator(redirect.OpPos as Pos);
          const body = op === '<<<' ? (redirect.Word as ShNode) : op.startsWith('<<') ? (redirect.Hdoc as ShNode | null) : null;
          if (!body) continue;
          const word = text.word(body);
          if (word.dynamic) this.flags.add('dynamic-program');
          else if (SHELLS.has(basename(found.program))) this.script(word.text);
          else this.flags.add('pipe-to-shell');
        }
        if (stdin !== undefined && this.depth === 1) {
          if (SHELLS.has(basename(found.program))) this.script(stdin);
          else this.flags.add('pipe-to-shell');
        }
      }
    }
    for (const code of unwrapped.watched) {
      if (code.some((w) => w.dynamic)) this.flags.add('dynamic-program');
      else this.script(code.map((w) => w.text).join(' '));
    }
  }

  /** The commands that end up running a pipeline stage (for pipe-to-shell). */
  private effective(stmt: ShNode, text: Text): ShellCommand[] {
    const cmd = stmt.Cmd as ShNode | null;
    if (!cmd || syntax.NodeType(cmd) !== 'CallExpr') return [];
    return unwrap((cmd.Args as ShNode[]).map((w) => text.word(w))).commands.filter((c) => !c.dynamic);
  }
}

/** The commands a statement runs: the program itself, and through wrappers the one they run. */
function unwrap(words: Word[]): Unwrapped {
  const out: Unwrapped = { commands: [], sudo: false, watched: [] };
  let rest = words;
  while (rest.length > 0) {
    const [head, ...tail] = rest;
    const program = head!.text;
    const args = tail.map((w) => w.text);
    const name = basename(program);
    const wrapper = head!.dynamic ? undefined : WRAPPERS[name];
    // sudo rm: the action is rm, with the sudo flag.
    if (wrapper?.sudo) out.sudo = true;
    else out.commands.push({ program, args, dynamic: head!.dynamic, words: tail });
    if (name === 'find' && !head!.dynamic) {
      for (const inner of findExec(tail)) {
        const found = unwrap(inner);
        out.commands.push(...found.commands);
        out.sudo ||= found.sudo;
        out.watched.push(...found.watched);
      }
      break;
    }
    if (!wrapper) break;
    const start = innerStart(wrapper, args);
    if (start === undefined) {
      // sudo -s / sudo -i with no command: a shell reading stdin.
      if (wrapper.sudo && args.some((a) => ['-s', '-i', '--shell', '--login'].includes(a))) out.commands.push({ program: 'sh', args: [], dynamic: false, words: [] });
      break;
    }
    if (name === 'watch') {
      out.watched.push(tail.slice(start));
      break;
    }
    rest = tail.slice(start);
  }
  return out;
}

export function analyzeShell(source: string, stdin?: string): ShellAnalysis {
  return new ShellAnalyzer().analyze(source, stdin);
}

/** An argument vector (a container exec's `command`) as the shell line that runs exactly it. */
export function quoteArgv(argv: string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Programs that only read, whatever their arguments: none of their options writes a file or runs
 * another program. Named bare (found on PATH), never by a path an agent could have written to.
 */
const READ_ONLY_PROGRAMS = new Set(['cat', 'df', 'du', 'echo', 'free', 'grep', 'head', 'hostname', 'id', 'ls', 'printenv', 'ps', 'pwd', 'stat', 'tail', 'uname', 'uptime', 'wc', 'whoami']);

/**
 * Whether a command only reads, for credential tiers: every program one of the above, bare, with
 * no risk flag at all (no redirect, substitution, sudo, background…). `hostname` with an argument
 * sets the name, so only bare `hostname` reads.
 */
export function onlyReads(analysis: ShellAnalysis): boolean {
  return (
    analysis.commands.length > 0 &&
    analysis.flags.length === 0 &&
    analysis.commands.every((c) => READ_ONLY_PROGRAMS.has(c.program) && !(c.program === 'hostname' && c.args.length > 0))
  );
}

interface Word {
  text: string;
  /** Holds an expansion ($VAR, $(…), $((…))) or a glob: its value is only known when it runs. */
  dynamic: boolean;
}

class Text {
  constructor(private readonly source: string) {}

  operator(pos: { Offset(): number }): string {
    const at = this.source.slice(pos.Offset(), pos.Offset() + 3);
    return /^(?:&>>|&>|>>|>\||>&|<<<|<<-|<<|<>|<&|\|&|\|\||&&|\||>|<)/.exec(at)?.[0] ?? '';
  }

  word(word: ShNode): Word {
    const out = { text: '', dynamic: false };
    for (const part of word.Parts as ShNode[]) this.part(part, false, out);
    return out;
  }

  private part(part: ShNode, quoted: boolean, out: Word): void {
    switch (syntax.NodeType(part)) {
      case 'Lit': {
        const value = part.Value as string;
        if (!quoted && /[*?[]/.test(value)) out.dynamic = true;
        out.text += quoted ? value.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c)) : value.replace(/\\(.)/gs, (_, c: string) => (c === '\n' ? '' : c));
        break;
      }
      case 'SglQuoted':
        out.text += part.Value as string;
        break;
      case 'DblQuoted':
        for (const inner of part.Parts as ShNode[]) this.part(inner, true, out);
        break;
      default:
        // Expansions: the text as written, and the word marked as known only at run time.
        out.dynamic = true;
        out.text += this.source.slice(part.Pos().Offset(), part.End().Offset());
    }
  }
}

function basename(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}

/** Where the wrapped command starts in a wrapper's arguments; undefined when there is none. */
function innerStart(wrapper: Wrapper, args: string[]): number | undefined {
  let positional = wrapper.positional ?? 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return i + 1 < args.length ? i + 1 + positional : undefined;
    if (arg.startsWith('-') && arg !== '-') {
      if (wrapper.values?.includes(arg)) i++;
      continue;
    }
    if (wrapper.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) continue;
    if (positional > 0) {
      positional--;
      continue;
    }
    return i;
  }
  return undefined;
}

/** The commands `find … -exec cmd args ;` runs. */
function findExec(args: Word[]): Word[][] {
  const out: Word[][] = [];
  for (let i = 0; i < args.length; i++) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(args[i]!.text)) continue;
    const end = args.findIndex((w, j) => j > i && (w.text === ';' || w.text === '+'));
    out.push(args.slice(i + 1, end === -1 ? undefined : end));
    if (end !== -1) i = end;
  }
  return out;
}

/** Code a shell or `eval` is given inline: the text, 'dynamic' when it is only known at run time. */
function codeOf(program: string, args: Word[]): string | 'dynamic' | undefined {
  const name = basename(program);
  let code: Word[];
  if (name === 'eval') code = args;
  else if (SHELLS.has(name) || name === 'su') {
    const at = args.findIndex(({ text: a }) => a === '-c' || a === '--command' || /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
    if (at === -1) return undefined;
    code = args.slice(at + 1, at + 2);
    if (code.length === 0) return 'dynamic';
  } else return undefined;
  return code.some((w) => w.dynamic) ? 'dynamic' : code.map((w) => w.text).join(' ');
}

/** Whether one of these commands runs what it reads on stdin: a shell or interpreter given no script. */
function readsStdin(commands: ShellCommand[]): boolean {
  return commands.some(({ program, args }) => {
    const name = basename(program).replace(/[\d.]+$/, '');
    const family = SHELLS.has(name) ? 'shell' : INTERPRETERS.has(name) || INTERPRETERS.has(basename(program)) ? name : undefined;
    if (!family) return false;
    const code = CODE_OPTIONS[family] ?? [];
    if (args.some((a) => code.includes(a))) return false;
    // A script file argument means stdin is data; `-` and `-s` mean stdin is the script.
    const operands = args.filter((a) => !a.startsWith('-'));
    return operands.length === 0 || args.includes('-s') || args[0] === '-';
  });
}

/** Whether a redirection writes a file (not a descriptor duplication or /dev/null). */
function writes(op: string, target: ShNode | null, text: Text): boolean {
  if (!['>', '>>', '>|', '&>', '&>>', '<>', '>&'].includes(op)) return false;
  const word = target ? text.word(target) : { text: '', dynamic: false };
  if (op === '>&' && !word.dynamic && /^(\d+|-)$/.test(word.text)) return false;
  return word.dynamic || word.text !== '/dev/null';
}
