/**
 * How test files are named, by the conventions the runners Plumbline knows follow. One place: the
 * related-tests selection and the weakened-tests tripwire must agree on what a test file is.
 */

/** A JavaScript or TypeScript file named as a test (node --test, mocha, jest, vitest). */
export const JS_TEST_NAME = /(?:^|[._-])(?:test|spec)\.[cm]?[jt]sx?$|^test[-_][^/]*\.[cm]?[jt]sx?$|^test\.[cm]?[jt]sx?$/;
/** A folder of tests (mocha's `test/`, jest's `__tests__/`). */
export const TEST_FOLDER = /(?:^|\/)(?:test|tests|spec|specs|__tests__)\//;
/** A pytest module. */
export const PY_TEST_MODULE = /^test_[^/]*\.py$|_test\.py$/;
/** A Go test file. */
const GO_TEST = /_test\.go$/;

/** Whether `path` (relative, forward slashes) is a test file by its name or its folder. */
export function isTestFilePath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return TEST_FOLDER.test(path) || JS_TEST_NAME.test(name) || PY_TEST_MODULE.test(name) || GO_TEST.test(name);
}
