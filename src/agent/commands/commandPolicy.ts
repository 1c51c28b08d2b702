import { parse } from 'shell-quote';
import { parseCommandLine, showWords, type SimpleCommand, type Word } from './parseCommandLine';
import { changeDirectory, destructiveReasons, linkedReadReason, redirectReasons, type PathContext } from './destructiveRules';
import type { PathResolver } from './resolveLinks';
import { commandName, readsCodeFromInput, unwrapCommand } from './unwrapCommand';

/**
 * Decides whether a command line a model asked for may run: `allow` (run it), `ask` (a person
 * decides) or `refuse` (never). The line is parsed with shell-quote into every simple command it
 * would run (across `;`, `&&`, `||`, pipes, `&`, subshells, substitutions, shells given `-c`,
 * wrappers such as env, sudo and xargs), and each is judged on its parsed argv:
 *
 * - refuse: the workspace is untrusted; any command matches `plumbline.commands.deny`; the line has
 *   several lines or invisible/control characters (what a person is shown must be what runs).
 * - ask, and flagged destructive, even when allow-listed: see destructiveRules.ts. Paths (redirect
 *   targets, operands of commands that write) are followed through the workspace's symbolic links
 *   first (`resolvePath`): the copy commands run in keeps every link, so `echo x > link/f` with
 *   `link` pointing outside the workspace writes outside it.
 * - ask: anything not allowed, and any line the parser cannot fully vouch for (command or process
 *   substitution, eval, `#`, a variable as the command name, heredocs, environment assignments),
 *   or that names the home folder or reads through a symbolic link leading outside the workspace
 *   (its output goes to the model).
 * - allow: the line is the project's verification command exactly as configured (byte for byte,
 *   surrounding whitespace aside: `npm test -- --import=…` is not `npm test`, it is judged like any
 *   other line), or every simple command starts with an allow-list prefix; and nothing above applies.
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
  /**
   * The project's verification command: allowed unasked only as this exact line (surrounding
   * whitespace aside). A line that adds arguments, redirections, pipes, assignments or commands to
   * it goes through the allow list like any other.
   */
  readonly verificationCommand?: string;
  /**
   * Follows a path relative to the workspace root through its symbolic links (resolveLinks.ts:
   * `workspacePathResolver(root)`). Absent, paths are judged by their text alone.
   */
  readonly resolvePath?: PathResolver;
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
  /** Reads through a symbolic link that leads outside the workspace: the path and why. */
  readonly linkedReads: { readonly path: string; readonly reason: string }[];
  readonly shown: string[];
}

function judge(line: string, context: PathContext, deny: readonly string[][], allow: readonly string[][], depth: number, into: Judged): void {
  const parsed = parseCommandLine(line);
  into.opaque.push(...parsed.opaque);
  into.unparseable ||= parsed.unparseable;
  let here = context;
  for (const command of parsed.commands) {
    judgeCommand(command, here, deny, allow, depth, into);
    here = changeDirectory(command.words, here);
  }
}

function judgeCommand(command: SimpleCommand, context: PathContext, deny: readonly string[][], allow: readonly string[][], depth: number, into: Judged): void {
  into.destructive.push(...redirectReasons(command.redirects, context));
  const shown = showWords(command.words);
  for (const word of [...command.words, ...command.redirects.flatMap((redirect) => (redirect.target !== undefined && (redirect.op === '<' || redirect.op === '<>') ? [redirect.target] : []))]) {
    const linked = linkedReadReason(word, context);
    if (linked !== undefined) into.linkedReads.push({ path: word.text, reason: `\`${shown || `< ${word.text}`}\` reads ${word.text}, and what it reads reaches the model: ${linked}` });
  }
  if (command.words.length === 0) return;
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
    into.destructive.push(...destructiveReasons(effective, context));
  }
  for (const nested of unwrapped.lines) {
    // A shell started here starts in the same folder.
    if (depth >= 3) into.opaque.push(`${nested.via} nests commands too deeply to analyse`);
    else judge(nested.text, context, deny, allow, depth + 1, into);
  }
  // Allow looks at the command as written: `env X=1 npm test` or `timeout 5 npm test` is not `npm test`.
  const allowed = allow.some((prefix) => startsWith(command.words, prefix, false));
  if (!allowed) into.unknown.push(`\`${shown}\` is not in plumbline.commands.allow`);
}

/** Whether a command of `line` starts like the verification command's first (its first two words). */
function resembles(line: string, verification: string): boolean {
  const head = parseCommandLine(verification).commands[0]?.words.slice(0, 2).map((word) => word.text) ?? [];
  return head.length > 0 && parseCommandLine(line).commands.some((command) => head.every((text, index) => command.words[index]?.text === text));
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

  const judged: Judged = { unparseable: false, refused: [], destructive: [], unknown: [], opaque: [], linkedReads: [], shown: [] };
  const context: PathContext = { cwdOutside: false, cwds: [''], ...(options.resolvePath !== undefined ? { resolve: options.resolvePath } : {}) };
  judge(line, context, deny, allow, 0, judged);
  const commands = [...new Set(judged.shown)];
  const unique = (reasons: readonly string[]): string[] => [...new Set(reasons)];
  if (judged.refused.length > 0) return { decision: 'refuse', reasons: unique(judged.refused), destructive: judged.destructive.length > 0, commands };
  if (commands.length === 0 && judged.opaque.length === 0) return refuse('The line runs no command.');
  if (judged.unparseable) return { decision: 'ask', reasons: unique([...judged.destructive, ...judged.opaque, 'Part of the line could not be parsed, so it could do anything.']), destructive: true, commands };
  // A path a destructive reason already names (`cp a out/`) is not said again as a read.
  const reads = (among: readonly string[]): string[] => judged.linkedReads.filter((read) => !among.some((reason) => reason.includes(`${read.path}:`) || reason.includes(`${read.path} writes`))).map((read) => read.reason);
  if (judged.destructive.length > 0) return { decision: 'ask', reasons: unique([...judged.destructive, ...judged.opaque, ...reads(judged.destructive)]), destructive: true, commands };
  // The project's own verification command, exactly the configured line (even a compound one), runs unasked.
  const verification = options.verificationCommand?.trim() ?? '';
  if (verification !== '' && line.trim() === verification) return { decision: 'allow', reasons: ['It is the project\'s verification command, exactly as configured.'], destructive: false, commands };
  // Only the exact line is: `npm test -- --import=…` is judged like any other line, and the model is told why.
  const addsTo = verification !== '' && resembles(line, verification) ? [`Only the verification command exactly as configured (\`${verification}\`) runs without asking; a line that changes or adds to it is judged like any other.`] : [];
  if (judged.linkedReads.length > 0 || judged.opaque.length > 0) return { decision: 'ask', reasons: unique([...reads([]), ...judged.opaque.map((reason) => `The line cannot be fully checked: ${reason}.`), ...judged.unknown, ...addsTo]), destructive: false, commands };
  if (judged.unknown.length > 0) return { decision: 'ask', reasons: unique([...judged.unknown, ...addsTo]), destructive: false, commands };
  return { decision: 'allow', reasons: ['Every command is allowed by plumbline.commands.allow.'], destructive: false, commands };
}
