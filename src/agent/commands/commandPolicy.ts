import { parse } from 'shell-quote';
import { parseCommandLine, showWords, type SimpleCommand, type Word } from './parseCommandLine';
import { destructiveReasons, leavesWorkspace, redirectReasons } from './destructiveRules';
import { commandName, readsCodeFromInput, unwrapCommand } from './unwrapCommand';

/**
 * Decides whether a command line a model asked for may run: `allow` (run it), `ask` (a person
 * decides) or `refuse` (never). The line is parsed with shell-quote into every simple command it
 * would run (across `;`, `&&`, `||`, pipes, `&`, subshells, substitutions, shells given `-c`,
 * wrappers such as env, sudo and xargs), and each is judged on its parsed argv:
 *
 * - refuse: the workspace is untrusted; any command matches `plumbline.commands.deny`; the line has
 *   several lines or invisible/control characters (what a person is shown must be what runs).
 * - ask, and flagged destructive, even when allow-listed: see destructiveRules.ts.
 * - ask: anything not allowed, and any line the parser cannot fully vouch for (command or process
 *   substitution, eval, `#`, a variable as the command name, heredocs, environment assignments),
 *   or that names the home folder (its output goes to the model).
 * - allow: every simple command starts with an allow-list prefix (or is the project's
 *   verification command) and nothing above applies.
 */

export type CommandDecisionKind = 'allow' | 'ask' | 'refuse';

export interface CommandDecision {
  readonly decision: CommandDecisionKind;
  /** Why, in words a person (and the model) can act on. Never empty. */
  readonly reasons: readonly string[];
  /** The line would do something discarding the copy cannot undo: never run without a person's yes. */
  readonly destructive: boolean;
  /** The simple commands found, as argv rendered for display. */
  readonly commands: readonly string[];
}

export interface CommandPolicyOptions {
  /** `plumbline.commands.allow`: command prefixes in argv form ("npm run lint"). */
  readonly allow: readonly string[];
  /** `plumbline.commands.deny`: command prefixes that are refused outright. */
  readonly deny: readonly string[];
  readonly workspaceTrusted: boolean;
  /** The project's verification command: always allowed (with extra arguments when it is one simple command). */
  readonly verificationCommand?: string;
}

/** Control characters, line breaks and characters a terminal or dialog would hide or reorder. */
function isUnshowable(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  return (code >= 0x200b && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2060 && code <= 0x2069) || code === 0xfeff || (code >= 0xe0000 && code <= 0xe007f);
}

/** What a person is shown must be what runs: such a line is refused, not cleaned. */
function unshowable(line: string): boolean {
  for (const character of line) if (isUnshowable(character)) return true;
  return false;
}

/** Model text shown beside a command (its stated purpose), with every unshowable character replaced by "?". */
export function showable(text: string): string {
  return text.replace(/./gsu, (character) => (isUnshowable(character) ? '?' : character));
}

/** A prefix entry as argv: its plain words, or undefined when it is not plain words. */
function prefixWords(entry: string): string[] | undefined {
  try {
    const words = parse(entry);
    if (words.length === 0 || !words.every((word): word is string => typeof word === 'string')) return undefined;
    return words;
  } catch {
    return undefined;
  }
}

function startsWith(words: readonly Word[], prefix: readonly string[], byName: boolean): boolean {
  if (prefix.length > words.length) return false;
  return prefix.every((part, index) => {
    const word = words[index];
    if (word === undefined || !word.literal) return false;
    // Deny compares the command by basename and case (`/bin/RM` is rm); allow needs the exact word.
    return index === 0 && byName ? commandName([word]) === commandName([{ text: part, literal: true }]) : word.text === part;
  });
}

interface Judged {
  unparseable: boolean;
  readonly refused: string[];
  readonly destructive: string[];
  readonly unknown: string[];
  readonly opaque: string[];
  readonly shown: string[];
}

function judge(line: string, options: CommandPolicyOptions, deny: readonly string[][], allow: readonly string[][], depth: number, into: Judged): void {
  const parsed = parseCommandLine(line);
  into.opaque.push(...parsed.opaque);
  into.unparseable ||= parsed.unparseable;
  let cwdOutside = false;
  for (const command of parsed.commands) {
    judgeCommand(command, cwdOutside, options, deny, allow, depth, into);
    if (leavesWorkspace(command.words)) cwdOutside = true;
  }
}

