/**
 * The real projects of the real-repository benchmark (bench/realRepos.ts), vendored under
 * bench/fixtures/<name>/ (sources, tests and license; bench/fixtures/README.md says from where), and
 * the multi-step refactor a scripted model carries out on each: the plan the orchestrator submits
 * and each worker's edits, written as a model writes them (edit_file's changed lines, no context).
 * Each plan has steps that run side by side; its waves are its dependency levels.
 */

export interface ScriptedEdit {
  readonly path: string;
  readonly patch: string;
}

export interface ScriptedStep {
  readonly id: string;
  readonly title: string;
  readonly instructions: string;
  readonly files: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly edits: readonly ScriptedEdit[];
  readonly summary: string;
}

export interface RealProject {
  readonly name: string;
  /** Where the vendored files come from: repository and commit. */
  readonly upstream: { readonly repository: string; readonly commit: string; readonly license: string };
  /** What the tests need from the npm registry, exact versions, installed into the bench's cache. */
  readonly devDependencies: readonly string[];
  /** The runner, for the figure's name. */
  readonly runner: string;
  /**
   * The test command given with --test-cmd, when the project's own cannot run here (ufo's `pnpm lint
   * && vitest run --typecheck` needs pnpm); otherwise Plumbline detects it as it would for a user.
   */
  readonly testCommand?: string;
  /** The command timed directly for the warm-suite figure: what Plumbline verifies with. */
  readonly directCommand: string;
  readonly task: string;
  /** What the orchestrator reads before planning. */
  readonly explore: readonly string[];
  readonly summary: string;
  readonly steps: readonly ScriptedStep[];
}

