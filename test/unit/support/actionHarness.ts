/**
 * The simulated GitHub job around the composite action: a runner's checkout (a clone of a bare
 * repository standing in for GitHub's, as `origin`), the fake `gh`, and the job's environment.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './bundles';
import { runCompositeAction, type ActionRun } from './compositeAction';
import { installFakeGh, type FakeGh } from './fakeGh';

export const jobToken = 'ghs_job-token-0123456789abcdef';

export interface ActionJob {
  readonly root: string;
  /** The runner's checkout (GITHUB_WORKSPACE), a clone of `remote`. */
  readonly workspace: string;
  /** The bare repository standing in for GitHub's. */
  readonly remote: string;
  readonly gh: FakeGh;
  /** git in the checkout (or, with `remote: true`, in the bare repository); throws on failure. */
  git(args: readonly string[], options?: { remote?: boolean }): string;
  run(options: { inputs: Record<string, string>; eventName: string; event: Record<string, unknown>; env?: Record<string, string> }): Promise<ActionRun>;
  remove(): void;
}

function gitIn(cwd: string, args: readonly string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=Plumbline Test', '-c', 'user.email=test@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A job whose checkout holds `fixture` (a folder of test/fixtures/repos) on main, pushed to the bare remote. */
export function createActionJob(fixture = 'greeter', options: { openPullRequest?: string } = {}): ActionJob {
  const root = mkdtempSync(join(tmpdir(), 'plumbline-action-'));
  const remote = join(root, 'remote.git');
  const seed = join(root, 'seed');
  const workspace = join(root, 'work', 'repo');
  mkdirSync(join(root, 'work'));
  gitIn(root, ['init', '-q', '--bare', '-b', 'main', remote]);
  cpSync(join(repoRoot, 'test', 'fixtures', 'repos', fixture), seed, { recursive: true });
  gitIn(seed, ['init', '-q', '-b', 'main']);
  gitIn(seed, ['add', '-A']);
  gitIn(seed, ['commit', '-q', '-m', 'fixture']);
  gitIn(seed, ['push', '-q', remote, 'main']);
  // What actions/checkout leaves: a clone on the branch, origin pointing at the repository.
  gitIn(join(root, 'work'), ['clone', '-q', remote, workspace]);
  const gh = installFakeGh(join(root, 'gh'), options);
  return {
    root,
    workspace,
    remote,
    gh,
    git: (args, gitOptions = {}) => gitIn(gitOptions.remote === true ? remote : workspace, args),
    run: ({ inputs, eventName, event, env = {} }) =>
      runCompositeAction({
        actionPath: repoRoot,
        workspace,
        eventName,
        event,
        token: jobToken,
        skipUses: ['actions/setup-node@v4'],
        inputs: { 'setup-node': 'false', ...inputs },
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI|ANTHROPIC)_|^GITHUB_|^RUNNER_|^GH_/.test(name))),
          ...gh.env,
          PATH: `${gh.binDir}:${process.env.PATH ?? ''}`,
          ...env,
        },
      }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** An `issues` event (labeled), as GitHub sends it, trimmed to what Plumbline reads. */
export function issueEvent(title: string, body: string, number = 12): Record<string, unknown> {
  return {
    action: 'labeled',
    label: { name: 'plumbline' },
    issue: { number, title, body, user: { login: 'octocat' }, author_association: 'OWNER' },
    repository: { full_name: 'octo-org/octo-repo', default_branch: 'main' },
    sender: { login: 'octocat' },
  };
}

/** An `issue_comment` event for a comment by `login` with `association`. */
export function commentEvent(comment: string, association: string, login = 'drive-by'): Record<string, unknown> {
  return {
    action: 'created',
    issue: { number: 12, title: 'Make the greeting warmer', body: 'The greeting is cold.', user: { login: 'octocat' } },
    comment: { body: comment, user: { login }, author_association: association },
    repository: { full_name: 'octo-org/octo-repo', default_branch: 'main' },
    sender: { login },
  };
}