function judgeCommand(command: SimpleCommand, cwdOutside: boolean, options: CommandPolicyOptions, deny: readonly string[][], allow: readonly string[][], depth: number, into: Judged): void {
  into.destructive.push(...redirectReasons(command.redirects, cwdOutside));
  if (command.words.length === 0) return;
  const shown = showWords(command.words);
  into.shown.push(shown);
  if (command.assignments.length > 0) into.opaque.push(`\`${shown}\` runs with ${command.assignments.map((a) => a.split('=')[0] ?? a).join(', ')} set, which can change what it does`);
  const home = command.words.find((word) => /^(@|[A-Za-z_-]*=@?)?~/.test(word.text) || (!word.literal && /^\$(HOME|USERPROFILE|APPDATA)$/.test(word.text)));
  // Output goes to the model: reading a home folder (keys, tokens) is asked about even for an allowed command.
  if (home !== undefined) into.opaque.push(`\`${shown}\` refers to ${home.text}, in your home folder`);
  if (command.pipedInto && readsCodeFromInput(command.words)) into.destructive.push(`\`${shown}\` runs code piped into it, which nobody has read`);
  const unwrapped = unwrapCommand(command.words);
  into.opaque.push(...unwrapped.opaque);
  for (const effective of unwrapped.commands) {
    const rule = deny.find((prefix) => startsWith(effective.words, prefix, true));
    if (rule !== undefined) into.refused.push(`\`${showWords(effective.words)}\` matches "${rule.join(' ')}" in plumbline.commands.deny`);
    into.destructive.push(...destructiveReasons(effective, cwdOutside));
  }
  for (const nested of unwrapped.lines) {
    if (depth >= 3) into.opaque.push(`${nested.via} nests commands too deeply to analyse`);
    else judge(nested.text, options, deny, allow, depth + 1, into);
  }
  // Allow looks at the command as written: `env X=1 npm test` or `timeout 5 npm test` is not `npm test`.
  const allowed = allow.some((prefix) => startsWith(command.words, prefix, false));
  if (!allowed) into.unknown.push(`\`${shown}\` is not in plumbline.commands.allow`);
}

/** The policy's decision on one command line. */
export function decideCommand(line: string, options: CommandPolicyOptions): CommandDecision {
  const refuse = (reason: string): CommandDecision => ({ decision: 'refuse', reasons: [reason], destructive: false, commands: [] });
  if (!options.workspaceTrusted) return refuse('The workspace is not trusted (Restricted Mode): Plumbline runs no commands in it.');
  if (line.trim() === '') return refuse('The command is empty.');
  if (unshowable(line)) return refuse('The command has line breaks, control or invisible characters; send one plain line (join commands with && or ;).');
  if (line.length > 4000) return refuse('The command is longer than 4000 characters.');

  const prefixes = (entries: readonly string[]): string[][] => entries.flatMap((entry) => { const words = prefixWords(entry); return words === undefined ? [] : [words]; });
  const deny = prefixes(options.deny);
  const allow = prefixes(options.allow);
  const verification = options.verificationCommand === undefined ? undefined : parseCommandLine(options.verificationCommand);
  const verificationWords = verification?.commands.map((command) => command.words.map((word) => word.text).join('\u0000')).join('\u0001');
  const single = verification?.commands.length === 1 && verification.opaque.length === 0 ? verification.commands[0] : undefined;
  if (single !== undefined && single.assignments.length === 0 && single.redirects.length === 0 && single.words.every((word) => word.literal)) allow.push(single.words.map((word) => word.text));

  const judged: Judged = { unparseable: false, refused: [], destructive: [], unknown: [], opaque: [], shown: [] };
  judge(line, options, deny, allow, 0, judged);
  const commands = [...new Set(judged.shown)];
  const unique = (reasons: readonly string[]): string[] => [...new Set(reasons)];
  if (judged.refused.length > 0) return { decision: 'refuse', reasons: unique(judged.refused), destructive: judged.destructive.length > 0, commands };
  if (commands.length === 0 && judged.opaque.length === 0) return refuse('The line runs no command.');
  if (judged.unparseable) return { decision: 'ask', reasons: unique([...judged.destructive, ...judged.opaque, 'Part of the line could not be parsed, so it could do anything.']), destructive: true, commands };
  if (judged.destructive.length > 0) return { decision: 'ask', reasons: unique([...judged.destructive, ...judged.opaque]), destructive: true, commands };
  // The project's own verification command, exactly as configured (even a compound one), is always allowed.
  const parsed = parseCommandLine(line);
  const isVerification = verificationWords !== undefined && parsed.opaque.length === 0 && parsed.commands.map((command) => command.words.map((word) => word.text).join('\u0000')).join('\u0001') === verificationWords && parsed.commands.every((command) => command.assignments.length === 0);
  if (isVerification) return { decision: 'allow', reasons: ['It is the project\'s verification command.'], destructive: false, commands };
  if (judged.opaque.length > 0) return { decision: 'ask', reasons: unique([...judged.opaque.map((reason) => `The line cannot be fully checked: ${reason}.`), ...judged.unknown]), destructive: false, commands };
  if (judged.unknown.length > 0) return { decision: 'ask', reasons: unique(judged.unknown), destructive: false, commands };
  return { decision: 'allow', reasons: [`Every command is allowed by plumbline.commands.allow${single !== undefined ? ' or is the verification command' : ''}.`], destructive: false, commands };
}
