import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support/bundles';
import { readYaml } from './support/compositeAction';

// Every YAML file of the repository (the action, its example workflows, any workflow) through the
// real validator, @action-validator/cli. Its CLI takes exactly one file (more prints the usage and
// exits 1), picks the schema from the name (a file ending in action.yml is an action, anything
// else a workflow) and checks no expression syntax: the tests below pin each of those, so a
// validator that stopped checking could not pass them.

const validatorBin = join(repoRoot, 'node_modules', '.bin', 'action-validator');

function validate(path: string): { code: number | null; output: string } {
  const result = spawnSync(validatorBin, [path], { encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return ['node_modules', 'dist', '.git', 'test-artifacts', '.vscode-test', 'fixtures'].includes(entry.name) ? [] : yamlFiles(join(dir, entry.name));
    return /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : [];
  });
}

/** What each YAML file is: the validator's schema follows the name, so the name must say it. */
function kindOf(path: string): 'action' | 'workflow' {
  const name = relative(repoRoot, path);
  if (name === 'action.yml' || name.endsWith('/action.yml')) return 'action';
  if (name.startsWith('.github/workflows/') || name.startsWith('docs/github-actions/')) return 'workflow';
  return assert.fail(`${name}: a YAML file the validation does not know; put workflows in .github/workflows or docs/github-actions.`);
}

const allYaml = yamlFiles(repoRoot);

test('YAML: the action and the example workflows exist and every YAML file passes action-validator', () => {
  const names = allYaml.map((path) => relative(repoRoot, path)).sort();
  for (const expected of ['action.yml', 'docs/github-actions/plumbline-batch.yml', 'docs/github-actions/plumbline-issue.yml', 'docs/github-actions/plumbline-resume.yml']) {
    assert.ok(names.includes(expected), `${expected} is missing`);
  }
  for (const path of allYaml) {
    kindOf(path);
    const result = validate(path);
    assert.equal(result.code, 0, `${relative(repoRoot, path)} fails validation:\n${result.output}`);
    assert.equal(result.output.trim().replace(/^WARNING: Glob validation is not yet supported\..*$/gm, '').trim(), '', `${relative(repoRoot, path)}: the validator said something`);
  }
});

test('YAML: the validator fails an invalid workflow and an invalid action (exit 1, the error named), so a pass above means something', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-yaml-'));
  try {
    const cases: { name: string; text: string; error: RegExp }[] = [
      // A misspelt permission scope: the kind of mistake that silently grants nothing.
      { name: 'bad-permission.yml', text: 'on: issues\npermissions:\n  pull-request: write\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n', error: /pull-request/ },
      { name: 'no-runs-on.yml', text: 'on: push\njobs:\n  a:\n    steps:\n      - run: echo hi\n', error: /runs-on/ },
      { name: 'not-yaml.yml', text: 'on: push\njobs: [\n', error: /Parse Error/ },
      { name: 'unknown-event.yml', text: 'on: issue\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n', error: /\/on/ },
      // A composite step without a shell: valid YAML, invalid action.
      { name: 'action.yml', text: 'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n', error: /"actionType": "action"/ },
    ];
    for (const { name, text, error } of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const result = validate(path);
      assert.equal(result.code, 1, `${name} passed validation:\n${result.output}`);
      assert.match(result.output, error, name);
    }
    // One file per call: given two, the CLI prints its usage and validates nothing (so the test above calls it per file).
    const two = spawnSync(validatorBin, [join(dir, 'no-runs-on.yml'), join(dir, 'action.yml')], { encoding: 'utf8' });
    assert.equal(two.status, 1);
    assert.match(`${two.stdout}${two.stderr}`, /Usage: action-validator/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('YAML: the workflows shown in the README and docs/github-actions.md pass action-validator too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-yaml-docs-'));
  try {
    let count = 0;
    for (const doc of ['README.md', 'docs/github-actions.md']) {
      const blocks = [...readFileSync(join(repoRoot, doc), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
      for (const [index, block] of blocks.entries()) {
        if (!/^jobs:/m.test(block)) continue;
        const path = join(dir, `${doc.replace(/\W/g, '-')}-${index}.yml`);
        writeFileSync(path, block);
        const result = validate(path);
        assert.equal(result.code, 0, `${doc}'s workflow #${index + 1} fails validation:\n${result.output}`);
        for (const step of stepsOf(readYaml(path))) assert.doesNotMatch(step.run ?? '', /\$\{\{/, `${doc}: an expression inside run:`);
        count += 1;
      }
    }
    assert.ok(count >= 1, 'the README shows no workflow');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface WorkflowStep {
  run?: string;
  uses?: string;
}

function stepsOf(document: unknown): WorkflowStep[] {
  if (document === null || typeof document !== 'object') return [];
  const value = document as { runs?: { steps?: WorkflowStep[] }; jobs?: Record<string, { steps?: WorkflowStep[] }> };
  return [...(value.runs?.steps ?? []), ...Object.values(value.jobs ?? {}).flatMap((job) => job.steps ?? [])];
}

test('YAML: no ${{ }} inside a run: script anywhere (untrusted text reaches scripts only through env), and every workflow sets its permissions', () => {
  for (const path of allYaml) {
    const document = readYaml(path);
    for (const step of stepsOf(document)) {
      if (step.run !== undefined) assert.doesNotMatch(step.run, /\$\{\{/, `${relative(repoRoot, path)}: an expression inside run: (pass it through env:)\n${step.run}`);
    }
    if (kindOf(path) === 'workflow') {
      const permissions = (document as { permissions?: unknown }).permissions;
      assert.ok(permissions !== undefined && typeof permissions === 'object', `${relative(repoRoot, path)}: no top-level permissions (the token would get the repository's defaults)`);
    }
  }
  // The check itself: a run: with an expression is caught.
  assert.ok(stepsOf({ jobs: { a: { steps: [{ run: 'echo "${{ github.event.issue.title }}"' }] } } }).some((step) => /\$\{\{/.test(step.run ?? '')));
});
