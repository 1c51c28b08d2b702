// The VS Code half of `npm run demo -- --vscode`: installs the packaged extension into a real VS Code
// (code-server from npm, see test/vscode/installVsCodeWeb.sh), points its settings at the scripted
// model, and opens the sample project in the browser.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startDemoInVsCode({ root, workspace, modelUrl }) {
  if (!existsSync(join(root, 'dist', 'plumbline.vsix'))) execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
  const installDir = execFileSync('bash', [join(root, 'test', 'vscode', 'installVsCodeWeb.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  const codeServer = join(installDir, 'node_modules', '.bin', 'code-server');
  const data = mkdtempSync(join(tmpdir(), 'plumbline-demo-vscode-'));
  const extensions = join(data, 'extensions');
  execFileSync(codeServer, ['--extensions-dir', extensions, '--install-extension', join(root, 'dist', 'plumbline.vsix')], { stdio: 'inherit' });
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  const model = { provider: 'openai', baseUrl: `${modelUrl}/v1` };
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'plumbline.orchestrator.provider': model.provider, 'plumbline.orchestrator.baseUrl': model.baseUrl, 'plumbline.worker.provider': model.provider, 'plumbline.worker.baseUrl': model.baseUrl, 'plumbline.approvalMode': 'end' }, null, 2),
  );
  // No welcome page over the sample project.
  mkdirSync(join(data, 'user', 'User'), { recursive: true });
  writeFileSync(join(data, 'user', 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2));
  const port = 18000 + Math.floor(Math.random() * 1000);
  const server = spawn(codeServer, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', join(data, 'user'), '--extensions-dir', extensions, workspace], { stdio: 'inherit' });
  const address = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`\nOpen ${address}\nthen run "Plumbline: New Task…" from the command palette, for example: Rename greet to welcome and farewell to goodbye.\nCtrl+C stops the demo.`);
  try {
    execFileSync(process.platform === 'darwin' ? 'open' : 'xdg-open', [address], { stdio: 'ignore' });
  } catch {
    // No desktop browser here: the address above is enough.
  }
  await new Promise((resolve) => server.once('exit', resolve));
}
