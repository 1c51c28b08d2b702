import { narrowCommand, type DetectedCommand } from './detectTestCommand';

/** What a step changed, for choosing the tests worth running before the full suite. */
export interface RelatedTestsInput {
  /** Where the files are as the step left them (the verification copy). */
  readonly root: string;
  /** The project's detected runner; none: nothing can be narrowed. */
  readonly detected: DetectedCommand;
  /** Workspace-relative paths the step changed (and, for a re-verification, all its files). */
  readonly changedFiles: readonly string[];
  /** The plan step's `verify` line, when it has one. */
  readonly verifyLine?: string;
  readonly signal?: AbortSignal;
}

/** A run of only the tests that matter to a step: fast to fail, never enough to pass it. */
export interface RelatedTests {
  readonly command: string;
  /** The test files (or packages, crates) it runs, workspace-relative. */
  readonly tests: readonly string[];
  /** How they were chosen, for the evidence: "the plan's Verify line", "jest --findRelatedTests", … */
  readonly how: string;
}

/**
 * The command that runs the tests related to a step's files, or undefined when none can be told
 * apart (the full suite is then the first run). Today: the test files the step changed or its
 * Verify line names; runner-aware selection replaces this body.
 */
export async function relatedTestsCommand(input: RelatedTestsInput): Promise<RelatedTests | undefined> {
  const named = (input.verifyLine ?? '').split(/[\s,]+/).filter((part) => TEST_FILE.test(part));
  const tests = [...new Set([...input.changedFiles.filter((path) => TEST_FILE.test(path)), ...named])];
  const command = narrowCommand(input.detected, tests);
  return command === undefined ? undefined : { command, tests, how: 'the test files the step changed or names' };
}

const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|^tests?\/|_test\.(py|go)$|(^|\/)test_[^/]*\.py$/;
