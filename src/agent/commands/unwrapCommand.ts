import type { Word } from './parseCommandLine';

/**
 * Commands that run another command: `env rm -rf /` removes files exactly as `rm -rf /` does, so
 * the policy looks through wrappers (env, sudo, xargs, timeout, nice, …), shells given `-c`, `eval`
 * and `find -exec` to the commands they run.
 */

/** One command the line would run, possibly inside a wrapper. */
export interface EffectiveCommand {
  readonly words: readonly Word[];
  /** The wrappers it runs under, outermost first (`sudo`, `xargs`, `bash -c`). */
  readonly via: readonly string[];
  /** Its arguments come from input at run time (xargs, find -exec): they cannot be checked. */
  readonly argsFromInput: boolean;
}

export interface Unwrapped {
  readonly commands: readonly EffectiveCommand[];
  /** Command lines handed to a shell (`bash -c`, `eval`, `env -S`): parsed and checked as lines. */
  readonly lines: readonly { readonly text: string; readonly via: string }[];
  readonly opaque: readonly string[];
}

/** A command's name as the policy compares it: the basename, lower case (`/bin/RM` is `rm`). */
export function commandName(words: readonly Word[]): string {
  const first = words[0]?.text ?? '';
  return (first.split(/[\\/]/).pop() ?? first).toLowerCase().replace(/\.exe$/, '');
}

const optionValues: Readonly<Record<string, readonly string[]>> = {
  env: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'],
  sudo: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--chdir'],
  doas: ['-u', '-C'],
  nice: ['-n', '--adjustment'],
  timeout: ['-s', '--signal', '-k', '--kill-after'],
  stdbuf: ['-i', '-o', '-e'],
  ionice: ['-c', '-n', '-p'],
  xargs: ['-I', '-L', '-n', '-P', '-d', '-E', '-s', '-a', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-lines', '--replace'],
  watch: ['-n', '--interval'],
  exec: ['-a'],
  time: ['-f', '-o', '--format', '--output'],
  nohup: [],
  command: [],
  builtin: [],
  chronic: [],
  busybox: [],
  caffeinate: [],
  unbuffer: [],
  setsid: [],
  strace: ['-o', '-e', '-p', '-s'],
  ltrace: ['-o', '-e', '-p', '-s'],
  su: ['-c', '--command', '-s', '--shell', '-g', '--group'],
  pkexec: ['--user'],
  runuser: ['-u', '-g', '-c'],
  flock: ['-w', '--timeout', '-E', '--conflict-exit-code'],
};
/** Wrappers with positional arguments before the command (`timeout 10 cmd`, `flock file cmd`). */
const positionalBefore: Readonly<Record<string, number>> = { timeout: 1, flock: 1 };
const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh']);
const shellOptionValues = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

function isOption(word: Word): boolean {
  return word.literal && word.text.startsWith('-') && word.text !== '-';
}

/** The words after a wrapper's options (and, for env, its NAME=value assignments). */
function afterOptions(name: string, args: readonly Word[]): { rest: readonly Word[]; values: Map<string, string> } {
  const valued = new Set(optionValues[name] ?? []);
  const values = new Map<string, string>();
  let index = 0;
  while (index < args.length) {
    const word = args[index];
    if (word === undefined) break;
    if (word.text === '--') {
      index++;
      break;
    }
    if (name === 'env' && word.literal && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.text)) {
      index++;
      continue;
    }
    if (!isOption(word)) break;
    const [flag = '', inline] = word.text.split(/=(.*)/s, 2);
    if (valued.has(flag) && inline === undefined) {
      values.set(flag, args[index + 1]?.text ?? '');
      index += 2;
    } else {
      if (inline !== undefined) values.set(flag, inline);
      index++;
    }
  }
  return { rest: args.slice(index + (positionalBefore[name] ?? 0)), values };
}

