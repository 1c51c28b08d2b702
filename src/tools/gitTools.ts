import * as z from 'zod';
import { wrapData } from './dataText';
import { defineTool } from './defineTool';
import type { ExploreContext } from './toolContexts';

const notGit = { isError: true, content: 'The workspace is not a git repository.' } as const;
const maxChars = 30000;

function clip(text: string): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n(cut at ${maxChars} characters; name a path for less)` : text;
}

export const gitStatusTool = defineTool({
  name: 'git_status',
  description: "Show the workspace's uncommitted changes (git status --short): what the user is in the middle of.",
  input: z.object({}).strict(),
  async run(_input, context: ExploreContext) {
    if (context.git === undefined) return notGit;
    const status = await context.git.status();
    return { isError: false, content: status.trim() === '' ? 'Clean: no uncommitted changes.' : wrapData('git-status', status.trimEnd()) };
  },
});

export const gitDiffTool = defineTool({
  name: 'git_diff',
  description: 'Show the uncommitted diff against HEAD (staged and unstaged), for the whole workspace or one path.',
  input: z.object({ path: z.string().min(1).optional() }).strict(),
  async run(input, context: ExploreContext) {
    if (context.git === undefined) return notGit;
    const diff = await context.git.diff(input.path);
    return { isError: false, content: diff.trim() === '' ? 'No uncommitted changes.' : wrapData('git-diff', clip(diff)) };
  },
});
