import { posix } from 'node:path';
import { defaultLinkFolders } from '../verify/isolationPaths';
import type { Redirect, Word } from './parseCommandLine';
import type { PathResolver } from './resolveLinks';
import { commandName, type EffectiveCommand } from './unwrapCommand';

/**
 * What makes a command destructive: it removes or overwrites what discarding the isolated copy
 * cannot bring back (files outside the workspace, the user's git refs and stash, which a worktree
 * shares, a remote, a published package, the machine), or it runs code nobody has seen. A
 * destructive command is always asked about, whatever the allow list says.
 */

const harmlessDevices = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);

/**
 * Where the paths of a command are read from: the folders it may run in after earlier `cd`s, and a
 * resolver that follows the workspace's symbolic links (absent: paths are judged by their text).
 */
export interface PathContext {
  /** An earlier `cd` left the workspace or went somewhere only known at run time. */
  readonly cwdOutside: boolean;
  /** The folders (relative to the workspace root, '' for the root) the command may run in. */
  readonly cwds: readonly string[];
  readonly resolve?: PathResolver;
}

/** A command at the workspace root with no resolver: paths judged by their text alone. */
export const atRoot: PathContext = { cwdOutside: false, cwds: [''] };

/** Where a relative path leads from one folder of the workspace: the folder inside it, or why it is outside. */
function place(text: string, cwd: string, resolvePath: PathResolver | undefined): { inside: string } | { outside: string } {
  const joined = cwd === '' ? text : `${cwd}/${text}`;
  const resolved = resolvePath?.(joined);
  if (resolved === undefined) {
    const normal = posix.normalize(joined.replace(/\\/g, '/'));
    if (normal === '..' || normal.startsWith('../')) return { outside: `${text} is outside the workspace` };
    return { inside: normal.replace(/^\.\/?/, '') };
  }
  if (resolved.inside !== undefined) return { inside: resolved.inside };
  const link = resolved.through;
  if (link === undefined) return { outside: `${text} is outside the workspace` };
  return { outside: `${text} goes through the symbolic link ${link.path}, which leads to ${link.target}, outside the workspace (the copy keeps that link)` };
}

/** Why a path word may point outside the workspace, or undefined when it stays inside. */
export function outsideReason(word: Word, context: PathContext): string | undefined {
  const text = word.text;
  if (!word.literal && text.startsWith('$')) return `${text} is only known at run time`;
  if (text.startsWith('~')) return `${text} is in a home folder`;
  if (harmlessDevices.has(text) || /^\/dev\/fd\/\d+$/.test(text)) return undefined;
  if (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) || text.startsWith('\\\\')) return `${text} is an absolute path outside the workspace`;
  if (context.cwdOutside) return `${text} is relative to a folder outside the workspace (after cd)`;
  // The folder of the latest `cd` first: where the command most likely runs, so the reason names what happens there.
  for (const cwd of [...context.cwds].reverse()) {
    const found = place(text, cwd, context.resolve);
    if ('outside' in found) return found.outside;
    // The copy links these folders to the real ones instead of copying them: writes there are not discarded.
    const first = found.inside.split('/')[0] ?? '';
    if (linkedFolders.has(first)) return `${first} is your real ${first}, linked into the copy, not copied`;
  }
  return undefined;
}

/**
 * Why reading `word` reaches outside the workspace through a symbolic link (undefined when it does
 * not): what the command reads there becomes output the model sees. Plain `..` and absolute paths
 * are not reported here; `--name=path` and `@path` forms are followed too.
 */
export function linkedReadReason(word: Word, context: PathContext): string | undefined {
  if ((!word.literal && word.text.startsWith('$')) || context.cwdOutside || context.resolve === undefined) return undefined;
  const candidates = new Set([word.text, word.text.replace(/^[^=]*=/, ''), word.text.replace(/^([A-Za-z_-]*=)?@/, '')]);
  for (const text of candidates) {
    if (text === '' || text.startsWith('/') || text.startsWith('~') || /^[A-Za-z]:[\\/]/.test(text)) continue;
    for (const cwd of [...context.cwds].reverse()) {
      const resolved = context.resolve(cwd === '' ? text : `${cwd}/${text}`);
      const link = resolved?.through;
      if (resolved !== undefined && resolved.inside === undefined && link !== undefined) return `${text} goes through the symbolic link ${link.path}, which leads to ${link.target}, outside the workspace`;
    }
  }
  return undefined;
}

