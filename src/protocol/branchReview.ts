import * as z from 'zod';
import { approveModeSchema } from './run';

/**
 * Reviewing a run's branch: a `plumbline/*` branch that `plumbline run --ci` committed (one commit
 * per verified step, trailers `Plumbline-Run`, `Plumbline-Step`, `Plumbline-Verdict`,
 * `Plumbline-Tests`), listed and then offered as a review over the user's current files.
 *
 * Everything about a branch came from a CI run a model drove: its name and its commit messages are
 * untrusted. Names are checked here, on every side, before git ever sees them; messages are data.
 */

const maxBranchNameLength = 200;
/** A remote's name or one part of a branch name: no leading `-` (an option) or `.`, no `..`, none of git's specials. */
const component = '[A-Za-z0-9_][A-Za-z0-9._-]*';
const branchNamePattern = new RegExp(`^(?:refs/heads/|refs/remotes/${component}/|${component}/)?plumbline/${component}(?:/${component})*$`);

/** Why `name` is not a branch name this review accepts, or undefined when it is. */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the branch name is empty';
  if (name.length > maxBranchNameLength) return `the branch name is longer than ${maxBranchNameLength} characters`;
  if (!branchNamePattern.test(name)) return 'only plumbline/* branches (local, or a remote\'s such as origin/plumbline/…) whose parts are letters, digits, ".", "_" and "-" (not first) can be reviewed';
  if (name.includes('..')) return 'a branch name may not contain ".."';
  if (/(?:\.lock|\.)(?:\/|$)/.test(name)) return 'a part of a branch name may not end with "." or ".lock"';
  return undefined;
}

/** A `plumbline/*` branch name as given by a person or a client: checked before git sees it. */
export const branchNameSchema = z.string().superRefine((name, ctx) => {
  const problem = branchNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** `verified`: every commit says the run verified it; `unverified`: some do not (not made by `run --ci`, or edited since). */
export const branchVerdictSchema = z.enum(['verified', 'unverified']);
export type BranchVerdict = z.infer<typeof branchVerdictSchema>;

/** One commit of a run's branch, as its message tells it (untrusted text, shown as text). */
export const branchStepSchema = z.object({
  /** The `Plumbline-Step` trailer when it is a valid step id, else `c<n>` by position. */
  stepId: z.string(),
  /** The commit's subject: the step's title. */
  title: z.string(),
  /** `Plumbline-Verdict`, when present (only `verified` counts as verified). */
  verdict: z.string().optional(),
  /** `Plumbline-Tests`: "<passed> passed, <failed> failed; <command>; <seconds> s". */
  tests: z.string().optional(),
  commit: z.string(),
});
export type BranchStep = z.infer<typeof branchStepSchema>;

/** A `plumbline/*` branch as `plumbline/branches/list` lists it. */
export const branchRunSchema = z.object({
  /** What to pass back to review it: `plumbline/<id>` or `<remote>/plumbline/<id>`. */
  name: z.string(),
  /** Whether it is one of the user's branches or a remote-tracking one (fetched). */
  remote: z.string().optional(),
  tip: z.string(),
  /** The `Plumbline-Run` trailer the commits agree on; absent when none (or they disagree). */
  runId: z.string().optional(),
  steps: z.array(branchStepSchema),
  verdict: branchVerdictSchema,
  /** When its last commit was made (ISO 8601). */
  committedAt: z.string(),
  /** Files the branch changes against the merge base with HEAD. */
  files: z.number().int().nonnegative(),
});
export type BranchRun = z.infer<typeof branchRunSchema>;

export const branchListResultSchema = z.object({
  branches: z.array(branchRunSchema),
  /** Branches under plumbline/ left out because their names are not safe to pass around. */
  unsafeNames: z.number().int().nonnegative(),
});
export type BranchListResult = z.infer<typeof branchListResultSchema>;

export const branchReviewParamsSchema = z.strictObject({
  branch: branchNameSchema,
  /** `never`: show the change and land nothing (a dry run); `auto`: land all but files that run code. Default: review it. */
  approve: approveModeSchema.default('end'),
});
export type BranchReviewParams = z.input<typeof branchReviewParamsSchema>;

/** "3 h ago": how old a branch's last commit is, as the lists (terminal, quick pick) say it. */
export function describeBranchAge(committedAt: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(committedAt).getTime()) / 1000);
  if (seconds < 90) return 'just now';
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}