export const realProjects: readonly RealProject[] = [
  {
    name: 'picomatch',
    upstream: { repository: 'https://github.com/micromatch/picomatch', commit: '4f41a8edade7a5ab19832f7b40ecce46b288767f', license: 'MIT' },
    devDependencies: ['eslint@8.57.1', 'mocha@10.8.2', 'fill-range@7.1.1'],
    runner: 'eslint + mocha',
    directCommand: 'npm test',
    task: 'Rename utils.escapeRegex to escapeRegExp and utils.removeBackslashes to unescapeGlob, and update their callers',
    explore: ['lib/utils.js'],
    summary: 'Rename the two helpers in lib/utils.js (old names kept as aliases while callers move), move parse.js and scan.js to the new names side by side, then drop the aliases.',
    steps: [
      {
        id: 's1',
        title: 'Rename the helpers in lib/utils.js',
        instructions: 'Rename escapeRegex to escapeRegExp and removeBackslashes to unescapeGlob; keep the old names as aliases for now.',
        files: ['lib/utils.js'],
        edits: [
          {
            path: 'lib/utils.js',
            patch: [
              "-exports.escapeRegex = str => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, '\\\\$1');",
              "+exports.escapeRegExp = str => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, '\\\\$1');",
              '+exports.escapeRegex = exports.escapeRegExp;',
              '@@',
              '-exports.removeBackslashes = str => {',
              '+exports.unescapeGlob = str => {',
              '@@',
              '-exports.escapeLast = (input, char, lastIdx) => {',
              '+exports.removeBackslashes = exports.unescapeGlob;',
              '+',
              '+exports.escapeLast = (input, char, lastIdx) => {',
            ].join('\n'),
          },
        ],
        summary: 'escapeRegExp and unescapeGlob, with the old names as aliases.',
      },
      {
        id: 's2',
        title: 'Use escapeRegExp in lib/parse.js',
        instructions: 'Call utils.escapeRegExp wherever parse.js calls utils.escapeRegex.',
        files: ['lib/parse.js'],
        dependsOn: ['s1'],
        edits: [
          {
            path: 'lib/parse.js',
            patch: [
              "-    return args.map(v => utils.escapeRegex(v)).join('..');",
              "+    return args.map(v => utils.escapeRegExp(v)).join('..');",
              '@@',
              '-    ? utils.escapeRegex(chars[0])',
              "-    : `[${chars.map(ch => utils.escapeRegex(ch)).join('')}]`;",
              '+    ? utils.escapeRegExp(chars[0])',
              "+    : `[${chars.map(ch => utils.escapeRegExp(ch)).join('')}]`;",
              '@@',
              '-      open.output = safeOutput || utils.escapeRegex(literal);',
              '+      open.output = safeOutput || utils.escapeRegExp(literal);',
              '@@',
              '-      value = utils.escapeRegex(value);',
              '+      value = utils.escapeRegExp(value);',
              '@@',
              '-      const escaped = utils.escapeRegex(prev.value);',
              '+      const escaped = utils.escapeRegExp(prev.value);',
            ].join('\n'),
          },
        ],
        summary: 'parse.js calls escapeRegExp.',
      },
      {
        id: 's3',
        title: 'Use unescapeGlob in lib/scan.js',
        instructions: 'Call utils.unescapeGlob wherever scan.js calls utils.removeBackslashes.',
        files: ['lib/scan.js'],
        dependsOn: ['s1'],
        edits: [
          {
            path: 'lib/scan.js',
            patch: ['-    if (glob) glob = utils.removeBackslashes(glob);', '+    if (glob) glob = utils.unescapeGlob(glob);', '@@', '-      base = utils.removeBackslashes(base);', '+      base = utils.unescapeGlob(base);'].join('\n'),
          },
        ],
        summary: 'scan.js calls unescapeGlob.',
      },
      {
        id: 's4',
        title: 'Drop the old names',
        instructions: 'Remove the escapeRegex and removeBackslashes aliases from lib/utils.js.',
        files: ['lib/utils.js'],
        dependsOn: ['s2', 's3'],
        edits: [{ path: 'lib/utils.js', patch: ['-exports.escapeRegex = exports.escapeRegExp;', '@@', '-exports.removeBackslashes = exports.unescapeGlob;', '-'].join('\n') }],
        summary: 'Only the new names remain.',
      },
    ],
  },
  {
    name: 'ufo',
    upstream: { repository: 'https://github.com/unjs/ufo', commit: '11308c0bb5cb4a4bc3bfcbdc5c03177b097423e6', license: 'MIT' },
    devDependencies: ['vitest@4.1.12'],
    runner: 'vitest',
    testCommand: 'npx vitest run',
    directCommand: 'npx vitest run',
    task: 'Add withoutQuery to the URL utilities and decodeHash to the encoding utilities, with tests',
    explore: ['src/utils.ts', 'src/encoding.ts'],
    summary: 'Add the two helpers side by side, then their tests side by side.',
    steps: [
      {
        id: 's1',
        title: 'Add withoutQuery',
        instructions: 'In src/utils.ts add withoutQuery(input), which removes the query section, next to withoutFragment.',
        files: ['src/utils.ts'],
        edits: [
          {
            path: 'src/utils.ts',
            patch: [
              '-  return stringifyParsedURL({ ...parseURL(input), hash: "" });',
              '-}',
              '+  return stringifyParsedURL({ ...parseURL(input), hash: "" });',
              '+}',
              '+',
              '+/**',
              '+ * Removes the query section from the URL.',
              '+ *',
              '+ * @example',
              '+ *',
              '+ * ```js',
              '+ * withoutQuery("http://example.com/foo?q=123#bar")',
              '+ * // Returns "http://example.com/foo#bar"',
              '+ * ```',
              '+ *',
              '+ * @group utils',
              '+ */',
              '+export function withoutQuery(input: string): string {',
              '+  return stringifyParsedURL({ ...parseURL(input), search: "" });',
              '+}',
            ].join('\n'),
          },
        ],
        summary: 'withoutQuery is exported from src/utils.ts.',
      },
      {
        id: 's2',
        title: 'Add decodeHash',
        instructions: 'In src/encoding.ts add decodeHash(text), the counterpart of encodeHash.',
        files: ['src/encoding.ts'],
        edits: [
          {
            path: 'src/encoding.ts',
            patch: [
              '-export function decodePath(text: string): string {',
              '-  return decode(text.replace(ENC_SLASH_RE, "%252F"));',
              '-}',
              '+export function decodePath(text: string): string {',
              '+  return decode(text.replace(ENC_SLASH_RE, "%252F"));',
              '+}',
              '+',
              '+/**',
              '+ * Decodes the hash section of a URL (consistent with `encodeHash`).',
              '+ *',
              '+ * @group encoding_utils',
              '+ *',
              '+ * @param text - string to decode',
              '+ * @returns decoded string',
              '+ */',
              '+export function decodeHash(text: string): string {',
              '+  return decode(text);',
              '+}',
            ].join('\n'),
          },
        ],
        summary: 'decodeHash is exported from src/encoding.ts.',
      },
      {
        id: 's3',
        title: 'Test withoutQuery',
        instructions: 'Cover withoutQuery in test/utilities.test.ts.',
        files: ['test/utilities.test.ts'],
        dependsOn: ['s1'],
        edits: [
          {
            path: 'test/utilities.test.ts',
            patch: [
              '-  withoutHost,',
              '-} from "../src";',
              '+  withoutHost,',
              '+  withoutQuery,',
              '+} from "../src";',
              '+',
              '+describe("withoutQuery", () => {',
              '+  const tests = [',
              '+    { input: "http://example.com/foo?q=123#bar", out: "http://example.com/foo#bar" },',
              '+    { input: "/foo?a=1&b=2", out: "/foo" },',
              '+    { input: "/foo", out: "/foo" },',
              '+  ];',
              '+',
              '+  for (const t of tests) {',
              '+    test(`${t.input}`, () => {',
              '+      expect(withoutQuery(t.input)).toBe(t.out);',
              '+    });',
              '+  }',
              '+});',
            ].join('\n'),
          },
        ],
        summary: 'withoutQuery is tested.',
      },
      {
        id: 's4',
        title: 'Test decodeHash',
        instructions: 'Cover decodeHash in test/encoding.test.ts.',
        files: ['test/encoding.test.ts'],
        dependsOn: ['s2'],
        edits: [
          {
            path: 'test/encoding.test.ts',
            patch: [
              '-  decodeQueryKey,',
              '-} from "../src/";',
              '+  decodeQueryKey,',
              '+  decodeHash,',
              '+} from "../src/";',
              '+',
              '+describe("decodeHash", () => {',
              '+  test("reverses encodeHash", () => {',
              '+    expect(decodeHash(encodeHash("a b#c"))).toBe("a b#c");',
              '+  });',
              '+  test("keeps text it cannot decode", () => {',
              '+    expect(decodeHash("%E0%A4%A")).toBe("%E0%A4%A");',
              '+  });',
              '+});',
            ].join('\n'),
          },
        ],
        summary: 'decodeHash is tested.',
      },
    ],
  },
  {
    name: 'classnames',
    upstream: { repository: 'https://github.com/JedWatson/classnames', commit: '1a1aa12af09dcbbcffda83af4820335946ff729a', license: 'MIT' },
    devDependencies: [],
    runner: 'node --test',
    directCommand: 'npm test',
    task: 'Rename the internal appendClass helper to joinClasses in classNames and its bind variant, and test that empty strings are skipped',
    explore: ['index.js', 'bind.js'],
    summary: 'Rename the helper in both implementations side by side, then add a test for each side by side.',
    steps: [
      {
        id: 's1',
        title: 'Rename appendClass in index.js',
        instructions: 'Rename appendClass to joinClasses in index.js.',
        files: ['index.js'],
        edits: [
          {
            path: 'index.js',
            patch: ['-\t\t\tclasses = appendClass(classes, parseValue(arg));', '+\t\t\tclasses = joinClasses(classes, parseValue(arg));', '@@', '-\t\t\tclasses = appendClass(classes, key);', '+\t\t\tclasses = joinClasses(classes, key);', '@@', '-function appendClass (value, newClass) {', '+function joinClasses (value, newClass) {'].join('\n'),
          },
        ],
        summary: 'index.js uses joinClasses.',
      },
      {
        id: 's2',
        title: 'Rename appendClass in bind.js',
        instructions: 'Rename appendClass to joinClasses in bind.js.',
        files: ['bind.js'],
        edits: [
          {
            path: 'bind.js',
            patch: [
              '-\t\t\tclasses = appendClass(classes, parseValue.call(this, arg));',
              '+\t\t\tclasses = joinClasses(classes, parseValue.call(this, arg));',
              '@@',
              '-\t\t\tclasses = appendClass(classes, this && this[key] || key);',
              '+\t\t\tclasses = joinClasses(classes, this && this[key] || key);',
              '@@',
              '-function appendClass (value, newClass) {',
              '+function joinClasses (value, newClass) {',
            ].join('\n'),
          },
        ],
        summary: 'bind.js uses joinClasses.',
      },
      {
        id: 's3',
        title: 'Test empty strings in classNames',
        instructions: 'In tests/index.js, test that empty strings in nested arrays are skipped.',
        files: ['tests/index.js'],
        dependsOn: ['s1'],
        edits: [
          {
            path: 'tests/index.js',
            patch: [
              "-\t\tassert.equal(context.output, 'a b');",
              '-\t});',
              "+\t\tassert.equal(context.output, 'a b');",
              '+\t});',
              '+',
              "+\tit('skips empty strings in nested arrays', () => {",
              "+\t\tassert.equal(classNames(['', 'a', ['', 'b', ['']]], ''), 'a b');",
              '+\t});',
            ].join('\n'),
          },
        ],
        summary: 'tests/index.js covers empty strings.',
      },
      {
        id: 's4',
        title: 'Test empty strings in the bound classNames',
        instructions: 'In tests/bind.js, test that the bound classNames skips empty strings and maps the rest.',
        files: ['tests/bind.js'],
        dependsOn: ['s2'],
        edits: [
          {
            path: 'tests/bind.js',
            patch: [
              '-\t\t\tassert.equal(classNamesBound(new Class2()), \'classFromMethod\');',
              '-\t\t});',
              '+\t\t\tassert.equal(classNamesBound(new Class2()), \'classFromMethod\');',
              '+\t\t});',
              '+',
              "+\t\tit('skips empty strings and maps the rest', () => {",
              "+\t\t\tassert.equal(classNamesBound(['', 'a', ['', 'b']], ''), '#a #b');",
              '+\t\t});',
            ].join('\n'),
          },
        ],
        summary: 'tests/bind.js covers empty strings.',
      },
    ],
  },
];

/** The plan's waves: steps grouped by dependency level (a step runs once all it depends on are done). */
export function planWaves(steps: readonly Pick<ScriptedStep, 'id' | 'dependsOn'>[]): string[][] {
  const level = new Map<string, number>();
  const levelOf = (id: string, seen: ReadonlySet<string> = new Set()): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) throw new Error(`the plan's dependencies loop through ${id}`);
    const step = steps.find((candidate) => candidate.id === id);
    const value = 1 + Math.max(0, ...(step?.dependsOn ?? []).map((dependency) => levelOf(dependency, new Set([...seen, id]))));
    level.set(id, value);
    return value;
  };
  const waves: string[][] = [];
  for (const step of steps) (waves[levelOf(step.id) - 1] ??= []).push(step.id);
  return waves;
}
