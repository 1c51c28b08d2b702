// Runs the integration suite inside a real VS Code: code-server's server and web workbench, driven by
// headless Chromium through playwright-core. The suite is the same mocha suite `npm run test:electron`
// runs with @vscode/test-electron on machines that can download a desktop VS Code.
//   node test/vscode/runInVsCodeWeb.mjs          (after `node esbuild.mjs --tests`)
// Environment: PLUMBLINE_VSCODE_WEB_DIR (install cache), VSCODE_TEST_VERBOSE=1 (all browser console),
// --untrusted (npm run test:vscode:untrusted): open the workspace in Restricted Mode and run only
//              the suite that expects it (the others expect a trusted workspace).
//              PLUMBLINE_TEST_TIMEOUT_MS (whole run, default 600000), PLUMBLINE_TEST_GREP (mocha grep).
// --vsix FILE  (npm run test:vscode:vsix) run the extension as it ships: FILE (the package tier's
//              dist/plumbline.vsix, a production build) unpacked, instead of this checkout. A file
//              the allowlist leaves out fails here, where the checkout's dist/ would hide it.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import yauzl from 'yauzl';
import { startDriver } from './driver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = join(root, 'test-artifacts', 'vscode');
const testsEntry = join(root, 'out', 'test', 'vscode', 'index.js');
if (!existsSync(testsEntry)) {
  console.error(`${testsEntry} is missing: run "node esbuild.mjs --tests" first (npm run test:vscode does).`);
  process.exit(1);
}

const installDir = execFileSync('bash', [join(root, 'test', 'vscode', 'installVsCodeWeb.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const codeServer = join(installDir, 'node_modules', '.bin', 'code-server');

// A fresh copy of the fixture workspace and fresh profile folders for every run.
const scratch = mkdtempSync(join(tmpdir(), 'plumbline-vscode-'));
const workspace = join(scratch, 'workspace');
cpSync(join(root, 'test', 'fixtures', 'repos', 'greeter'), workspace, { recursive: true });
// A git repository, as most users' workspaces are: verification then runs in a git worktree.
for (const args of [['init', '-q'], ['-c', 'user.email=test@plumbline.invalid', '-c', 'user.name=Plumbline Test', 'add', '-A'], ['-c', 'user.email=test@plumbline.invalid', '-c', 'user.name=Plumbline Test', 'commit', '-qm', 'fixture']]) {
  execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
}
const untrusted = process.argv.includes('--untrusted');
const vsixArg = process.argv.indexOf('--vsix');
const vsix = vsixArg >= 0 ? resolve(process.argv[vsixArg + 1] ?? '') : undefined;
if (vsix !== undefined && !existsSync(vsix)) {
  console.error(`${vsix} is missing: run "npm run package" first (the package tier does).`);
  process.exit(1);
}
// The journeys a packaged build breaks first: activation and the server, a run end to end, the
// inline review, and MCP (its SDK is a bundle of its own, loaded only when a server starts).
if (vsix !== undefined) process.env.PLUMBLINE_TEST_GREP ??= "^(activation and the agent server|a task from the command palette|inline diff review|MCP servers in the sidebar|VS Code's MCP tools in a run)";
// The extension's folder: this checkout, or the VSIX's extension/ folder unpacked.
const extensionRoot = vsix === undefined ? root : await unpackVsix(vsix, join(scratch, 'vsix'));
// VS Code gives each extension its own `vscode` API object, chosen by the requiring file's folder:
// the tests stub the extension's dialogs through it, so they live inside the extension's folder,
// with the fixtures they find beside them (nothing the extension itself loads comes from there).
if (vsix !== undefined) {
  cpSync(join(root, 'out', 'test'), join(extensionRoot, 'out', 'test'), { recursive: true });
  cpSync(join(root, 'test', 'fixtures'), join(extensionRoot, 'test', 'fixtures'), { recursive: true });
  // mocha and the tests' other modules, where only the tests look (out/), never the bundles (dist/).
  symlinkSync(join(root, 'node_modules'), join(extensionRoot, 'out', 'node_modules'), 'dir');
}
const testsRoot = vsix === undefined ? root : extensionRoot;
if (untrusted) process.env.PLUMBLINE_TEST_GREP ??= '^Restricted Mode';
const userData = join(scratch, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': untrusted,
  ...(untrusted ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' } : {}),
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
}, null, 2));

const workbenchNoise = /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin|\[Service Worker\]|ChatSessionStore|getaddrinfo ENOTFOUND)|workbench\.js:\d+/;

// A test extension with a tool tagged "mcp" (code-server lists no MCP server's tools): the bridge to
// VS Code's own MCP tools is tested with it (suite/17-mcp.test.ts).
cpSync(join(root, 'test', 'fixtures', 'vscode-extensions', 'mcp-tool'), join(scratch, 'extensions', 'plumbline-test.plumbline-test-mcp-tool-0.0.1'), { recursive: true });

let page;
const driver = await startDriver(() => page, artifacts);
const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(codeServer, [
  '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
  ...(untrusted ? [] : ['--disable-workspace-trust']), '--user-data-dir', userData, '--extensions-dir', join(scratch, 'extensions'), workspace,
], {
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
  env: { ...process.env, PLUMBLINE_TEST_DRIVER: driver.url, PLUMBLINE_TEST_ARTIFACTS: artifacts },
});
let serverLog = '';
const onServerOutput = (chunk) => {
  serverLog += chunk;
  if (process.env.VSCODE_TEST_VERBOSE) process.stderr.write(chunk);
};
server.stdout.on('data', onServerOutput);
server.stderr.on('data', onServerOutput);

let browser;
const stopAll = async () => {
  await browser?.close().catch(() => {});
  try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ }
  await driver.close();
  rmSync(scratch, { recursive: true, force: true });
};

