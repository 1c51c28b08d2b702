import * as vscode from 'vscode';
import type Mocha from 'mocha';
import { extensionId } from './plumbline';
import type { PlumblineApi } from '../../../src/client/api';

/** The top-level suite a test belongs to (the file's `describe`). */
function topSuite(test: Mocha.Runnable): Mocha.Suite | undefined {
  let suite = test.parent;
  while (suite?.parent !== undefined && !suite.parent.root) suite = suite.parent;
  return suite;
}

/** Is `test` the last test of its top-level suite that will run (after grep and skips)? */
function lastOfSuite(test: Mocha.Runnable): boolean {
  const suite = topSuite(test);
  if (suite === undefined) return true;
  const tests: Mocha.Test[] = [];
  const collect = (current: Mocha.Suite): void => {
    tests.push(...current.tests.filter((candidate) => !candidate.isPending()));
    current.suites.forEach(collect);
  };
  collect(suite);
  return tests[tests.length - 1] === test;
}

/**
 * A run a suite leaves open (a failed test mid-review, a question nobody answered) used to fail every
 * suite after it: their sidebars showed a run in progress and their tasks never started. After the
 * last test of each top-level suite, a run still in progress is cancelled and waited for, and the
 * log says which suite left it, so one failure stays one failure.
 */
export function containOpenRuns(mocha: Mocha): void {
  mocha.suite.afterEach(async function () {
    const test = this.currentTest;
    if (test === undefined || !lastOfSuite(test)) return;
    const extension = vscode.extensions.getExtension<PlumblineApi>(extensionId);
    if (extension?.isActive !== true) return;
    const runs = extension.exports.runs;
    if (!runs.running) return;
    console.log(`Suite isolation: "${topSuite(test)?.title ?? '?'}" left run ${runs.view?.runId ?? '?'} open (${runs.view?.phase ?? '?'}); cancelling it.`);
    this.timeout(60000);
    const finished = runs.whenFinished();
    await runs.cancel();
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 30000))]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });
}