function splitShell(args: readonly Word[]): { line?: string; stdin: boolean } {
  let command = false;
  for (let index = 0; index < args.length; index++) {
    const word = args[index];
    if (word === undefined) break;
    if (shellOptionValues.has(word.text)) {
      index++;
      continue;
    }
    if (word.literal && /^[-+][A-Za-z]+$/.test(word.text)) {
      if (word.text.includes('c')) command = true;
      if (word.text.includes('s')) return { stdin: true };
      continue;
    }
    if (word.text === '--') continue;
    return command ? { line: word.text, stdin: false } : { stdin: word.text === '-' };
  }
  return { stdin: !command };
}

/** Whether a shell or interpreter invoked with these words reads the code it runs from standard input. */
export function readsCodeFromInput(words: readonly Word[]): boolean {
  const name = commandName(words);
  const args = words.slice(1);
  if (shells.has(name)) return splitShell(args).stdin;
  if (/^(python[0-9.]*|perl|ruby|node|nodejs|php|deno|bun|pwsh|powershell|osascript|lua|tclsh|Rscript)$/i.test(name)) {
    if (args.some((word) => ['-c', '-e', '-E', '-p', '--eval', '--print', '-Command', '-r'].includes(word.text))) return false;
    const script = args.find((word) => !isOption(word));
    return script === undefined || script.text === '-';
  }
  return false;
}

/** The command itself and every command it runs through wrappers, shells and find -exec. */
export function unwrapCommand(words: readonly Word[], via: readonly string[] = [], argsFromInput = false): Unwrapped {
  const commands: EffectiveCommand[] = [{ words, via, argsFromInput }];
  const lines: { text: string; via: string }[] = [];
  const opaque: string[] = [];
  const name = commandName(words);
  const args = words.slice(1);
  const inner = (rest: readonly Word[], wrapper: string, fromInput: boolean): void => {
    if (rest.length === 0) return;
    const found = unwrapCommand(rest, [...via, wrapper], fromInput || argsFromInput);
    commands.push(...found.commands);
    lines.push(...found.lines);
    opaque.push(...found.opaque);
  };
  if (words[0] !== undefined && !words[0].literal) {
    // `$CMD -rf /`, `${X}rm`: the command is chosen at run time; what follows is checked as if it ran.
    opaque.push(`the command name ${words[0].text} is a variable`);
    inner(args, words[0].text, argsFromInput);
  } else if (shells.has(name)) {
    const shell = splitShell(args);
    if (shell.line !== undefined) lines.push({ text: shell.line, via: `${name} -c` });
  } else if (name === 'eval') {
    opaque.push('eval runs its arguments as a new command line');
    lines.push({ text: args.map((word) => word.text).join(' '), via: 'eval' });
  } else if (name === 'find') {
    for (let index = 0; index < args.length; index++) {
      const flag = args[index]?.text ?? '';
      if (!['-exec', '-execdir', '-ok', '-okdir'].includes(flag)) continue;
      const end = args.findIndex((word, position) => position > index && (word.text === ';' || word.text === '+'));
      inner(args.slice(index + 1, end < 0 ? undefined : end), `find ${flag}`, true);
      if (end > index) index = end;
    }
  } else if (name in optionValues) {
    if (name === 'command' && args.some((word) => word.text === '-v' || word.text === '-V')) return { commands, lines, opaque };
    const { rest, values } = afterOptions(name, args);
    const split = values.get('-S') ?? values.get('--split-string');
    if (name === 'env' && split !== undefined) lines.push({ text: split, via: 'env -S' });
    const asCommand = values.get('-c') ?? values.get('--command');
    if ((name === 'su' || name === 'runuser') && asCommand !== undefined) lines.push({ text: asCommand, via: `${name} -c` });
    // watch runs its arguments through `sh -c`, joined.
    if (name === 'watch' && rest.length > 0) lines.push({ text: rest.map((word) => word.text).join(' '), via: 'watch' });
    else inner(rest, name, name === 'xargs');
  }
  return { commands, lines, opaque };
}
