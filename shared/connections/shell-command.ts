// A shell command in the terms rules match: the programs it runs with their arguments, and risk
// flags. Parsed by mvdan/sh's bash parser (mvdan-sh), never by regular expressions; every simple
// command is found wherever it sits (pipelines, lists, subshells, functions, command and process
// substitutions, here-documents fed to a shell, `sh -c '…'`, `eval`, `trap`), and wrappers (`sudo`,
// `env`, `xargs`, `timeout`, `find -exec`…) are looked through to the program they run. Text bash
// evaluates as code besides commands (arithmetic, `${x@P}`, `${!x}`, subscripts of names handed
// to builtins) is read as code too, or flagged when only the running shell knows it.
import sh, { type Pos, type ShNode } from 'mvdan-sh';
import { SHELL_FLAGS, type ShellFlag as Flag } from './shell-flags.js';
import { splitString, Text, type Word } from './shell-words.js';

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
const CODE_OPTIONS: Record<string, string[]> = { python: ['-c'], perl: ['-e', '-E'], ruby: ['-e'], node: ['-e', '--eval', '-p', '--print'], php: ['-r'], lua: ['-e'], pwsh: ['-c', '-Command'] };
/** Shell options that take a value (bash, dash, zsh, ksh, busybox sh: -o errexit, -O extglob). */
const SHELL_VALUES = ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'];
/** su and runuser: -c is the code their shell runs; without it the shell reads stdin. */
const SU_VALUES = ['-c', '--command', '--session-command', '-s', '--shell', '-g', '--group', '-G', '--supp-group', '-u', '--user', '-w', '--whitelist-environment'];
/** Script paths that are the reader's own standard input. */
const STDIN_PATHS = /^(?:\/dev\/stdin|\/dev\/fd\/0|\/proc\/(?:self|thread-self)\/fd\/0)$/;

interface Wrapper {
  /** Options that take the next argument as their value (bundled `-nu root` or attached `-uroot` too). */
  values?: string[];
  /** Plain arguments before the wrapped command (timeout's duration, chroot's folder). */
  positional?: number;
  /** Skips NAME=VALUE arguments (env: any name, BASH_FUNC_f%% too). */
  assignments?: boolean;
  sudo?: boolean;
  /** Starts a shell (su): running -c's code, or reading stdin; options come anywhere, as getopt permutes. */
  su?: boolean;
}