let exitCode = 1;
try {
  await new Promise((resolveListening, reject) => {
    const deadline = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${serverLog}`)), 60000);
    const poll = setInterval(() => {
      if (serverLog.includes('HTTP server listening')) { clearInterval(poll); clearTimeout(deadline); resolveListening(); }
    }, 100);
    server.once('exit', (code) => { clearInterval(poll); clearTimeout(deadline); reject(new Error(`code-server exited with ${code}:\n${serverLog}`)); });
  });

  browser = await chromium.launch({
    executablePath: process.env.PLUMBLINE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

  // The workbench calls this hook with the tests' exit code once run() settles.
  let reportExit;
  const reported = new Promise((resolveReport) => (reportExit = resolveReport));
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
  page.on('console', async (message) => {
    // The extension host's console (mocha's reporter among it) arrives as
    // ['%c INFO', 'color: …', format, ...args]: rebuild the line the way Node would have printed it.
    const args = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => '')));
    const head = typeof args[0] === 'string' ? args[0] : '';
    const fromExtensionHost = /^%c\s*(INFO|WARN|ERR)$/.test(head);
    if (fromExtensionHost) {
      const line = format(...args.slice(2));
      // The workbench logs through the same channel; its connection chatter is noise in a test log.
      if (!process.env.VSCODE_TEST_VERBOSE && workbenchNoise.test(line)) return;
      console.log(line);
    } else if (process.env.VSCODE_TEST_VERBOSE) {
      console.log(`[browser] ${message.text()}`);
    }
  });

  const authority = `127.0.0.1:${port}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionRoot}`],
    ['extensionTestsPath', `vscode-remote://${authority}${join(testsRoot, 'out', 'test', 'vscode', 'index.js')}`],
  ]);
  await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  const limitMs = Number(process.env.PLUMBLINE_TEST_TIMEOUT_MS ?? 600000);
  const outcome = await Promise.race([reported, new Promise((r) => setTimeout(() => r('timeout'), limitMs))]);
  await page.screenshot({ path: join(artifacts, 'workbench-final.png') }).catch(() => {});
  if (outcome === 'timeout') {
    console.error(`The integration suite did not finish within ${limitMs / 1000} s.`);
    exitCode = 1;
  } else {
    exitCode = outcome === 0 ? 0 : 1;
  }
} catch (error) {
  console.error(`The VS Code harness failed: ${error?.message ?? error}`);
  exitCode = 1;
} finally {
  await stopAll();
}
console.log(`vscode harness exit: ${exitCode}`);
process.exit(exitCode);

/** Unpacks the VSIX's `extension/` entries into `into`; returns `into`. */
function unpackVsix(file, into) {
  return new Promise((resolveUnpacked, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      zip.on('entry', (entry) => {
        const name = entry.fileName;
        if (!name.startsWith('extension/') || name.endsWith('/') || name.split('/').includes('..')) return zip.readEntry();
        const target = join(into, name.slice('extension/'.length));
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks = [];
          stream.on('data', (chunk) => chunks.push(chunk));
          stream.on('end', () => {
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolveUnpacked(into));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
