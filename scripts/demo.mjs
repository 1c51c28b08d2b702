// `npm run demo`: Plumbline end to end on a small sample repository, with no API key. The model is
// a SCRIPTED STAND-IN (the project's fake model server replaying test/fixtures/scenarios/demo.json):
// it shows the plan, parallel workers, a step whose first edit breaks a test and is fixed by the
// verification loop, and the diffs. `npm run demo -- --vscode` opens the same in a real VS Code in
// the browser (code-server, installed on first use).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vscodeMode = process.argv.includes('--vscode');
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

if (!existsSync(join(root, 'dist', 'cli.js'))) execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

const workspace = join(mkdtempSync(join(tmpdir(), 'plumbline-demo-')), 'greeter');
cpSync(join(root, 'test', 'fixtures', 'repos', 'greeter'), workspace, { recursive: true });
const git = (...args) => execFileSync('git', ['-c', 'user.email=demo@plumbline.invalid', '-c', 'user.name=Plumbline Demo', ...args], { cwd: workspace, stdio: 'ignore' });
git('init', '-q');
git('add', '-A');
git('commit', '-qm', 'sample project');

const fake = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'fake-model', 'cli.ts'), '--scenario', join(root, 'test', 'fixtures', 'scenarios', 'demo.json'), '--port', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolveUrl, reject) => {
  let text = '';
  fake.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (match) resolveUrl(match[1]);
  });
  fake.once('exit', (code) => reject(new Error(`the scripted model server exited (${code})`)));
});
const stop = () => fake.kill();
process.on('exit', stop);

console.log(bold('Plumbline demo'));
console.log('The model here is a SCRIPTED STAND-IN replaying test/fixtures/scenarios/demo.json: no API key, no network.');
console.log(`Sample project: ${workspace}\n`);

if (vscodeMode) {
  const { startDemoInVsCode } = await import('./demo-vscode.mjs');
  await startDemoInVsCode({ root, workspace, modelUrl: url });
} else {
  const task = 'Rename greet to welcome and farewell to goodbye';
  // The scripted model's edits are ours and harmless: where this machine has no sandbox the demo
  // says so and runs its tests unconfined, instead of stopping. A real run asks you first.
  const unsandboxed = hasSandbox() ? [] : ['--unsandboxed', 'run'];
  if (unsandboxed.length > 0) console.log(`No sandbox on this machine (install bubblewrap: sudo apt-get install bubblewrap). The demo's scripted edits are harmless, so it runs their tests unconfined; a real run would ask you first.\n`);
  console.log(`${bold('$')} plumbline run "${task}" --approve auto --yes${unsandboxed.length > 0 ? ' --unsandboxed run' : ''}\n`);
  const cli = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'run', task, '--cwd', workspace, '--approve', 'auto', '--yes', ...unsandboxed, '--provider', 'openai', '--base-url', `${url}/v1`, '--model', 'scripted-orchestrator', '--worker-model', 'scripted-worker'], {
    stdio: 'inherit',
    env: { ...process.env, OPENAI_API_KEY: 'not-needed-for-the-scripted-model' },
  });
  const code = await new Promise((resolveCode) => cli.once('exit', resolveCode));
  console.log(`\n${bold('The sample project now:')}`);
  execFileSync('git', ['diff', '--stat'], { cwd: workspace, stdio: 'inherit' });
  console.log(`\n${bold('Its own tests:')}`);
  try {
    execFileSync('npm', ['test', '--silent'], { cwd: workspace, stdio: 'inherit' });
  } catch {
    // The test output above says what failed.
  }
  console.log(`\nThe plan and the run's journal are in ${join(workspace, '.plumbline', 'runs')}. Try: node dist/cli.js runs --cwd ${workspace}`);
  stop();
  process.exit(code ?? 1);
}

/** Whether tests can run sandboxed here: macOS's sandbox-exec, or a bubblewrap that can make its namespaces. */
function hasSandbox() {
  if (process.platform === 'darwin') return existsSync('/usr/bin/sandbox-exec');
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('bwrap', ['--unshare-user', '--unshare-pid', '--unshare-net', '--cap-drop', 'ALL', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', '/bin/true'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}