const linkedFolders: ReadonlySet<string> = new Set(defaultLinkFolders);

function flags(args: readonly Word[]): { short: Set<string>; long: Set<string>; operands: Word[] } {
  const short = new Set<string>();
  const long = new Set<string>();
  const operands: Word[] = [];
  let ended = false;
  for (const word of args) {
    if (!ended && word.literal && word.text === '--') ended = true;
    else if (!ended && word.literal && word.text.startsWith('--')) long.add(word.text.split('=')[0] ?? word.text);
    else if (!ended && word.literal && /^-[A-Za-z]+$/.test(word.text)) for (const letter of word.text.slice(1)) short.add(letter);
    else operands.push(word);
  }
  return { short, long, operands };
}

/** Commands whose operands are files they change or remove. */
const writers = new Set(['rm', 'rmdir', 'unlink', 'shred', 'truncate', 'mv', 'cp', 'ln', 'tee', 'touch', 'mkdir', 'chmod', 'chown', 'chgrp', 'install', 'rsync', 'sed', 'split', 'tar', 'unzip', 'patch']);
const alwaysDestructive: Readonly<Record<string, string>> = {
  sudo: 'runs a command as another user (sudo)',
  su: 'runs a command as another user (su)',
  doas: 'runs a command as another user (doas)',
  pkexec: 'runs a command as another user (pkexec)',
  runuser: 'runs a command as another user (runuser)',
  dd: 'dd writes raw bytes wherever it is told to',
  shred: 'shred destroys file contents',
  mkfs: 'formats a file system',
  mke2fs: 'formats a file system',
  mkswap: 'formats a swap area',
  wipefs: 'wipes file system signatures',
  fdisk: 'changes disk partitions',
  sfdisk: 'changes disk partitions',
  parted: 'changes disk partitions',
  diskutil: 'changes disks',
  format: 'formats a disk',
  shutdown: 'shuts the machine down',
  reboot: 'restarts the machine',
  halt: 'stops the machine',
  poweroff: 'turns the machine off',
  kill: 'ends processes outside the command',
  pkill: 'ends processes outside the command',
  killall: 'ends processes outside the command',
  crontab: 'changes scheduled jobs',
  systemctl: 'changes system services',
  launchctl: 'changes system services',
};
const publishers: Readonly<Record<string, readonly string[]>> = {
  npm: ['publish', 'unpublish', 'deprecate', 'dist-tag', 'owner', 'access', 'token', 'adduser', 'login'],
  pnpm: ['publish'],
  yarn: ['publish', 'npm'],
  bun: ['publish'],
  cargo: ['publish', 'yank', 'owner', 'login'],
  gem: ['push', 'yank', 'owner'],
  twine: ['upload'],
  poetry: ['publish'],
  docker: ['push', 'login'],
  podman: ['push', 'login'],
  gh: ['release', 'repo', 'secret', 'pr', 'issue', 'api', 'auth'],
  vsce: ['publish', 'unpublish'],
  ovsx: ['publish'],
};
/** Subcommands that install or remove dependencies: they write the linked, real dependency folders. */
const installers: Readonly<Record<string, readonly string[]>> = {
  npm: ['install', 'i', 'ci', 'add', 'uninstall', 'remove', 'rm', 'un', 'update', 'up', 'prune', 'dedupe', 'link', 'rebuild'],
  pnpm: ['install', 'i', 'add', 'remove', 'rm', 'update', 'up', 'prune', 'link'],
  yarn: ['install', 'add', 'remove', 'upgrade', 'link'],
  bun: ['install', 'i', 'add', 'remove', 'rm', 'update', 'link'],
  pip: ['install', 'uninstall'],
  pip3: ['install', 'uninstall'],
  uv: ['pip', 'add', 'remove', 'sync'],
  poetry: ['install', 'add', 'remove', 'update'],
  bundle: ['install', 'update', 'add', 'remove'],
  composer: ['install', 'require', 'remove', 'update'],
  cargo: ['install', 'uninstall'],
  go: ['install'],
};
const network = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'scp', 'sftp', 'ssh', 'ftp', 'telnet', 'socat', 'http', 'https', 'aria2c']);

