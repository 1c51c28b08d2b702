// The action's publish step: pushes the run's branch (only verified commits are on it) and opens
// a pull request with the run's report as its body, or updates the one already open for that
// branch. git and gh get their arguments as arrays; the token reaches git through the push's own
// environment, never a file or a command line.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendSummary, booleanInput, choiceInput, fail, git, input, listInput, mask, readEvent, run, setOutput } from './lib.mjs';

/** GitHub refuses a pull request body over 65,536 characters; leave room for the footer. */
const maxBodyCharacters = 60000;
const publishable = ['verified', 'partial'];

function skip(reason) {
  process.stdout.write(`${reason}\n`);
  appendSummary(`\n**Plumbline:** ${reason}\n`);
  setOutput('pr-url', '');
  setOutput('pushed', 'false');
}

function checkBranch(branch, base) {
  try {
    git(['check-ref-format', '--branch', branch]);
  } catch {
    fail(`"${branch}" is not a valid branch name; set the action's "branch" input to one.`);
  }
  const current = (() => {
    try {
      return git(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    } catch {
      return ''; // a detached checkout (a tag, a pull request's merge commit)
    }
  })();
  if (branch === base || branch === current) {
    fail(`The run's branch "${branch}" is the ${branch === base ? 'pull request\'s base' : 'checked-out branch'}; Plumbline pushes only to a branch of its own. Set "branch" to another name (default: plumbline/<run-id>).`);
  }
  try {
    git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
  } catch {
    fail(`The run reported branch "${branch}" but it does not exist in this checkout; nothing to push.`);
  }
}

/**
 * git's environment for the push. With a token, and no credentials already configured for the
 * server (actions/checkout's persist-credentials), the token goes in as an extra header through
 * GIT_CONFIG_* variables: it lives only in this process, never in .git/config.
 */
function pushEnvironment(remoteUrl) {
  const token = input('github-token');
  const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  if (token === '' || !remoteUrl.startsWith(`${server}/`)) return process.env;
  const headerKey = `http.${server}/.extraheader`;
  let configured = '';
  try {
    configured = git(['config', '--get-all', headerKey]);
  } catch {
    configured = '';
  }
  if (configured !== '') return process.env;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  mask(basic);
  return { ...process.env, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: headerKey, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` };
}

/** Pushes the branch; replaces an earlier run's branch of the same name only if nobody moved it since we looked. */
function push(remote, branch) {
  const remoteUrl = git(['remote', 'get-url', remote]);
  const env = pushEnvironment(remoteUrl);
  const listed = git(['ls-remote', '--heads', remote, `refs/heads/${branch}`], { env });
  const expected = listed.split(/\s+/)[0] ?? '';
  git(['push', `--force-with-lease=refs/heads/${branch}:${expected}`, remote, `refs/heads/${branch}:refs/heads/${branch}`], { env });
  process.stdout.write(`Pushed ${branch} to ${remote}${expected !== '' ? ' (replacing an earlier run of the same branch)' : ''}.\n`);
}

function issueOf(event) {
  const issue = event?.issue;
  if (issue === undefined || issue === null || typeof issue.number !== 'number') return undefined;
  return { number: issue.number, title: typeof issue.title === 'string' ? issue.title : '' };
}

function pullRequestTitle(event, branch) {
  const given = input('title');
  if (given !== '') return given;
  const task = (process.env.PLUMBLINE_INPUT_TASK ?? '').trim().split(/\r?\n/)[0] ?? '';
  const issue = issueOf(event);
  const subject = issue !== undefined && issue.title.trim() !== '' ? issue.title.trim() : task !== '' ? task : branch;
  const title = `Plumbline: ${subject.replace(/\s+/g, ' ')}`;
  return title.length > 200 ? `${title.slice(0, 199)}…` : title;
}

function pullRequestBody(reportPath, event, verdict) {
  let report = reportPath !== '' && existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
  if (report.trim() === '') report = `Plumbline's run ended **${verdict}**; it wrote no report.`;
  if (report.length > maxBodyCharacters) {
    report = `${report.slice(0, maxBodyCharacters)}\n\n… the report is longer than a pull request body may be; the whole of it is in the run's artifact (plumbline-artifacts).`;
  }
  const issue = issueOf(event);
  const runUrl = process.env.GITHUB_RUN_ID ? `${process.env.GITHUB_SERVER_URL || 'https://github.com'}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID}` : '';
  const footer = [
    issue !== undefined ? `Requested in #${issue.number}.` : '',
    runUrl !== '' ? `[The workflow run](${runUrl}) has the log and the run's artifacts.` : '',
  ].filter((line) => line !== '');
  return footer.length > 0 ? `${report.trimEnd()}\n\n---\n${footer.join(' ')}\n` : report;
}

/** Opens a pull request for the branch, or updates the open one; returns its URL. */
function openOrUpdate({ branch, base, title, bodyFile, draft, labels }) {
  const existing = run('gh', ['pr', 'list', '--head', branch, '--state', 'open', '--json', 'url', '--jq', '.[0].url // ""']).trim();
  if (existing !== '') {
    run('gh', ['pr', 'edit', existing, '--title', title, '--body-file', bodyFile, ...labels.flatMap((label) => ['--add-label', label])]);
    process.stdout.write(`Updated ${existing}\n`);
    return { url: existing, action: 'updated' };
  }
  const created = run('gh', ['pr', 'create', '--head', branch, '--base', base, '--title', title, '--body-file', bodyFile,
    ...(draft ? ['--draft'] : []), ...labels.flatMap((label) => ['--label', label])]);
  const url = created.match(/https?:\/\/\S+\/pull\/\d+/)?.[0];
  if (url === undefined) fail(`gh pr create printed no pull request URL: ${created.trim()}`);
  process.stdout.write(`Opened ${url}\n`);
  return { url, action: 'created' };
}

function baseBranch(event) {
  const given = input('base');
  if (given !== '') return given;
  const fromEvent = event?.repository?.default_branch;
  if (typeof fromEvent === 'string' && fromEvent !== '') return fromEvent;
  return process.env.GITHUB_REF_NAME || 'main';
}

function main() {
  const verdict = input('verdict');
  const branch = input('branch');
  const commits = Number(input('commits') || '0');
  if (verdict === '') fail('The run wrote no verdict: the CLI stopped before it finished (see the run step\'s log and the artifacts).');
  if (!publishable.includes(verdict) || commits === 0) {
    skip(`Nothing to push: the run's verdict is ${verdict} with ${commits} verified commit(s).`);
    return;
  }
  if (!booleanInput('push', true)) {
    skip(`The run's branch ${branch} (${commits} verified commit(s), ${verdict}) was left unpushed: the input "push" is false.`);
    return;
  }
  const event = readEvent();
  const base = baseBranch(event);
  checkBranch(branch, base);
  push(input('remote') || 'origin', branch);
  setOutput('pushed', 'true');
  if (!booleanInput('pull-request', true)) {
    setOutput('pr-url', '');
    appendSummary(`\n**Plumbline:** pushed \`${branch}\` (${verdict}); no pull request (the input "pull-request" is false).\n`);
    return;
  }
  const draftMode = choiceInput('draft', ['auto', 'true', 'false'], 'auto');
  const bodyFile = join(process.env.RUNNER_TEMP || process.env.TMPDIR || '/tmp', 'plumbline-pull-request-body.md');
  writeFileSync(bodyFile, pullRequestBody(input('report'), event, verdict));
  let result;
  try {
    result = openOrUpdate({
      branch,
      base,
      title: pullRequestTitle(event, branch),
      bodyFile,
      draft: draftMode === 'true' || (draftMode === 'auto' && verdict !== 'verified'),
      labels: listInput('labels'),
    });
  } catch (error) {
    fail(`The branch ${branch} was pushed, but the pull request could not be opened or updated: ${error instanceof Error ? error.message : String(error)}. Check that the job has "pull-requests: write" and that the labels exist.`);
  }
  setOutput('pr-url', result.url);
  setOutput('pr-action', result.action);
  appendSummary(`\n**Plumbline:** ${result.action} ${result.url} from \`${branch}\` (${verdict}, ${commits} verified commit(s)).\n`);
}

main();
