// Runs a Node test-runner tier. Node 20 has no glob for --test, so files are listed here.
//   node scripts/test-unit.mjs                      test/unit: in-process tests (no built server)
//   node scripts/test-unit.mjs test/integration     the process-level tests (the built server and CLI)
//   node scripts/test-unit.mjs path/a.test.ts ...   just those files
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length > 0 ? only : ['test/unit']).flatMap((path) => (statSync(path).isDirectory() ? testFiles(path).sort() : [path]));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