function gitReasons(args: readonly Word[]): string[] {
  let index = 0;
  const reasons: string[] = [];
  while (index < args.length && args[index]?.text.startsWith('-') === true) {
    const option = args[index]?.text ?? '';
    if (['-C', '--git-dir', '--work-tree', '--exec-path'].some((flag) => option === flag || option.startsWith(`${flag}=`))) reasons.push(`git ${option} points git at another folder`);
    if (option === '-c' || option.startsWith('--config-env')) reasons.push(`git ${option} can make git run any command (an alias, a pager, an ssh command)`);
    index += option === '-C' || option === '-c' || option === '--git-dir' || option === '--work-tree' ? 2 : 1;
  }
  const sub = args[index]?.text ?? '';
  const rest = args.slice(index + 1);
  const { short, long, operands } = flags(rest);
  const has = (...names: string[]): boolean => names.some((name) => (name.startsWith('--') ? long.has(name) : short.has(name.slice(1))));
  const first = operands[0]?.text ?? '';
  switch (sub) {
    case 'push':
      if (has('-f', '--force', '--force-with-lease', '--force-if-includes', '--mirror', '-d', '--delete', '--prune') || operands.some((word) => word.text.startsWith('+') || word.text.startsWith(':')))
        reasons.push('git push with force or delete rewrites or removes history on a remote');
      else reasons.push('git push sends commits to a remote, outside the isolated copy');
      break;
    case 'reset':
      if (has('--hard', '--merge', '--keep')) reasons.push('git reset --hard discards changes');
      break;
    case 'clean':
      if (!has('-n', '--dry-run')) reasons.push('git clean deletes untracked files');
      break;
    case 'checkout':
      if (has('-f', '--force') || rest.some((word) => word.text === '--' || word.text === '.')) reasons.push('git checkout of paths discards changes');
      break;
    case 'restore':
      if (!has('--staged', '-S') || has('--worktree', '-W')) reasons.push('git restore discards changes in files');
      break;
    case 'switch':
      if (has('-f', '--force', '--discard-changes', '-C', '--force-create')) reasons.push('git switch --force discards changes');
      break;
    case 'branch':
      if (has('-D', '-d', '--delete', '-f', '--force', '-M', '-m', '--move', '-C')) reasons.push('git branch deletes, moves or overwrites branches, which the copy shares with your repository');
      break;
    case 'tag':
      if (has('-d', '--delete', '-f', '--force')) reasons.push('git tag deletes or overwrites tags, which the copy shares with your repository');
      break;
    case 'stash':
      if (!['list', 'show'].includes(first)) reasons.push('git stash changes the stash, which the copy shares with your repository');
      break;
    case 'update-ref':
    case 'symbolic-ref':
    case 'filter-branch':
    case 'filter-repo':
    case 'replace':
      reasons.push(`git ${sub} rewrites references shared with your repository`);
      break;
    case 'reflog':
      if (['expire', 'delete'].includes(first)) reasons.push('git reflog expire/delete drops recovery points');
      break;
    case 'gc':
    case 'prune':
      reasons.push(`git ${sub} may delete unreachable objects for good`);
      break;
    case 'worktree':
      if (['remove', 'prune', 'move'].includes(first)) reasons.push('git worktree changes your repository\'s worktrees');
      break;
    case 'remote':
      if (['remove', 'rm', 'set-url', 'rename', 'add', 'prune'].includes(first)) reasons.push('git remote changes your repository\'s remotes');
      break;
    case 'config':
      if (has('--global', '--system') || !has('--get', '--get-all', '--list', '-l', '--get-regexp')) reasons.push('git config changes configuration');
      break;
    case 'rm':
      if (has('-r')) reasons.push('git rm -r removes files recursively');
      break;
  }
  return reasons;
}

