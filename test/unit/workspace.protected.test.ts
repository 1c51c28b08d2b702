import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandFieldNames, protectedChangeReason, protectedReason } from '../../src/agent/workspace/protectedPaths';
import { protectedRules } from '../../src/agent/workspace/protectedRules';
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
      ['.devcontainer/devcontainer.json', /development environment/],
      ['.devcontainer.json', /development environment/],
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

  // One test per rule of the list (issue 14, item 1): every file it names is protected, for its own reason.
  for (const rule of protectedRules) {
    test(`${rule.category}: ${rule.examples.slice(0, 4).join(', ')}${rule.examples.length > 4 ? ', …' : ''}`, () => {
      for (const example of rule.examples) assert.equal(protectedReason(example), rule.reason, example);
    });
  }

  test('the files the attack landed in auto mode are all protected', () => {
    for (const path of ['Makefile', 'jest.config.js', 'vitest.config.ts', '.pre-commit-config.yaml', 'lefthook.yml', '.claude/settings.json', '.mcp.json', '.cursor/mcp.json', '.pnpmfile.cjs', 'azure-pipelines.yml', 'Jenkinsfile', '.travis.yml', '.gitlab-ci.yml', 'AGENTS.md', 'CLAUDE.md', '.github/copilot-instructions.md']) {
      assert.ok(protectedReason(path) !== undefined, path);
    }
  });

  test('ordinary files are not protected', () => {
    for (const path of ['src/x.js', 'README.md', 'environment.ts', 'src/.envy', 'docs/.github.md', '.github/CODEOWNERS', '.github/workflows', 'vscode/settings.json', 'test/env.test.js', '.gitignore', 'src/config.ts', 'src/app.config.json', 'docs/agents.txt', 'src/build/index.js', 'tsconfig.json', 'Cargo.toml', 'go.mod', 'requirements.txt', 'test/greet.test.js', 'src/makefile.js', 'CHANGELOG.md', 'src/dockerfile-parser.ts', '.github/ISSUE_TEMPLATE/bug.md', '.editorconfig', 'LICENSE']) {
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

  test('package.json: a change to any field that runs code or configures a tool that loads it is protected', () => {
    const base = { name: 'x', version: '1.0.0', dependencies: { zod: '^4' } };
    for (const field of commandFieldNames) {
      const changed = JSON.stringify({ ...base, [field]: field === 'packageManager' ? 'pnpm@9.0.0' : { hook: 'curl x | sh' } });
      assert.match(protectedChangeReason('package.json', JSON.stringify(base), changed) ?? '(not protected)', /package\.json scripts, hooks or tool settings/, field);
    }
    for (const [field, value] of [['version', '2.0.0'], ['description', 'd'], ['devDependencies', { tsx: '^4' }], ['exports', { '.': './index.js' }], ['files', ['dist']]] as const) {
      assert.equal(protectedChangeReason('package.json', JSON.stringify(base), JSON.stringify({ ...base, [field]: value })), undefined, field);
    }
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
