/**
 * Set-up for the CI mode's end-to-end tests: a fixture repository cloned from a bare remote (as a
 * runner's checkout is), a simulated GitHub Actions environment (the event payload, GITHUB_OUTPUT
 * and GITHUB_STEP_SUMMARY files), and what proves the checkout was left alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeModelServer } from '../../fake-model/index';
import { makeVerifiedRepo, nodeTestCommand } from './verifyHarness';
import { fakeProviderEnv } from './scenarioHarness';

export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=Plumbline Test', '-c', 'user.email=test@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

export interface CiWorld {
  /** The folder holding everything below; removed by `remove`. */
  readonly parent: string;
  /** The bare remote the checkouts were cloned from (what `git push` would reach). */
  readonly remote: string;
  /** The checkout the run works in. */
  readonly root: string;
  readonly github: { readonly eventPath: string; readonly output: string; readonly summary: string };
  /** Another checkout of the same remote (a second machine). */
  clone(name: string): string;
  /** The environment a GitHub runner gives the step, with the fake model as the provider. */
  env(server: FakeModelServer, event?: { readonly name: string; readonly payload: unknown }): NodeJS.ProcessEnv;
  remove(): void;
}

/** A fixture repository pushed to a bare remote and cloned back, with the GitHub files beside it. */
export function makeCiWorld(fixture = 'calc'): CiWorld {
  const seed = makeVerifiedRepo(fixture);
  const parent = mkdtempSync(join(tmpdir(), 'plumbline-ci-'));
  const remote = join(parent, 'remote.git');
  git(parent, 'init', '-q', '--bare', remote);
  git(seed.root, 'push', '-q', remote, 'HEAD:refs/heads/main');
  git(remote, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  seed.remove();
  const clone = (name: string): string => {
    git(parent, 'clone', '-q', remote, name);
    return join(parent, name);
  };
  const root = clone('checkout');
  const github = { eventPath: join(parent, 'event.json'), output: join(parent, 'github-output'), summary: join(parent, 'step-summary.md') };
  writeFileSync(github.output, '');
  writeFileSync(github.summary, '');
  return {
    parent,
    remote,
    root,
    github,
    clone,
    env(server, event) {
      if (event !== undefined) writeFileSync(github.eventPath, typeof event.payload === 'string' ? event.payload : JSON.stringify(event.payload));
      return {
        ...fakeProviderEnv(server),
        GITHUB_ACTIONS: 'true',
        GITHUB_OUTPUT: github.output,
        GITHUB_STEP_SUMMARY: github.summary,
        ...(event !== undefined ? { GITHUB_EVENT_PATH: github.eventPath, GITHUB_EVENT_NAME: event.name } : {}),
      };
    },
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** The flags every CI test run passes: the fixture suite's command, and no sandbox question (the test machine has one). */
export const ciTestFlags = ['--test-cmd', nodeTestCommand] as const;

/**
 * What must not change in a checkout during a CI run: HEAD (and which branch it is on), the index's
 * entries, `git status`, and every tracked file's bytes.
 */
export function checkoutState(root: string): { head: string; branch: string; index: string; status: string; files: Map<string, Buffer> } {
  const tracked = git(root, 'ls-files', '-z').split('\0').filter((path) => path !== '');
  return {
    head: git(root, 'rev-parse', 'HEAD').trim(),
    branch: git(root, 'symbolic-ref', 'HEAD').trim(),
    index: git(root, 'ls-files', '-s'),
    status: git(root, 'status', '--porcelain', '--untracked-files=all'),
    files: new Map(tracked.map((path) => [path, readFileSync(join(root, path))])),
  };
}

/** The outputs a step wrote to GITHUB_OUTPUT (`name<<DELIMITER` … `DELIMITER` entries), by name. */
export function readGithubOutputs(path: string): Record<string, string> {
  const text = readFileSync(path, 'utf8');
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = /^([A-Za-z_][A-Za-z0-9_-]*)<<(.+)$/.exec(lines[index] ?? '');
    if (match === null) continue;
    const [, name = '', delimiter] = match;
    const value: string[] = [];
    for (index++; index < lines.length && lines[index] !== delimiter; index++) value.push(lines[index] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}

/** A commit's trailers, as git itself parses them (`%(trailers)`), key → values. */
export function trailersOf(root: string, commit: string): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const line of git(root, 'log', '-1', '--format=%(trailers:unfold,only)', commit).split('\n')) {
    const at = line.indexOf(': ');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    parsed.set(key, [...(parsed.get(key) ?? []), line.slice(at + 2)]);
  }
  return parsed;
}