/** Programs that run the command in their arguments. */
const WRAPPERS: Record<string, Wrapper> = {
  sudo: { values: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout', '-R', '--chroot'], sudo: true },
  doas: { values: ['-u', '-C'], sudo: true },
  env: { values: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string', '-a', '--argv0'], assignments: true },
  nice: { values: ['-n', '--adjustment'] },
  nohup: {},
  setsid: {},
  time: { values: ['-f', '--format', '-o', '--output'] },
  timeout: { values: ['-s', '--signal', '-k', '--kill-after'], positional: 1 },
  stdbuf: { values: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  chroot: { values: ['--userspec', '--groups'], positional: 1 },
  ionice: { values: ['-c', '--class', '-n', '--classdata', '-p', '--pid'] },
  taskset: { positional: 1 },
  xargs: { values: ['-I', '-n', '--max-args', '-P', '--max-procs', '-L', '--max-lines', '-s', '--max-chars', '-d', '--delimiter', '-E', '-a', '--arg-file'] },
  command: {},
  builtin: {},
  exec: { values: ['-a'] },
  unbuffer: {},
  flock: { values: ['-w', '--timeout', '-E', '--conflict-exit-code'], positional: 1 },
  runuser: { values: SU_VALUES, sudo: true, su: true },
  su: { values: SU_VALUES, su: true },
  nsenter: { values: ['-t', '--target'] },
  watch: { values: ['-n', '--interval', '-d'] },
  busybox: {},
};

/** Variables that choose which program runs or what a shell runs first: set, the program is unknown. */
const PROGRAM_VARIABLES = new Set(['PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'PROMPT_COMMAND', 'BASH_LOADABLES_PATH', 'EXECIGNORE']);
/** Prompts: bash expands them (command substitution included) when it prints them, PS4 under `set -x`. */
const PROMPTS = ['PS0', 'PS1', 'PS2', 'PS3', 'PS4'];
/** Variables the shell sets from input or arguments: their values are never known here. */
const SHELL_SET = new Set(['_', 'REPLY', 'OPTARG', 'MAPFILE', 'BASH_REMATCH', 'BASH_COMMAND', 'BASH_ARGV', 'BASH_EXECUTION_STRING', 'COPROC', '@', '*']);
/** Builtins whose operands (or some options' values) are variable names, which may hold a subscript bash evaluates. */
const NAME_BUILTINS: Record<string, { values: string[]; names: string[]; operands: 'all' | 'none' | number; sets: boolean }> = {
  read: { values: ['-a', '-d', '-i', '-n', '-N', '-p', '-t', '-u'], names: ['-a'], operands: 'all', sets: true },
  mapfile: { values: ['-d', '-n', '-O', '-s', '-u', '-C', '-c'], names: [], operands: 'all', sets: true },
  readarray: { values: ['-d', '-n', '-O', '-s', '-u', '-C', '-c'], names: [], operands: 'all', sets: true },
  printf: { values: ['-v'], names: ['-v'], operands: 'none', sets: true },
  getopts: { values: [], names: [], operands: 1, sets: true },
  wait: { values: ['-p'], names: ['-p'], operands: 'none', sets: false },
  unset: { values: [], names: [], operands: 'all', sets: false },
};
/** Builtins that declare variables, as commands (`builtin declare …`); parsed as such they are DeclClause. */
const DECLARE_BUILTINS = new Set(['declare', 'typeset', 'local', 'export', 'readonly']);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_ASSIGNMENT = /^[^-=][^=]*=/;
/** A literal integer as bash arithmetic reads one: 42, 0x2a, 052, 16#2a (or nothing, 0). */
const NUMBER = /^\s*(?:[-+]?(?:\d+#[0-9A-Za-z@_]+|0[xX][0-9a-fA-F]+|\d+))?\s*$/;
/** A value known only at run time (read from input, computed, an argument). */
const UNKNOWN = Symbol('unknown');
type Value = string | typeof UNKNOWN;
/** How bash evaluates a variable's value: as arithmetic, as a prompt string, as a variable name. */
type Evaluation = 'arithmetic' | 'prompt' | 'name';
/** What a command reads on stdin: a text, a file (null), or nothing known (undefined). */
type Input = Word | null | undefined;

/** One script being walked: its text, its stdin, and the stdin of statements in redirected compound commands (by offset). */
interface Script {
  text: Text;
  input: Input;
  inputs: Map<number, Input>;
  visit: (node: ShNode | null) => boolean;
}

interface Found extends ShellCommand {
  dynamic: boolean;
  words: Word[];
}

interface Unwrapped {
  commands: Found[];
  sudo: boolean;
  /** Words `watch` runs through sh -c. */
  watched: Word[][];
  /** NAME=VALUE a wrapper (env) puts in the environment of what it runs. */
  assignments: Word[];
}

export class ShellAnalyzer {
  private readonly commands: ShellCommand[] = [];
  private readonly flags = new Set<Flag>();
  private depth = 0;
  /** Texts a shell reads as its input, each analysed once (a shell inside reads on in the same text). */
  private readonly fed = new Set<string>();
  /** The values the command gives each variable, for where bash evaluates a value as code. */
  private readonly values = new Map<string, Set<Value>>();
  /** Variables whose value bash evaluates, and how (`arithmetic x`); PS4 and the other prompts always are. */
  private readonly evaluated = new Map<string, [string, Evaluation]>(PROMPTS.map((name) => [`prompt ${name}`, [name, 'prompt']]));
  /** Associative arrays: their subscripts are strings, not arithmetic. */
  private readonly associative = new Set<string>();

  /** `stdin`: what the command reads on its standard input, analysed too when a shell reads it. */
  analyze(source: string, stdin?: string): ShellAnalysis {
    this.script(source, stdin === undefined ? undefined : { text: stdin, dynamic: false });
    this.evaluateVariables();
    return { commands: this.commands, flags: SHELL_FLAGS.filter((f) => this.flags.has(f)) };
  }

  private script(source: string, input: Input): void {
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
      this.depth--;
      return;
    }
    const script: Script = {
      text: new Text(source),
      input,
      inputs: new Map(),
      visit: (node) => {
        if (node !== null) this.node(node, script);
        return true;
      },
    };
    syntax.Walk(file, script.visit);
    this.depth--;
  }

  private node(node: ShNode, script: Script): void {
    const { text } = script;
    switch (syntax.NodeType(node)) {
      case 'Stmt':
        this.statement(node, script);
        break;
      case 'BinaryCmd':
        if (['|', '|&'].includes(text.operator(node.OpPos as never)) && readsStdin(effective(node.Y as ShNode, text))) this.flags.add('pipe-to-shell');
        break;
      case 'CmdSubst':
      case 'ProcSubst':
        this.flags.add('command-substitution');
        break;
      case 'Redirect':
        if (writes(text.operator(node.OpPos as never), node.Word as ShNode | null, text)) this.flags.add('redirect-write');
        break;
      case 'CoprocClause':
        this.flags.add('background');
        break;
      case 'ArithmExp':
      case 'ArithmCmd':
        this.arithmetic(node.X as ShNode, text);
        break;
      case 'LetClause':
        for (const expr of node.Exprs as ShNode[]) this.arithmetic(expr, text);
        break;
      case 'CStyleLoop':
        for (const expr of [node.Init, node.Cond, node.Post] as Array<ShNode | null>) this.arithmetic(expr, text);
        break;
      case 'BinaryTest':
        // [[ a -eq b ]] evaluates both sides as arithmetic (test and [ only take integers).
        if (/^-(?:eq|ne|lt|le|gt|ge)$/.test(text.token(node.OpPos as Pos))) {
          this.arithmetic(node.X as ShNode, text);
          this.arithmetic(node.Y as ShNode, text);
        }
        break;
      case 'UnaryTest':
        if (text.token(node.OpPos as Pos) === '-v') this.nameArgument(text.word(node.X as ShNode));
        break;
      case 'ParamExp':
        this.parameter(node, text, script.visit);
        break;
      case 'Assign':
        this.assignment(node, text);
        break;
      case 'DeclClause':
        this.declaration(node, text);
        break;
      case 'WordIter': {
        // for x in …; select x in …: x takes each word; with no `in`, the arguments.
        const name = (node.Name as ShNode).Value as string;
        const items = node.Items as ShNode[];
        if (items.length === 0 && !/\bin\b/.test(text.slice(node))) this.assign(name, UNKNOWN);
        for (const item of items) for (const word of text.words(item)) this.assign(name, word);
        break;
      }
    }
  }

  private statement(stmt: ShNode, { text, input: inherited, inputs }: Script): void {
    if (stmt.Background || stmt.Coprocess) this.flags.add('background');
    const cmd = stmt.Cmd as ShNode | null;
    if (!cmd) return;
    const own = stdinOf(stmt, text);
    const at = stmt.Pos().Offset();
    const input = own !== undefined ? own : inputs.has(at) ? inputs.get(at) : inherited;
    switch (syntax.NodeType(cmd)) {
      case 'CallExpr':
        this.call(cmd, text, input);
        return;
      // Compound commands: the walk reaches the statements inside, which read what this one does.
      case 'Block':
      case 'Subshell':
      case 'IfClause':
      case 'WhileClause':
      case 'ForClause':
      case 'CaseClause':
      case 'BinaryCmd':
      case 'CoprocClause':
      case 'TimeClause':
        if (own !== undefined) inherit(cmd, input, inputs);
        return;
      // Function bodies, declarations, arithmetic and tests: judged where the walk meets their parts.
      case 'FuncDecl':
      case 'DeclClause':
      case 'ArithmCmd':
      case 'LetClause':
      case 'TestClause':
        return;
      default:
        // A kind of command this analyzer does not know: it cannot say what it runs.
        this.flags.add('unparsable');
    }
  }

  private call(cmd: ShNode, text: Text, input: Input): void {
    const words = (cmd.Args as ShNode[]).flatMap((w) => text.words(w));
    if (words.length === 0) return;
    const unwrapped = unwrap(words);
    if (unwrapped.sudo) this.flags.add('sudo');
    for (const assignment of unwrapped.assignments) {
      const at = assignment.text.indexOf('=');
      this.assign(assignment.text.slice(0, at), assignment.dynamic ? UNKNOWN : assignment.text.slice(at + 1));
    }
    for (const found of unwrapped.commands) {
      if (found.dynamic) {
        this.flags.add('dynamic-program');
        continue;
      }
      this.commands.push({ program: found.program, args: found.args });
      this.builtin(found);
      const code = codeOf(found.program, found.words);
      if (code === 'dynamic') this.flags.add('dynamic-program');
      else if (code !== undefined) this.script(code, input);
      else if (readsStdin([found])) this.feed(found.program, input);
      else if (runsProcessSubstitution(found)) this.flags.add('pipe-to-shell');
    }
    for (const code of unwrapped.watched) {
      if (code.some((w) => w.dynamic)) this.flags.add('dynamic-program');
      else this.script(code.map((w) => w.text).join(' '), input);
    }
  }

  /** A shell or interpreter runs what it reads: analysed when a shell reads a known text. */
  private feed(program: string, input: Input): void {
    if (!input) return;
    if (input.dynamic) this.flags.add('dynamic-program');
    else if (!isShell(program)) this.flags.add('pipe-to-shell');
    else if (!this.fed.has(input.text)) {
      this.fed.add(input.text);
      this.script(input.text, input);
    }
  }

  /** Builtins that take variable names, or run code they are given (mapfile -C, let, declare). */
  private builtin({ program, words }: Found): void {
    if (program === 'let') for (const word of words) this.arithmeticText(word);
    if (DECLARE_BUILTINS.has(program)) {
      const attributes = words.filter((w) => /^[-+]/.test(w.text)).map((w) => w.text).join('');
      for (const word of words) if (!/^[-+]/.test(word.text)) this.declared(word, program === 'export' || program === 'readonly' ? attributes.replace(/[in]/g, '') : attributes);
    }
    // test -v NAME / [ -v NAME ]: test reads no options, -v may come anywhere.
    if (program === 'test' || program === '[') for (const [i, word] of words.entries()) if (words[i - 1]?.text === '-v') this.nameArgument(word);
    const spec = NAME_BUILTINS[program];
    if (!spec) return;
    const { options, operands } = parseOptions(words, spec.values);
    const names = [...spec.names.flatMap((o) => options.get(o) ?? []), ...(spec.operands === 'all' ? operands : typeof spec.operands === 'number' ? operands.slice(spec.operands, spec.operands + 1) : [])];
    for (const name of names) {
      this.nameArgument(name);
      if (spec.sets && !name.dynamic) this.assign(/^[^[]*/.exec(name.text)![0], UNKNOWN);
    }
    // mapfile -C runs its callback as code, as eval would.
    for (const callback of options.get('-C') ?? []) {
      if (program === 'mapfile' || program === 'readarray') {
        if (callback.dynamic) this.flags.add('dynamic-program');
        else this.script(callback.text, undefined);
      }
    }
  }

  /** An arithmetic expression: numbers, and variables whose values bash evaluates in turn. */
  private arithmetic(expr: ShNode | null, text: Text): void {
    if (!expr) return;
    switch (syntax.NodeType(expr)) {
      case 'BinaryArithm':
        this.arithmetic(expr.X as ShNode, text);
        this.arithmetic(expr.Y as ShNode, text);
        return;
      case 'UnaryArithm':
      case 'ParenArithm':
        this.arithmetic(expr.X as ShNode, text);
        return;
      case 'Word':
        this.operand(expr, text);
        return;
      default:
        this.flags.add('unparsable');
    }
  }

  private operand(word: ShNode, text: Text): void {
    const parts = word.Parts as ShNode[];
    // "$n" is $n: what is evaluated is the value either way.
    const quoted = parts.length === 1 && syntax.NodeType(parts[0]!) === 'DblQuoted' ? (parts[0]!.Parts as ShNode[]) : parts;
    const part = quoted.length === 1 ? quoted[0]! : undefined;
    const type = part && syntax.NodeType(part);
    if (type === 'Lit' && NAME.test(part!.Value as string)) this.evaluates(part!.Value as string, 'arithmetic');
    else if (type === 'ParamExp' && plainParameter(part!)) this.evaluates((part!.Param as ShNode).Value as string, 'arithmetic');
    else if (!numeric(word)) this.arithmeticText(text.word(word));
  }

  /** Text bash evaluates as arithmetic: read as such, like eval's code; unknown, it is flagged. */
  private arithmeticText(word: Word): void {
    if (word.dynamic) this.flags.add('dynamic-program');
    else if (NAME.test(word.text.trim())) this.evaluates(word.text.trim(), 'arithmetic');
    else if (!NUMBER.test(word.text)) this.script(`((${word.text}\n))`, undefined);
  }

  private parameter(node: ShNode, text: Text, visit: (node: ShNode | null) => boolean): void {
    const name = (node.Param as ShNode).Value as string;
    const index = node.Index as ShNode | null;
    if (index && !/^[@*]$/.test(text.slice(index)) && !this.associative.has(name)) this.arithmetic(index, text);
    const slice = node.Slice as { Offset: ShNode | null; Length: ShNode | null } | null;
    // The walk does not go into ${x:offset:length}.
    for (const expr of slice ? [slice.Offset, slice.Length] : []) {
      if (!expr) continue;
      this.arithmetic(expr, text);
      syntax.Walk(expr, visit);
    }
    const expansion = node.Exp as { Word: ShNode | null } | null;
    const operator = expansion ? /^\$\{!?(?:[A-Za-z_]\w*|\d+|[@*#?$!-])(?:\[[^\]]*\])?(@|:?=)/.exec(text.slice(node))?.[1] : undefined;
    const word = expansion?.Word;
    // ${x@P} expands x's value as a prompt, command substitutions included; ${x:=v} assigns.
    if (operator === '@' && word && text.slice(word) === 'P') this.evaluates(name, 'prompt');
    if (operator?.endsWith('=')) this.assign(name, word ? text.word(word) : '');
    if (node.Excl && !node.Names && !index) this.evaluates(name, 'name');
  }

  private assignment(node: ShNode, text: Text): void {
    const name = node.Name as ShNode | null;
    if (!name) return;
    const variable = name.Value as string;
    const index = node.Index as ShNode | null;
    if (index && !this.associative.has(variable)) this.arithmetic(index, text);
    if (node.Naked) return;
    const value = node.Value as ShNode | null;
    const array = node.Array as { Elems: ShNode[] } | null;
    if (node.Append) this.assign(variable, UNKNOWN);
    else if (!value) this.assign(variable, '');
    else if (!numeric(value)) this.assign(variable, text.word(value));
    for (const elem of array?.Elems ?? []) {
      if (elem.Index && !this.associative.has(variable)) this.arithmetic(elem.Index as ShNode, text);
      if (elem.Value) this.assign(variable, text.word(elem.Value as ShNode));
    }
  }

  /** declare, local, typeset, export, readonly: -i makes assignments arithmetic, -n makes a name a reference. */
  private declaration(node: ShNode, text: Text): void {
    const variant = (node.Variant as ShNode).Value as string;
    let attributes = '';
    for (const arg of node.Args as ShNode[]) {
      const value = arg.Value as ShNode | null;
      const name = arg.Name as ShNode | null;
      if (arg.Naked && value) {
        const word = text.word(value);
        if (/^[-+]/.test(word.text) && !word.dynamic) attributes += ['export', 'readonly'].includes(variant) ? word.text.replace(/[in]/g, '') : word.text;
        else this.declared(word, attributes);
      } else if (name) this.attributes(name.Value as string, attributes);
    }
  }

  /** A declare operand given as one word (`'a[1]=x'`, "$spec"): name and value only known here. */
  private declared(word: Word, attributes: string): void {
    if (word.dynamic) {
      this.flags.add('dynamic-program');
      return;
    }
    const at = word.text.search(/\+?=/);
    const name = at === -1 ? word.text : word.text.slice(0, at);
    this.nameArgument({ text: name, dynamic: false });
    const variable = /^[^[]*/.exec(name)![0];
    if (at !== -1) this.assign(variable, word.text[at] === '+' ? UNKNOWN : word.text.slice(word.text.indexOf('=', at) + 1));
    this.attributes(variable, attributes);
  }

  private attributes(name: string, attributes: string): void {
    if (/^-.*i/.test(attributes)) this.evaluates(name, 'arithmetic');
    if (/^-.*n/.test(attributes)) this.evaluates(name, 'name');
    if (/^-.*A/.test(attributes)) this.associative.add(name);
  }

  /** A variable name a builtin is given: a subscript in it is evaluated as arithmetic. */
  private nameArgument(word: Word): void {
    if (word.dynamic) {
      this.flags.add('dynamic-program');
      return;
    }
    const match = /^[A-Za-z_][A-Za-z0-9_]*(?:\[(.*)\])?$/s.exec(word.text);
    if (!match) {
      if (word.text.includes('[')) this.flags.add('dynamic-program');
      return;
    }
    if (match[1] !== undefined && !/^[@*]$/.test(match[1])) this.arithmeticText({ text: match[1], dynamic: false });
  }

  /** A variable takes a value: a variable choosing the program makes the program unknown. */
  private assign(name: string, value: Word | Value): void {
    if (PROGRAM_VARIABLES.has(name) || name.startsWith('BASH_FUNC_')) this.flags.add('dynamic-program');
    const known = typeof value !== 'object' ? value : value.dynamic ? UNKNOWN : value.text;
    let values = this.values.get(name);
    if (!values) this.values.set(name, (values = new Set()));
    values.add(known);
  }

  /** Evaluates, as bash would, the values of the variables bash evaluates (new ones may come of it). */
  private evaluateVariables(): void {
    const done = new Set<string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, how] of [...this.evaluated.values()]) {
        const values: Iterable<Value> = SHELL_SET.has(name) || /^\d+$/.test(name) ? [UNKNOWN] : (this.values.get(name) ?? []);
        for (const value of values) {
          const key = `${how} ${name} ${String(value)}`;
          if (done.has(key)) continue;
          done.add(key);
          changed = true;
          this.evaluate(value, how);
        }
      }
    }
  }

  private evaluates(name: string, how: Evaluation): void {
    this.evaluated.set(`${how} ${name}`, [name, how]);
  }

  private evaluate(value: Value, how: Evaluation): void {
    if (value === UNKNOWN) this.flags.add('dynamic-program');
    else if (how === 'arithmetic') this.arithmeticText({ text: value, dynamic: false });
    else if (how === 'name') this.nameArgument({ text: value, dynamic: false });
    // A prompt is expanded after its backslash escapes are: any of $ ` \ may become code.
    else if (/[$`\\]/.test(value)) this.flags.add('dynamic-program');
  }
}

/** The commands a statement runs: the program itself, and through wrappers the one they run. */
function unwrap(words: Word[]): Unwrapped {
  const out: Unwrapped = { commands: [], sudo: false, watched: [], assignments: [] };
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
        out.assignments.push(...found.assignments);
      }
      break;
    }
    if (!wrapper) break;
    // su and runuser start a shell; runuser -u user cmd runs cmd.
    if (wrapper.su && !(name === 'runuser' && parseOptions(tail, SU_VALUES).options.has('-u'))) {
      out.commands.push(shellCommand(parseOptions(tail, SU_VALUES, true).options));
      break;
    }
    const { options, start } = wrapperArguments(wrapper, tail);
    if (wrapper.assignments) out.assignments.push(...tail.slice(0, start).filter((w) => ENV_ASSIGNMENT.test(w.text)));
    // env -S 'rm -rf /': the string is split into the command and its first arguments.
    const split = name === 'env' ? [...(options.get('-S') ?? []), ...(options.get('--split-string') ?? [])] : [];
    if (split.length > 0) {
      const inner = split.flatMap((w) => (w.dynamic ? undefined : splitString(w.text))?.map((text) => ({ text, dynamic: false })) ?? [{ text: w.text, dynamic: true }]);
      rest = [...inner, ...(start === undefined ? [] : tail.slice(start))];
      continue;
    }
    if (start === undefined) {
      // sudo -s / sudo -i with no command: a shell reading stdin.
      if (wrapper.sudo && args.some((a) => ['-s', '-i', '--shell', '--login'].includes(a))) out.commands.push(shellCommand(options));
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

/** Statements inside a compound command read its stdin (until one of them redirects its own). */
function inherit(cmd: ShNode, input: Input, inputs: Map<number, Input>): void {
  syntax.Walk(cmd, (node) => {
    if (node !== null && syntax.NodeType(node) === 'Stmt') inputs.set(node.Pos().Offset(), input);
    return true;
  });
}

/** The shell su, runuser or sudo -s starts: `sh -c CODE`, or `sh` reading stdin. */
function shellCommand(options: Map<string, Word[]>): Found {
  const code = ['-c', '--command', '--session-command'].flatMap((o) => options.get(o) ?? []);
  const words = code.length > 0 ? [{ text: '-c', dynamic: false }, ...code.slice(-1)] : [];
  return { program: 'sh', args: words.map((w) => w.text), dynamic: false, words };
}

/** The commands that end up reading a pipeline stage's stdin (for pipe-to-shell). */
function effective(stmt: ShNode, text: Text): Found[] {
  const out: Found[] = [];
  syntax.Walk(stmt, (node) => {
    if (node !== null && syntax.NodeType(node) === 'CallExpr') out.push(...unwrap((node.Args as ShNode[]).flatMap((w) => text.words(w))).commands.filter((c) => !c.dynamic));
    return true;
  });
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

function basename(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}

/**
 * Options read as getopt does: `-abc` is -a -b -c, and an option that takes a value takes the rest
 * of its bundle or the next argument (`-nu root`, `-uroot`, `--user root`, `--user=root`). Stops
 * at `--` or the first operand, or with `permute` (GNU getopt's default) goes on past operands.
 */
function parseOptions(args: Word[], values: string[], permute = false): { options: Map<string, Word[]>; operands: Word[] } {
  const options = new Map<string, Word[]>();
  const operands: Word[] = [];
  const add = (name: string, value: Word) => options.set(name, [...(options.get(name) ?? []), value]);
  let i = 0;
  for (; i < args.length; i++) {
    const { text: arg, dynamic } = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!/^[-+]./.test(arg) || (arg.startsWith('+') && !values.some((v) => v.startsWith('+')))) {
      if (!permute) break;
      operands.push(args[i]!);
      continue;
    }
    if (arg.startsWith('--')) {
      const at = arg.indexOf('=');
      if (at !== -1) add(arg.slice(0, at), { text: arg.slice(at + 1), dynamic });
      else if (values.includes(arg)) add(arg, args[++i] ?? { text: '', dynamic: true });
      else add(arg, { text: '', dynamic: false });
      continue;
    }
    for (let k = 1; k < arg.length; k++) {
      const name = arg[0]! + arg[k]!;
      if (!values.includes(name)) {
        add(name, { text: '', dynamic: false });
        continue;
      }
      add(name, k + 1 < arg.length ? { text: arg.slice(k + 1), dynamic } : (args[++i] ?? { text: '', dynamic: true }));
      break;
    }
  }
  return { options, operands: [...operands, ...args.slice(i)] };
}

/** A wrapper's options, and where the command it wraps starts (undefined when there is none). */
function wrapperArguments(wrapper: Wrapper, args: Word[]): { options: Map<string, Word[]>; start?: number } {
  const { options, operands } = parseOptions(args, wrapper.values ?? []);
  let at = args.length - operands.length;
  let positional = wrapper.positional ?? 0;
  for (; at < args.length; at++) {
    if (wrapper.assignments && ENV_ASSIGNMENT.test(args[at]!.text)) continue;
    if (positional-- > 0) continue;
    return { options, start: at };
  }
  return { options };
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

/** How a shell is invoked: the code of -c (fish: --command=…), or the script it runs (none: it reads stdin). */
function shellInvocation(args: Word[]): { code?: Word | null; script?: Word } {
  const { options, operands } = parseOptions(args, SHELL_VALUES);
  if (options.has('--command')) return { code: options.get('--command')!.at(-1)! };
  if (options.has('-c')) return { code: operands[0] ?? null };
  // `sh -s args` and `sh -` read the script from stdin; `sh file args` reads the file.
  if (options.has('-s') || operands[0]?.text === '-') return {};
  return { script: operands[0] };
}

/**
 * Code a shell, `eval`, `trap` or `alias` is given inline: the text, 'dynamic' when it is only
 * known at run time.
 */
function codeOf(program: string, args: Word[]): string | 'dynamic' | undefined {
  const name = basename(program);
  let code: Word[];
  if (name === 'eval') code = args;
  else if (name === 'trap') {
    // trap 'code' SIGNAL…; trap -l / -p list; trap SIGNAL (or -) resets.
    const { options, operands } = parseOptions(args, []);
    if (options.has('-l') || options.has('-p') || operands.length < 2 || operands[0]!.text === '-') return undefined;
    code = operands.slice(0, 1);
  } else if (name === 'alias') {
    // With expand_aliases, a later line's word runs as the alias's value.
    code = args.filter((w) => w.dynamic || w.text.includes('=')).map((w) => ({ text: w.text.slice(w.text.indexOf('=') + 1), dynamic: w.dynamic }));
  } else if (SHELLS.has(name)) {
    const { code: inline } = shellInvocation(args);
    if (inline === undefined) return undefined;
    if (inline === null) return 'dynamic';
    code = [inline];
  } else return undefined;
  if (code.length === 0) return undefined;
  return code.some((w) => w.dynamic) ? 'dynamic' : code.map((w) => w.text).join(name === 'alias' ? '\n' : ' ');
}

/** A shell, or `source` / `.` (the shell running a file in itself). */
function isShell(program: string): boolean {
  return SHELLS.has(basename(program)) || program === 'source' || program === '.';
}

/**
 * Whether one of these commands runs what it reads on stdin: a shell or interpreter given no
 * script, or given a path to its own stdin (/dev/stdin, /dev/fd/0), or `source /dev/stdin`.
 */
function readsStdin(commands: Found[]): boolean {
  return commands.some(({ program, words }) => {
    const name = basename(program).replace(/[\d.]+$/, '');
    if (program === 'source' || program === '.') return readsOwnStdin(words[0]);
    if (SHELLS.has(name)) {
      const invocation = shellInvocation(words);
      return invocation.code === undefined && (invocation.script === undefined || readsOwnStdin(invocation.script));
    }
    if (!INTERPRETERS.has(name) && !INTERPRETERS.has(basename(program))) return false;
    const args = words.map((w) => w.text);
    if (args.some((a) => (CODE_OPTIONS[name] ?? []).includes(a))) return false;
    // A script file argument means stdin is data; `-` and `-s` mean stdin is the script.
    const operands = words.filter((w) => !w.text.startsWith('-'));
    return operands.length === 0 || args.includes('-s') || args[0] === '-' || readsOwnStdin(operands[0]);
  });
}

/** A script path that is the reader's stdin; one known only at run time may be. */
function readsOwnStdin(script: Word | undefined): boolean {
  return script !== undefined && (STDIN_PATHS.test(script.text) || (script.dynamic && !script.text.startsWith('<(')));
}

/** A shell or `source` running a process substitution's output (`bash <(curl …)`): piped code. */
function runsProcessSubstitution({ program, words }: Found): boolean {
  return isShell(program) && words.some((w) => w.dynamic && /^<\(/.test(w.text));
}

/** What a statement's own redirections give it on stdin: a here-document or -string, a file (null). */
function stdinOf(stmt: ShNode, text: Text): Input {
  let input: Input;
  for (const redirect of stmt.Redirs as ShNode[]) {
    const op = text.operator(redirect.OpPos as never);
    if (op === '<<<') input = text.word(redirect.Word as ShNode);
    else if (op.startsWith('<<')) input = redirect.Hdoc ? text.heredoc(redirect.Hdoc as ShNode, redirect.Word as ShNode) : { text: '', dynamic: false };
    // `< file` (fd 0 only): a file, whose text is not known here.
    else if (['<', '<>', '<&'].includes(op) && [undefined, '0'].includes((redirect.N as ShNode | null)?.Value as string | undefined)) input = null;
  }
  return input;
}

/** $((…)) or ${#x}: a number whatever it holds (the walk judges the expression inside). */
function numeric(word: ShNode): boolean {
  const parts = word.Parts as ShNode[];
  return parts.length === 1 && (syntax.NodeType(parts[0]!) === 'ArithmExp' || (syntax.NodeType(parts[0]!) === 'ParamExp' && Boolean(parts[0]!.Length)));
}

/** $x or ${x} (or ${a[i]}): a variable's value as it is. */
function plainParameter(node: ShNode): boolean {
  return !node.Excl && !node.Length && !node.Width && !node.Exp && !node.Repl && !node.Slice && !node.Names;
}

/** Whether a redirection writes a file (not a descriptor duplication or /dev/null). */
function writes(op: string, target: ShNode | null, text: Text): boolean {
  if (!['>', '>>', '>|', '&>', '&>>', '<>', '>&'].includes(op)) return false;
  const word = target ? text.word(target) : { text: '', dynamic: false };
  if (op === '>&' && !word.dynamic && /^(\d+|-)$/.test(word.text)) return false;
  return word.dynamic || word.text !== '/dev/null';
}
