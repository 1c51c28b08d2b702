import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { containOpenRuns } from './support/suiteIsolation';

/**
 * Entry point VS Code calls inside the extension host (`extensionTestsPath`), with either runner:
 * code-server + Chromium here, or @vscode/test-electron on a desktop.
 */
export async function run(): Promise<void> {
  const grep = process.env.PLUMBLINE_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec', ...(grep ? { grep } : {}) });
  // PLUMBLINE_VSCODE_SUITE=bench runs the benchmarks (test/vscode/bench/) instead of the tests.
  containOpenRuns(mocha);
  const suiteDir = join(__dirname, process.env.PLUMBLINE_VSCODE_SUITE === 'bench' ? 'bench' : 'suite');
  for (const file of readdirSync(suiteDir).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(join(suiteDir, file));
  }
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passes = runner.stats?.passes ?? 0;
      // A plain closing line that CI reads in any language.
      console.log(`vscode: ${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else if (passes === 0) reject(new Error('No integration test ran.'));
      else resolve();
    });
  });
}
