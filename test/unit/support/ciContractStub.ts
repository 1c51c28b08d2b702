/**
 * A stand-in for `plumbline run --ci` that keeps the CLI's side of the contract of issue #20 (the
 * branch made with git plumbing from HEAD, one commit per verified step, GITHUB_OUTPUT's branch,
 * run-id, verdict, commits and report, the report appended to the step summary, exit 0 for
 * verified/empty and 1 for partial/failed) and records how it was called. The action's edge cases
 * (a failed run, a partial one, an open pull request, a refused commenter) are tested with it in
 * seconds; test/integration/action.endToEnd.test.ts runs the real CLI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

export const stubVerdicts = ['verified', 'partial', 'failed', 'empty'] as const;

export const stubRecordSchema = z.object({ argv: z.array(z.string()), env: z.record(z.string(), z.string()), cwd: z.string(), task: z.string().nullable() });
export type StubRecord = z.infer<typeof stubRecordSchema>;

const source = String.raw`
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
if (argv[0] === '--version') { console.log('0.0.0-stub'); process.exit(0); }
const flag = (name) => { const at = argv.indexOf(name); return at >= 0 ? argv[at + 1] : undefined; };
const cwd = flag('--cwd') || process.cwd();
const taskFile = flag('--task-file');
fs.writeFileSync(process.env.STUB_RECORD, JSON.stringify({ argv, env: process.env, cwd: process.cwd(), task: taskFile ? fs.readFileSync(path.resolve(cwd, taskFile), 'utf8') : null }));
const verdict = process.env.STUB_VERDICT || 'verified';
const steps = { verified: 2, partial: 1, failed: 0, empty: 0 }[verdict];
const runId = 'r-stub-1';
const branch = flag('--commit-branch') || 'plumbline/' + runId;
const git = (args, options = {}) => execFileSync('git', args, { cwd, encoding: 'utf8', ...options }).trim();
let parent = git(['rev-parse', 'HEAD']);
for (let step = 1; step <= steps; step += 1) {
  const index = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'stub-index-')), 'index');
  const env = { ...process.env, GIT_INDEX_FILE: index };
  git(['read-tree', parent], { env });
  const blob = git(['hash-object', '-w', '--stdin'], { input: 'step ' + step + '\n' });
  git(['update-index', '--add', '--cacheinfo', '100644,' + blob + ',step-' + step + '.txt'], { env });
  const tree = git(['write-tree'], { env });
  parent = git(['commit-tree', tree, '-p', parent, '-m', 'Step ' + step + '\n\nPlumbline-Run: ' + runId + '\nPlumbline-Verdict: verified']);
}
if (steps > 0) git(['update-ref', 'refs/heads/' + branch, parent]);
const report = flag('--report');
const text = '## Plan\n\n' + steps + ' verified step(s); verdict ' + verdict + '.\n';
if (report) fs.writeFileSync(report, text);
const artifacts = flag('--artifacts');
if (artifacts) fs.writeFileSync(path.join(artifacts, 'run.json'), JSON.stringify({ runId, verdict }));
if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, 'branch=' + (steps > 0 ? branch : '') + '\nrun-id=' + runId + '\nverdict=' + verdict + '\ncommits=' + steps + '\nreport=' + (report || '') + '\n');
if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, text);
console.log('stub run ' + runId + ': ' + verdict);
process.exit(process.env.STUB_EXIT ? Number(process.env.STUB_EXIT) : verdict === 'verified' || verdict === 'empty' ? 0 : 1);
`;

/** Writes the stub into `dir`; the action runs it as `plumbline-path`. */
export function writeCiContractStub(dir: string): string {
  const path = join(dir, 'plumbline-stub.js');
  writeFileSync(path, source);
  return path;
}
