/**
 * Which files make something run code or obey instructions without anyone running them by hand:
 * the files a build, a test runner, a git hook, an editor, CI or a coding agent executes, loads
 * plugins from, or follows. The principle, per category:
 * - build and task runners: their recipes are commands (Makefile, justfile, Gradle, CMake, MSBuild…);
 * - test runners and developer tools: their configuration is code or loads plugins (`*.config.js`,
 *   rc files, `conftest.py`, `pyproject.toml`, `setup.py`);
 * - git and hook managers: hooks run on commit or push (husky, pre-commit, lefthook…);
 * - CI: pipelines run with the repository's secrets;
 * - editors and dev environments: tasks, run configurations and lifecycle commands run on open;
 * - coding agents and MCP: their rules and settings steer every later run and their MCP servers
 *   are programs (`AGENTS.md`, `.claude/`, `.mcp.json`, `.cursor/`, `.github/copilot-instructions.md`);
 * - package managers and toolchain pins: they choose registries, run install hooks, or download and
 *   run another toolchain (`.npmrc`, `.pnpmfile.cjs`, `.nvmrc`, `rust-toolchain.toml`);
 * - containers: their build steps are commands;
 * - the environment (`.env`, `.envrc`) and Plumbline's own state.
 * Each rule carries example paths: the tests check every example, and SECURITY.md lists them.
 * Segments are compared folded (lower case, Unicode look-alikes mapped: see `foldName`).
 */

export interface ProtectedRule {
  readonly category: string;
  readonly reason: string;
  readonly test: (segments: readonly string[]) => boolean;
  /** Paths this rule protects (as a user would spell them), for tests and documentation. */
  readonly examples: readonly string[];
}

const last = (segments: readonly string[]): string => segments[segments.length - 1] ?? '';
/** Whether some folder above the file is `folder`. */
const under = (segments: readonly string[], ...folders: string[]): boolean => segments.slice(0, -1).some((segment) => folders.includes(segment));
/** Whether `parent/child` appear as consecutive folders above the file. */
const underPair = (segments: readonly string[], parent: string, child: string): boolean =>
  segments.slice(0, -1).some((segment, index) => segment === parent && segments[index + 1] === child && index + 1 < segments.length - 1);
const named = (...names: string[]) => (segments: readonly string[]): boolean => names.includes(last(segments));
const matching = (pattern: RegExp) => (segments: readonly string[]): boolean => pattern.test(last(segments));
const either = (...tests: ((segments: readonly string[]) => boolean)[]) => (segments: readonly string[]): boolean => tests.some((test) => test(segments));

const code = '(?:c|m)?(?:j|t)sx?';