/** Why `command` is destructive (empty when it is not), its paths read from `context`. */
export function destructiveReasons(command: EffectiveCommand, context: PathContext): string[] {
  const name = commandName(command.words);
  const args = command.words.slice(1);
  const shown = [...command.via, name].join(' ');
  const reasons: string[] = [];
  const fixed = alwaysDestructive[name] ?? (/^mkfs(\.|$)/.test(name) ? 'formats a file system' : undefined);
  if (fixed !== undefined) reasons.push(fixed);
  const { short, long, operands } = flags(args);
  if (name === 'rm' && (short.has('r') || short.has('R') || long.has('--recursive'))) reasons.push(`${shown} -r deletes folders recursively`);
  if ((name === 'chmod' || name === 'chown' || name === 'chgrp') && (short.has('R') || long.has('--recursive'))) reasons.push(`${shown} -R changes permissions or owners recursively`);
  if (name === 'find' && args.some((word) => word.text === '-delete')) reasons.push('find -delete deletes every file it finds');
  if (name === 'git') reasons.push(...gitReasons(args));
  const published = publishers[name];
  const sub = operands[0]?.text ?? '';
  if (published?.includes(sub) === true) reasons.push(`${name} ${sub} publishes or changes something outside this machine`);
  if (installers[name]?.includes(sub) === true) reasons.push(`${name} ${sub} changes installed dependencies, whose folders the copy shares with your workspace`);
  if (['npm', 'pnpm', 'yarn', 'bun'].includes(name) && (short.has('g') || long.has('--global') || args.some((word) => word.text === 'global'))) reasons.push(`${name} --global installs outside the workspace`);
  if (writers.has(name)) {
    if (command.argsFromInput) reasons.push(`${shown} changes files named by its input, which cannot be checked`);
    for (const word of operands) {
      const outside = outsideReason(word, context);
      if (outside !== undefined) reasons.push(`${shown} changes ${word.text}: ${outside}`);
    }
    // `cp --target-directory=dir`, `rsync --backup-dir=dir`, `tar --file=x`: option values that are paths.
    for (const word of args) {
      const value = word.literal ? /^--[a-z-]*(dir|directory|dest|file|output)=(.+)$/s.exec(word.text)?.[2] : undefined;
      const outside = value === undefined ? undefined : outsideReason({ text: value, literal: true }, context);
      if (value !== undefined && outside !== undefined) reasons.push(`${shown} changes ${value}: ${outside}`);
    }
  }
  if (name === 'dd') {
    for (const word of args) {
      const value = /^(of|if)=(.+)$/s.exec(word.text);
      const outside = value?.[2] === undefined ? undefined : outsideReason({ text: value[2], literal: word.literal }, context);
      if (value !== null && outside !== undefined) reasons.push(`dd ${value[1] === 'of' ? 'writes' : 'reads'} ${value[2]}: ${outside}`);
    }
  }
  if (network.has(name)) {
    for (const word of args) {
      const path = word.text.replace(/^[A-Za-z_-]*=?@/, '').replace(/^@/, '');
      if (path !== word.text || word.text.startsWith('~') || word.text.startsWith('/')) {
        const outside = outsideReason({ ...word, text: path }, context);
        if (outside !== undefined) reasons.push(`${name} may send or write ${word.text} (${outside})`);
      }
    }
    if (short.has('o') || short.has('O') || long.has('--output')) {
      const target = args[args.findIndex((word) => ['-o', '-O', '--output'].includes(word.text)) + 1];
      const outside = target === undefined ? undefined : outsideReason(target, context);
      if (target !== undefined && outside !== undefined) reasons.push(`${name} writes ${target.text}: ${outside}`);
    }
  }
  return reasons;
}

/** Why a redirection is destructive: it writes a file outside the workspace (through a symbolic link too). */
export function redirectReasons(redirects: readonly Redirect[], context: PathContext): string[] {
  return redirects.flatMap((redirect) => {
    if (redirect.op === '<' || redirect.op === '<&') return [];
    if (redirect.target === undefined) return [`the redirection ${redirect.op} has no target`];
    if (redirect.op === '>&' && /^\d+$|^-$/.test(redirect.target.text)) return [];
    const outside = outsideReason(redirect.target, context);
    return outside === undefined ? [] : [`${redirect.op} ${redirect.target.text} writes outside the workspace (${outside})`];
  });
}

/**
 * Where later commands of the line run after `words` (a `cd`/`pushd`): the folder is added to the
 * ones they may run in (a `cd` may fail, be in a subshell or behind `||`), or, when it leaves the
 * workspace (or goes somewhere only known at run time), every later relative path points outside.
 */
export function changeDirectory(words: readonly Word[], context: PathContext): PathContext {
  const name = commandName(words);
  if (name !== 'cd' && name !== 'pushd') return context;
  const target = words.slice(1).find((word) => !(word.literal && word.text.startsWith('-') && word.text !== '-'));
  if (context.cwdOutside || target === undefined || target.text === '-' || outsideReason(target, context) !== undefined) return { ...context, cwdOutside: true };
  const cwds = new Set(context.cwds);
  for (const cwd of context.cwds) {
    const found = place(target.text, cwd, context.resolve);
    if ('inside' in found) cwds.add(found.inside);
  }
  return { ...context, cwds: [...cwds] };
}
