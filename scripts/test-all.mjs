// `npm test`: every tier, in order, on a fresh clone or a warm tree alike.
//   build → lint (tsc + eslint) → unit (in-process) → integration (the built server and CLI) →
//   package (VSIX contents) → vscode (inside a real VS Code)
//   → vscode-untrusted (the same, in Restricted Mode) → vscode-vsix (the packaged VSIX, unpacked)
// The VS Code tier installs its harness on first use (test/vscode/installVsCodeWeb.sh).
// Set PLUMBLINE_TIERS=unit,lint (say) to run only some tiers.
import { spawn } from 'node:child_process';

const tiers = [
  { name: 'build', command: ['node', 'esbuild.mjs'] },
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
  { name: 'unit', command: ['node', 'scripts/test-unit.mjs', 'test/unit'], counts: /^ℹ pass (\d+)[\s\S]*?^ℹ fail (\d+)/m },
  // The built server and CLI in their own processes, the scripted model, real git and the sandbox.
  { name: 'integration', command: ['node', 'scripts/test-unit.mjs', 'test/integration'], counts: /^ℹ pass (\d+)[\s\S]*?^ℹ fail (\d+)/m },
  { name: 'package', command: ['node', 'scripts/check-vsix.mjs'], counts: /^package: (\d+) passed, (\d+) failed$/m },
  { name: 'vscode', command: ['npm', 'run', '--silent', 'test:vscode'], counts: /^vscode: (\d+) passed, (\d+) failed$/m },
  // The same harness with the workspace in Restricted Mode: trust cannot be taken back at run time.
  { name: 'vscode-untrusted', command: ['npm', 'run', '--silent', 'test:vscode:untrusted'], counts: /^vscode: (\d+) passed, (\d+) failed$/m },
  // The extension as it ships: the package tier's VSIX unpacked, its core journeys in the same harness.
  { name: 'vscode-vsix', command: ['npm', 'run', '--silent', 'test:vscode:vsix'], counts: /^vscode: (\d+) passed, (\d+) failed$/m },
];

const selected = process.env.PLUMBLINE_TIERS?.split(',').map((name) => name.trim());

function runTier(tier) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n━━ ${tier.name} ━━ ${tier.command.join(' ')}`);
    const child = spawn(tier.command[0], tier.command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const match = tier.counts?.exec(output);
      resolve({
        name: tier.name,
        ok: code === 0,
        passed: match ? Number(match[1]) : 0,
        failed: match ? Number(match[2]) : 0,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

const results = [];
for (const tier of tiers) {
  if (selected && !selected.includes(tier.name)) continue;
  const result = await runTier(tier);
  results.push(result);
  if (!result.ok && tier.name === 'build') break; // nothing after it can run without the bundles
}

console.log('\n━━ summary ━━');
for (const result of results) {
  const counts = tiers.find((tier) => tier.name === result.name)?.counts ? ` ${result.passed} passed, ${result.failed} failed` : '';
  console.log(`${result.ok ? '✔' : '✘'} ${result.name.padEnd(8)} ${result.seconds.toFixed(1).padStart(6)} s${counts}`);
}
const passed = results.reduce((sum, result) => sum + result.passed, 0);
const failed = results.reduce((sum, result) => sum + result.failed, 0) + results.filter((result) => !result.ok && result.failed === 0).length;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.every((result) => result.ok) ? 0 : 1);