export const protectedRules: readonly ProtectedRule[] = [
  // git and hooks
  { category: 'git', reason: 'inside .git: git runs hooks and reads its config from here', test: (s) => under(s, '.git'), examples: ['.git/hooks/pre-commit', '.git/config'] },
  { category: 'git', reason: 'git configuration: filters and submodule URLs make git run commands', test: named('.gitattributes', '.gitmodules'), examples: ['.gitattributes', '.gitmodules'] },
  { category: 'hooks', reason: 'a git hook: it runs on commit or push', test: (s) => under(s, '.husky', '.githooks'), examples: ['.husky/pre-commit', '.githooks/pre-push'] },
  {
    category: 'hooks',
    reason: 'git hook manager configuration: the commands in it run on commit or push',
    test: either(
      named('.pre-commit-config.yaml', '.pre-commit-config.yml', '.pre-commit-hooks.yaml', '.overcommit.yml'),
      matching(/^\.?lefthook(-local)?\.(ya?ml|json|toml)$/),
      matching(new RegExp(`^\\.?simple-git-hooks\\.(json|${code})$`)),
      matching(new RegExp(`^(\\.lintstagedrc(\\.(json|ya?ml|${code}))?|lint-staged\\.config\\.${code})$`)),
      matching(new RegExp(`^(\\.commitlintrc(\\.(json|ya?ml|${code}))?|commitlint\\.config\\.${code})$`)),
    ),
    examples: ['.pre-commit-config.yaml', 'lefthook.yml', '.lefthook-local.yaml', '.simple-git-hooks.json', '.lintstagedrc', 'lint-staged.config.mjs', 'commitlint.config.js', '.overcommit.yml'],
  },

  // CI
  { category: 'ci', reason: 'a GitHub Actions workflow or action: CI runs it with the repository\'s secrets', test: (s) => underPair(s, '.github', 'workflows') || underPair(s, '.github', 'actions'), examples: ['.github/workflows/ci.yml', '.github/actions/setup/action.yml'] },
  {
    category: 'ci',
    reason: 'CI configuration: CI runs it with the repository\'s secrets',
    test: either(
      named('.gitlab-ci.yml', '.travis.yml', 'bitbucket-pipelines.yml', '.drone.yml', '.drone.jsonnet', 'appveyor.yml', '.appveyor.yml', '.woodpecker.yml', 'cloudbuild.yaml', 'cloudbuild.yml', '.cirrus.yml', 'codemagic.yaml', 'buildspec.yml', 'netlify.toml', 'vercel.json'),
      matching(/^azure-pipelines.*\.ya?ml$/),
      matching(/^jenkinsfile/),
      (s) => under(s, '.circleci', '.gitlab', '.buildkite', '.azure-pipelines', '.azuredevops', '.woodpecker', '.tekton'),
    ),
    examples: ['.gitlab-ci.yml', '.gitlab/ci/build.yml', '.circleci/config.yml', 'azure-pipelines.yml', 'azure-pipelines-release.yaml', '.azure-pipelines/deploy.yml', 'Jenkinsfile', 'ci/Jenkinsfile.release', '.travis.yml', 'bitbucket-pipelines.yml', '.drone.yml', '.buildkite/pipeline.yml', 'appveyor.yml', '.woodpecker.yml', 'cloudbuild.yaml', 'netlify.toml', 'vercel.json'],
  },

  // Editors and development environments
  { category: 'editor', reason: 'VS Code workspace configuration: settings, tasks, launch configurations and extension recommendations can run code', test: (s) => under(s, '.vscode'), examples: ['.vscode/settings.json', '.vscode/tasks.json', '.vscode/mcp.json', 'packages/app/.vscode/launch.json'] },
  { category: 'editor', reason: 'a VS Code workspace file: its settings, tasks and launch configurations can run code', test: (s) => last(s).endsWith('.code-workspace'), examples: ['project.code-workspace'] },
  {
    category: 'editor',
    reason: 'editor or IDE configuration: run configurations, tasks, file watchers or local scripts the editor runs',
    test: either((s) => under(s, '.idea', '.zed', '.fleet', '.theia', '.helix'), named('.exrc', '.nvimrc', '.nvim.lua', '.dir-locals.el', '.dir-locals-2.el', '.replit', 'replit.nix')),
    examples: ['.idea/workspace.xml', '.idea/runConfigurations/test.xml', '.zed/tasks.json', '.fleet/run.json', '.exrc', '.nvim.lua', '.dir-locals.el', '.replit'],
  },
  {
    category: 'editor',
    reason: 'a development environment definition: its lifecycle commands run when it is built or opened',
    test: either((s) => under(s, '.devcontainer', '.devbox'), named('.devcontainer.json', '.gitpod.yml', '.gitpod.dockerfile', 'devbox.json', 'flake.nix', 'shell.nix')),
    examples: ['.devcontainer/devcontainer.json', '.devcontainer.json', '.gitpod.yml', 'devbox.json', 'flake.nix', 'shell.nix'],
  },

  // Coding agents and MCP
  {
    category: 'agent',
    reason: 'coding-agent instructions or settings: agents (Plumbline among them) obey them in every later run, and their hooks and MCP servers run programs',
    test: either(
      named('agents.md', 'agent.md', 'claude.md', 'claude.local.md', 'gemini.md', '.mcp.json', '.cursorrules', '.cursorignore', '.windsurfrules', '.clinerules', '.roorules', '.roomodes', '.continuerules', '.goosehints', '.rules', '.aider.conf.yml', '.aider.model.settings.yml', 'opencode.json', '.augment-guidelines'),
      (s) => under(s, '.claude', '.cursor', '.windsurf', '.clinerules', '.roo', '.continue', '.gemini', '.junie', '.kiro', '.amazonq', '.codex', '.opencode', '.augment', '.trae', '.agents'),
      (s) => last(s) === 'copilot-instructions.md' && under(s, '.github'),
      (s) => underPair(s, '.github', 'instructions') || underPair(s, '.github', 'prompts') || underPair(s, '.github', 'chatmodes') || underPair(s, '.github', 'copilot'),
    ),
    examples: ['AGENTS.md', 'packages/api/AGENTS.md', 'CLAUDE.md', 'CLAUDE.local.md', 'GEMINI.md', '.claude/settings.json', '.claude/commands/deploy.md', '.mcp.json', '.cursor/mcp.json', '.cursor/rules/style.mdc', '.cursorrules', '.windsurfrules', '.windsurf/rules/x.md', '.clinerules', '.clinerules/a.md', '.roo/mcp.json', '.roomodes', '.continue/config.yaml', '.github/copilot-instructions.md', '.github/instructions/ts.instructions.md', '.github/prompts/release.prompt.md', '.gemini/settings.json', '.junie/guidelines.md', '.kiro/steering/x.md', '.amazonq/rules/x.md', '.aider.conf.yml', 'opencode.json', '.goosehints'],
  },
  { category: 'plumbline', reason: 'Plumbline\'s own settings and run state', test: (s) => under(s, '.plumbline'), examples: ['.plumbline/settings.json', '.plumbline/runs/x/plan.md'] },

  // The environment and toolchains
  { category: 'environment', reason: 'environment configuration (.env): tools load it into every process, and it often holds secrets', test: (s) => last(s) === '.env' || last(s).startsWith('.env.') || last(s) === '.envrc', examples: ['.env', '.env.local', 'api/.env.production', '.envrc'] },
  {
    category: 'toolchain',
    reason: 'a toolchain pin: version managers switch to (and download) the runtime or SDK it names',
    test: named('.nvmrc', '.node-version', '.tool-versions', '.python-version', '.ruby-version', '.java-version', '.go-version', 'rust-toolchain', 'rust-toolchain.toml', '.sdkmanrc', 'mise.toml', '.mise.toml', 'global.json', '.terraform-version'),
    examples: ['.nvmrc', '.node-version', '.tool-versions', '.python-version', 'rust-toolchain.toml', '.sdkmanrc', 'mise.toml', 'global.json'],
  },

  // Package managers
  {
    category: 'package',
    reason: 'package manager configuration: it can change which scripts, hooks, shells and registries run',
    test: either(
      named('.npmrc', '.yarnrc', '.yarnrc.yml', '.pnpmfile.cjs', '.pnpmfile.mjs', 'pnpmfile.js', 'pnpm-workspace.yaml', 'bunfig.toml', '.bunfig.toml', 'deno.json', 'deno.jsonc', 'gemfile', 'podfile', 'nuget.config', 'pip.conf', '.condarc'),
      (s) => underPair(s, '.yarn', 'plugins') || underPair(s, '.yarn', 'releases') || under(s, '.mvn'),
      (s) => (last(s) === 'config.toml' || last(s) === 'config') && under(s, '.cargo'),
      (s) => last(s) === 'dotnet-tools.json' && under(s, '.config'),
    ),
    examples: ['.npmrc', '.yarnrc.yml', '.pnpmfile.cjs', 'pnpm-workspace.yaml', '.yarn/plugins/plugin.cjs', '.yarn/releases/yarn-4.1.0.cjs', 'bunfig.toml', 'deno.json', '.cargo/config.toml', 'Gemfile', 'Podfile', 'NuGet.config', '.mvn/jvm.config', '.config/dotnet-tools.json'],
  },

  // What is installed rather than written: a change there runs with every later test, build and
  // start of the project (and a Python .pth line runs at every interpreter start), outside review's
  // view of the project's own code.
  {
    category: 'dependencies',
    reason: 'installed dependencies: their code runs whenever the project is tested, built or started, and an install would overwrite it',
    test: either(
      (s) => under(s, 'node_modules', 'bower_components', 'jspm_packages', '.venv', 'venv', 'site-packages', 'dist-packages', '.tox', '.nox', '__pypackages__'),
      (s) => underPair(s, '.yarn', 'cache') || underPair(s, '.yarn', 'unplugged') || underPair(s, '.yarn', 'sdks'),
      matching(/\.pth$|^\.pnp\.(c|m)?js$|^\.pnp\.loader\.mjs$/),
    ),
    examples: ['node_modules/lodash/index.js', 'packages/app/node_modules/.bin/mocha', '.venv/lib/python3.12/site-packages/x.py', 'venv/bin/activate', 'lib/site-packages/evil.pth', 'hook.pth', '.pnp.cjs', '.yarn/unplugged/x/index.js', 'bower_components/jquery/jquery.js'],
  },
  {
    category: 'shell',
    reason: 'shell start-up file: shells run it as code when they start',
    test: named('.profile', '.bash_profile', '.bash_login', '.bash_logout', '.zprofile', '.zshenv', '.zlogin', '.zlogout', '.inputrc', '.login', '.cshrc', '.tcshrc'),
    examples: ['.profile', '.bash_profile', '.zshenv', '.zprofile'],
  },

  // Build and task runners
  {
    category: 'build',
    reason: 'a build or task definition: its recipes are commands that builds and tests run',
    test: either(
      matching(/^(gnu)?makefile$|\.mk$/),
      named('justfile', '.justfile', 'taskfile.yml', 'taskfile.yaml', 'taskfile.dist.yml', 'rakefile', 'gruntfile.js', 'gruntfile.coffee', 'jakefile.js', 'cmakelists.txt', 'meson.build', 'meson_options.txt', 'sconstruct', 'sconscript', 'build', 'build.bazel', 'workspace', 'workspace.bazel', 'module.bazel', '.bazelrc', 'build.xml', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'gradle.properties', 'gradlew', 'gradlew.bat', 'pom.xml', 'mvnw', 'mvnw.cmd', 'build.sbt', 'build.rs', 'procfile', 'earthfile'),
      matching(new RegExp(`^gulpfile\\.${code}$|\\.rake$|\\.cmake$|\\.bzl$|\\.(cs|fs|vb)proj$|^directory\\.build\\.(props|targets)$|\\.(props|targets)$`)),
      (s) => underPair(s, 'gradle', 'wrapper'),
    ),
    examples: ['Makefile', 'GNUmakefile', 'tools/rules.mk', 'justfile', 'Taskfile.yml', 'Rakefile', 'lib/tasks/db.rake', 'Gruntfile.js', 'gulpfile.mjs', 'CMakeLists.txt', 'cmake/deps.cmake', 'meson.build', 'BUILD.bazel', 'WORKSPACE', '.bazelrc', 'defs.bzl', 'build.xml', 'build.gradle.kts', 'settings.gradle', 'gradle.properties', 'gradlew', 'gradle/wrapper/gradle-wrapper.properties', 'pom.xml', 'mvnw', 'build.sbt', 'build.rs', 'App.csproj', 'Directory.Build.props', 'Procfile'],
  },
  {
    category: 'container',
    reason: 'a container definition: its build steps and commands run when it is built or started',
    test: matching(/^(dockerfile|containerfile)(\..+)?$|\.dockerfile$|^(docker-)?compose(\..+)?\.ya?ml$/),
    examples: ['Dockerfile', 'Dockerfile.dev', 'build.dockerfile', 'Containerfile', 'docker-compose.yml', 'docker-compose.test.yaml', 'compose.yaml'],
  },

  // Test runners and developer tools
  {
    category: 'tool',
    reason: 'test runner or tool configuration: the tool runs it as code or loads plugins from it, so it can run anything with the tests',
    test: either(
      matching(new RegExp(`\\.(config|conf)\\.${code}$|^vitest\\.workspace\\.(json|${code})$`)),
      matching(new RegExp(`^\\.[a-z0-9_-]+rc(\\.(json|json5|ya?ml|toml|${code}))?$`)),
      named('conftest.py', 'pytest.ini', 'tox.ini', 'noxfile.py', 'setup.py', 'setup.cfg', 'pyproject.toml', 'sitecustomize.py', 'usercustomize.py', 'karma.conf.js', '.rspec', 'guardfile', 'phpunit.xml', 'phpunit.xml.dist', 'jest.config.json', 'cypress.json', '.mocharc', 'babel.config.json', 'vitest.workspace.json'),
    ),
    examples: ['jest.config.js', 'jest.config.json', 'vitest.config.ts', 'vite.config.mjs', 'playwright.config.ts', 'cypress.config.ts', 'vitest.workspace.ts', 'karma.conf.js', 'wdio.conf.ts', 'webpack.config.cjs', 'rollup.config.js', 'babel.config.js', 'babel.config.json', '.babelrc', 'eslint.config.mjs', '.eslintrc.json', '.prettierrc', 'prettier.config.js', '.mocharc.yml', '.nycrc', '.swcrc', 'postcss.config.js', 'tailwind.config.ts', 'next.config.js', 'svelte.config.js', 'tests/conftest.py', 'conftest.py', 'pytest.ini', 'tox.ini', 'noxfile.py', 'setup.py', 'setup.cfg', 'pyproject.toml', 'sitecustomize.py', '.coveragerc', 'phpunit.xml', '.rspec'],
  },
];
