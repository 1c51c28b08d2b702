/**
 * GitHub's CLI replaced at the network boundary: a `gh` on PATH that records each call (its
 * arguments, the body file's text as it was when called, and which credentials its environment
 * held) and answers `pr list`, `pr create` and `pr edit` as GitHub would, without a network.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

const ghCallSchema = z.object({
  args: z.array(z.string()),
  body: z.string().nullable(),
  ghToken: z.string().nullable(),
  ghRepo: z.string().nullable(),
  /** Names of variables in gh's environment that look like model keys (there should be none). */
  keyVariables: z.array(z.string()),
});
export type GhCall = z.infer<typeof ghCallSchema>;

export interface FakeGh {
  /** Put first on PATH. */
  readonly binDir: string;
  calls(): GhCall[];
}

const script = String.raw`#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const bodyAt = args.indexOf('--body-file');
const call = {
  args,
  body: bodyAt >= 0 ? fs.readFileSync(args[bodyAt + 1], 'utf8') : null,
  ghToken: process.env.GH_TOKEN ?? null,
  ghRepo: process.env.GH_REPO ?? null,
  keyVariables: Object.keys(process.env).filter((name) => /API_KEY$/.test(name)),
};
fs.appendFileSync(process.env.FAKE_GH_LOG, JSON.stringify(call) + '\n');
const repo = process.env.GH_REPO || 'octo-org/octo-repo';
const existing = fs.existsSync(process.env.FAKE_GH_OPEN) ? fs.readFileSync(process.env.FAKE_GH_OPEN, 'utf8').trim() : '';
if (args[0] === 'pr' && args[1] === 'list') {
  process.stdout.write(existing + '\n');
} else if (args[0] === 'pr' && args[1] === 'create') {
  if (process.env.FAKE_GH_FAIL_CREATE) { process.stderr.write('could not add label: missing\n'); process.exit(1); }
  const url = 'https://github.com/' + repo + '/pull/7';
  fs.writeFileSync(process.env.FAKE_GH_OPEN, url);
  process.stdout.write('\nCreating pull request for ' + args[args.indexOf('--head') + 1] + ' into ' + args[args.indexOf('--base') + 1] + '\n\n' + url + '\n');
} else if (args[0] === 'pr' && args[1] === 'edit') {
  process.stdout.write(args[2] + '\n');
} else {
  process.stderr.write('fake gh: unexpected call ' + args.join(' ') + '\n');
  process.exit(1);
}
`;

/**
 * Writes the fake `gh` into `root/bin`. `openPullRequest` makes `gh pr list` report one already
 * open for the branch (an earlier run's). The returned env entries point gh at its log.
 */
export function installFakeGh(root: string, options: { openPullRequest?: string } = {}): FakeGh & { env: Record<string, string> } {
  const binDir = join(root, 'bin');
  mkdirSync(binDir, { recursive: true });
  const gh = join(binDir, 'gh');
  writeFileSync(gh, script);
  chmodSync(gh, 0o755);
  const log = join(root, 'gh-calls.jsonl');
  const open = join(root, 'gh-open-pr');
  if (options.openPullRequest !== undefined) writeFileSync(open, options.openPullRequest);
  return {
    binDir,
    env: { FAKE_GH_LOG: log, FAKE_GH_OPEN: open },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => ghCallSchema.parse(JSON.parse(line)))
        : [],
  };
}
