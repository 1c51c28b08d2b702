/**
 * The verification copy's paths in a command's output, put back as the workspace paths they stand
 * for: a failure must name `/home/ada/project/src/a.js`, never `/tmp/plumbline-verify/…/src/a.js`,
 * in what the model reads (fix-loop feedback, run_command results), the plan, events, the Problems
 * panel and what the user reads. Built per run from the layout of the copy that run used (a run
 * may have several copies at once), and applied once, where the output is captured.
 */

/** Where one run's copy was, and what it stands for. */
export interface CopyPathMap {
  /** The copy of the workspace root, in every spelling the run may print (as made, resolved). */
  readonly copy: readonly string[];
  /** The workspace root the copy stands for. */
  readonly workspace: string;
  /** The folder holding the copy: a worktree copy of a sub-folder holds the repository's other files too. */
  readonly scratch?: string;
  /** What the scratch folder stands for: the repository's top (default: the workspace). */
  readonly scratchFor?: string;
  /** Where the sandbox shows the scratch folder, when elsewhere (bubblewrap's one path for every copy). */
  readonly seenScratch?: string;
}

interface Replacement {
  readonly pattern: RegExp;
  readonly to: string;
}

/** What every copy's folder is named (isolationPaths.ts). */
const COPY_FOLDER_NAME = /plumbline-verify-\d+-[A-Za-z0-9]+/g;
/** A run of characters a path may be printed with: the parent of a copy folder is what precedes its name in one. */
const PATH_LIKE = /[^\s'"`()<>[\]{},;|=]+/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const isWindowsPath = (path: string): boolean => /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');

/** `file:` URL of a path, posix or Windows, with each segment percent-encoded as Node's pathToFileURL does. */
export function fileUrlOf(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const segments = (slashed.startsWith('/') ? slashed : `/${slashed}`).split('/');
  return `file://${segments.map((segment, index) => (index === 1 && /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment))).join('/')}`;
}

/** The spellings a path takes in output: as given, macOS's `/private` twin, Windows' other slashes and JSON escaping. */
function spellings(path: string): string[] {
  const forms = new Set([path]);
  if (/^\/private\/(?:var|tmp|etc)\//.test(path)) forms.add(path.slice('/private'.length));
  else if (/^\/(?:var|tmp|etc)\//.test(path)) forms.add(`/private${path}`);
  return [...forms];
}

/**
 * The replacements for one folder: its `file:` URLs first (so the URL stays a URL), then its plain
 * spellings, climbing relative forms (`../../tmp/…`) included. Windows spellings match in any case.
 */
function replacementsFor(from: string, to: string): Replacement[] {
  const out: Replacement[] = [];
  for (const form of spellings(from.replace(/[\\/]+$/, ''))) {
    if (form === '' || form === '/') continue;
    const windows = isWindowsPath(form);
    const flags = windows ? 'gi' : 'g';
    const url = fileUrlOf(form);
    out.push({ pattern: new RegExp(escapeRegExp(url), flags), to: fileUrlOf(to) });
    if (url !== `file://${form}`) out.push({ pattern: new RegExp(escapeRegExp(`file://${form}`), flags), to: fileUrlOf(to) });
    if (windows) {
      const forward = form.replace(/\\/g, '/');
      out.push({ pattern: new RegExp(escapeRegExp(form.replace(/\\/g, '\\\\')), flags), to: to.replace(/\\/g, '\\\\') });
      out.push({ pattern: new RegExp(escapeRegExp(forward), flags), to: to.replace(/\\/g, '/') });
      out.push({ pattern: new RegExp(escapeRegExp(form), flags), to });
    } else {
      out.push({ pattern: new RegExp(`(?:\\.\\./)+${escapeRegExp(form.slice(1))}(?=[/'":\\s)]|$)`, 'gm'), to });
      out.push({ pattern: new RegExp(escapeRegExp(form), flags), to });
    }
  }
  return out;
}

/**
 * The function that maps one run's output: each spelling of the copy's root becomes the workspace
 * root, then anything else in the scratch folder becomes the repository's, and last any path that
 * still names a copy folder of ours (a spelling no rule foresaw, a short Windows name) becomes the
 * workspace root. Longer folders are replaced first, so the copy wins over its scratch folder.
 */
export function copyPathMapper(map: CopyPathMap): (text: string) => string {
  const scratches = [map.scratch, map.seenScratch].filter((folder): folder is string => folder !== undefined);
  const pairs = [...map.copy.map((from) => ({ from, to: map.workspace })), ...scratches.map((from) => ({ from, to: map.scratchFor ?? map.workspace }))];
  const ordered = pairs.filter((pair) => pair.from !== '').sort((a, b) => b.from.length - a.from.length);
  const replacements = ordered.flatMap((pair) => replacementsFor(pair.from, pair.to));
  return (text: string): string => {
    let mapped = text;
    for (const { pattern, to } of replacements) mapped = mapped.replace(pattern, () => to);
    return withoutCopyPaths(mapped, map.workspace);
  };
}

/**
 * Any copy folder of ours still named in a text, whatever spelling of its parent precedes it, as
 * the workspace root: the net after the exact forms, and the whole mapping for a text no copy
 * produced (an error message about a copy that could not be made or reset).
 */
export function withoutCopyPaths(text: string, workspace: string): string {
  // Found by its name first, then widened to the path before it: one pattern that scans for the
  // parent lazily takes quadratic time on a long run of path characters with no copy in it (a test
  // printing 300 kB of one character hung the server), and output is the model's to shape.
  if (!text.includes('plumbline-verify-')) return text;
  return text.replace(PATH_LIKE, (run) => {
    if (!run.includes('plumbline-verify-')) return run;
    let mapped = '';
    let from = 0;
    for (const found of run.matchAll(COPY_FOLDER_NAME)) {
      const end = found.index + found[0].length;
      mapped += run.slice(from, end).startsWith('file://') ? fileUrlOf(workspace) : workspace;
      from = end;
    }
    return mapped + run.slice(from);
  });
}
