// Runs the same integration suite as test/vscode/runInVsCodeWeb.mjs, in a desktop VS Code that
// @vscode/test-electron downloads (so only where the internet is reachable). `npm run test:electron`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'plumbline-electron-'));
const workspace = join(scratch, 'workspace');
cpSync(join(root, 'test', 'fixtures', 'repos', 'greeter'), workspace, { recursive: true });
// A git repository, as most users' workspaces are: verification then runs in a git worktree.
for (const args of [['init', '-q'], ['-c', 'user.email=test@plumbline.invalid', '-c', 'user.name=Plumbline Test', 'add', '-A'], ['-c', 'user.email=test@plumbline.invalid', '-c', 'user.name=Plumbline Test', 'commit', '-qm', 'fixture']]) {
  execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
}

let code = 1;
try {
  code = await runTests({
    version: process.env.PLUMBLINE_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'test', 'vscode', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(scratch, 'user-data')],
  });
} catch (error) {
  console.error(`The desktop VS Code run failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
