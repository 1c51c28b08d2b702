// Aider's search/replace cases as edit_file calls (issue 14, item 8). Each case is our own test
// written from one published test in tests/basic/test_editblock.py of Aider-AI/aider: its SEARCH and
// REPLACE text become a hunk the way a model writes one (unchanged lines at either end as context,
// the rest as "-" and "+" lines). Cases that test only how Aider reads its own chat format (file
// names, fences) have no counterpart here; docs/edit-compatibility.md lists them.
import { describe } from 'node:test';
import { compatDocTest, compatTests, type CompatCase } from './support/editCompat';

const source = 'tests/basic/test_editblock.py';

/** SEARCH/REPLACE as a hunk: common leading and trailing lines become context. */
function hunk(search: string, replace: string): string {
  const old = search.replace(/\n$/, '').split('\n');
  const neu = replace.replace(/\n$/, '').split('\n');
  let head = 0;
  while (head < old.length && head < neu.length && old[head] === neu[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < neu.length - head && old[old.length - 1 - tail] === neu[neu.length - 1 - tail]) tail++;
  return [
    ...old.slice(0, head).map((line) => ` ${line}`),
    ...old.slice(head, old.length - tail).map((line) => `-${line}`),
    ...neu.slice(head, neu.length - tail).map((line) => `+${line}`),
    ...old.slice(old.length - tail).map((line) => ` ${line}`),
  ].join('\n');
}

const ctagsFailureSearch = `    def test_check_for_ctags_failure(self):
        with patch("subprocess.run") as mock_run:
            mock_run.side_effect = Exception("ctags not found")
`;
const ctagsFailureReplace = `    def test_check_for_ctags_failure(self):
        with patch("subprocess.check_output") as mock_check_output:
            mock_check_output.side_effect = Exception("ctags not found")
`;
const ctagsSuccessSearch = `    def test_check_for_ctags_success(self):
        with patch("subprocess.run") as mock_run:
            mock_run.return_value = CompletedProcess(args=["ctags", "--version"], returncode=0, stdout='''{
  "_type": "tag",
  "name": "status",
  "path": "aider/main.py",
  "pattern": "/^    status = main()$/",
  "kind": "variable"
}''')
`;
const ctagsSuccessReplace = `    def test_check_for_ctags_success(self):
        with patch("subprocess.check_output") as mock_check_output:
            mock_check_output.return_value = '''{
  "_type": "tag",
  "name": "status",
  "path": "aider/main.py",
  "pattern": "/^    status = main()$/",
  "kind": "variable"
}'''
`;
const repomap = `class TestRepoMap(unittest.TestCase):\n${ctagsFailureSearch}            self.assertFalse(check_for_ctags())\n\n${ctagsSuccessSearch}            self.assertTrue(check_for_ctags())\n`;

const coderBlocks: readonly (readonly [string, string])[] = [
  ['            self.console.print("[red]^C again to quit")', '            self.io.tool_error("^C again to quit")'],
  [
    '            self.io.tool_error("Malformed ORIGINAL/UPDATE blocks, retrying...")\n            self.io.tool_error(err)',
    '            self.io.tool_error("Malformed ORIGINAL/UPDATE blocks, retrying...")\n            self.io.tool_error(str(err))',
  ],
  [
    '            self.console.print("[red]Unable to get commit message from gpt-3.5-turbo. Use /commit to try again.\\n")',
    '            self.io.tool_error("Unable to get commit message from gpt-3.5-turbo. Use /commit to try again.")',
  ],
  ['            self.console.print("[red]Skipped commit.")', '            self.io.tool_error("Skipped commit.")'],
];
const coder = [
  'class Coder:',
  '    def run(self):',
  '        except KeyboardInterrupt:',
  coderBlocks[0]?.[0],
  '',
  '    def retry(self, err):',
  '        if err:',
  coderBlocks[1]?.[0],
  '',
  '    def commit(self, message):',
  '        if not message:',
  coderBlocks[2]?.[0],
  '        else:',
  coderBlocks[3]?.[0],
  '',
].join('\n');

const toCreateFile = /does not exist\. Use create_file to create it\./;

export const aiderCases: readonly CompatCase[] = [
  {
    id: 'test_find_original_update_blocks',
    source,
    files: { 'foo.txt': 'One\nTwo\nThree\n' },
    path: 'foo.txt',
    patch: hunk('Two\n', 'Tooooo\n'),
    upstream: { kind: 'file', after: 'One\nTooooo\nThree\n' },
  },
  {
    id: 'test_find_original_update_blocks_no_final_newline',
    source,
    files: { 'aider/coder.py': coder },
    path: 'aider/coder.py',
    patch: coderBlocks.map(([search, replace]) => hunk(search, replace)).join('\n@@\n'),
    upstream: { kind: 'file', after: coderBlocks.reduce((text, [search, replace]) => text.replace(search, replace), coder) },
  },
  {
    id: 'test_incomplete_edit_block_missing_filename',
    source,
    files: { 'tests/test_repomap.py': repomap },
    path: 'tests/test_repomap.py',
    patch: `${hunk(ctagsFailureSearch, ctagsFailureReplace)}\n@@\n${hunk(ctagsSuccessSearch, ctagsSuccessReplace)}`,
    upstream: { kind: 'file', after: repomap.replace(ctagsFailureSearch, ctagsFailureReplace).replace(ctagsSuccessSearch, ctagsSuccessReplace) },
  },
  {
    id: 'test_replace_part_with_missing_varied_leading_whitespace',
    source,
    files: { 'f.txt': '\n    line1\n    line2\n        line3\n    line4\n' },
    path: 'f.txt',
    patch: hunk('line2\n    line3\n', 'new_line2\n    new_line3\n'),
    upstream: { kind: 'file', after: '\n    line1\n    new_line2\n        new_line3\n    line4\n' },
  },
  {
    id: 'test_replace_part_with_missing_leading_whitespace',
    source,
    files: { 'f.txt': '    line1\n    line2\n    line3\n' },
    path: 'f.txt',
    patch: hunk('line1\nline2\n', 'new_line1\nnew_line2\n'),
    upstream: { kind: 'file', after: '    new_line1\n    new_line2\n    line3\n' },
  },
  {
    id: 'test_replace_multiple_matches',
    source,
    files: { 'f.txt': 'line1\nline2\nline1\nline3\n' },
    path: 'f.txt',
    patch: hunk('line1\n', 'new_line\n'),
    upstream: { kind: 'file', after: 'new_line\nline2\nline1\nline3\n' },
    ours: {
      status: 'differs by design',
      outcome: { kind: 'refused', message: /match 2 places exactly \(lines 1, 3\)/ },
      why: 'a hunk that matches twice is refused, naming both places, instead of changing the first',
    },
  },
  {
    id: 'test_replace_multiple_matches_missing_whitespace',
    source,
    files: { 'f.txt': '    line1\n    line2\n    line1\n    line3\n' },
    path: 'f.txt',
    patch: hunk('line1\n', 'new_line\n'),
    upstream: { kind: 'file', after: '    new_line\n    line2\n    line1\n    line3\n' },
    ours: {
      status: 'differs by design',
      outcome: { kind: 'refused', message: /match 2 places when leading\/trailing whitespace is ignored \(lines 1, 3\)/ },
      why: 'as above',
    },
  },
  {
    id: 'test_replace_part_with_just_some_missing_leading_whitespace',
    source,
    files: { 'f.txt': '    line1\n    line2\n    line3\n' },
    path: 'f.txt',
    patch: hunk(' line1\n line2\n', ' new_line1\n     new_line2\n'),
    upstream: { kind: 'file', after: '    new_line1\n        new_line2\n    line3\n' },
  },
  {
    id: 'test_replace_part_with_missing_leading_whitespace_including_blank_line',
    source,
    files: { 'f.txt': '    line1\n    line2\n    line3\n' },
    path: 'f.txt',
    patch: hunk('\n  line1\n  line2\n', '  new_line1\n  new_line2\n'),
    upstream: { kind: 'file', after: '    new_line1\n    new_line2\n    line3\n' },
  },
  {
    id: 'test_create_new_file_with_other_file_in_chat',
    source,
    files: { 'file.txt': 'one\ntwo\nthree\n' },
    path: 'newfile.txt',
    patch: '+creating a new file',
    upstream: { kind: 'file', after: 'creating a new file\n' },
    ours: { status: 'redirected', outcome: { kind: 'refused', message: toCreateFile }, why: 'a new file is create_file\'s job' },
  },
  {
    id: 'test_full_edit',
    source,
    files: { 'file1.txt': 'one\ntwo\nthree\n' },
    path: 'file1.txt',
    patch: hunk('two\n', 'new\n'),
    upstream: { kind: 'file', after: 'one\nnew\nthree\n' },
  },
  {
    id: 'test_find_original_update_blocks_mupltiple_same_file',
    source,
    files: { 'foo.txt': 'one\n...\nthree\n' },
    path: 'foo.txt',
    patch: `${hunk('one\n', 'two\n')}\n@@\n${hunk('three\n', 'four\n')}`,
    upstream: { kind: 'file', after: 'two\n...\nfour\n' },
  },
  {
    id: 'test_new_file_created_in_same_folder/file1.txt',
    source,
    files: { 'path/to/a/file1.txt': 'one\n' },
    path: 'path/to/a/file1.txt',
    patch: hunk('one\n', 'two\n'),
    upstream: { kind: 'file', after: 'two\n' },
  },
  {
    id: 'test_new_file_created_in_same_folder/file2.txt',
    source,
    files: { 'path/to/a/file1.txt': 'one\n' },
    path: 'path/to/a/file2.txt',
    patch: '+three',
    upstream: { kind: 'file', after: 'three\n' },
    ours: { status: 'redirected', outcome: { kind: 'refused', message: toCreateFile }, why: 'a new file is create_file\'s job' },
  },
  {
    id: 'test_find_original_update_blocks_quad_backticks_with_triples_in_LLM_reply',
    source,
    files: {},
    path: 'foo.txt',
    patch: '+Tooooo',
    upstream: { kind: 'file', after: 'Tooooo\n' },
    ours: { status: 'redirected', outcome: { kind: 'refused', message: toCreateFile }, why: 'a new file is create_file\'s job' },
  },
  {
    id: 'test_find_original_update_blocks_with_sh_language_identifier',
    source,
    files: {},
    path: 'test_hello.sh',
    patch: '+#!/bin/bash\n+echo "$1"\n+exit 0',
    upstream: { kind: 'file', after: '#!/bin/bash\necho "$1"\nexit 0\n' },
    ours: { status: 'redirected', outcome: { kind: 'refused', message: toCreateFile }, why: 'a new file is create_file\'s job' },
  },
  {
    id: 'test_find_original_update_blocks_with_csharp_language_identifier',
    source,
    files: { 'Program.cs': 'class Program {\n    static void Main() {\n        Console.WriteLine("Hello World!");\n    }\n}\n' },
    path: 'Program.cs',
    patch: hunk('Console.WriteLine("Hello World!");\n', 'Console.WriteLine("Hello, C# World!");\n'),
    upstream: { kind: 'file', after: 'class Program {\n    static void Main() {\n        Console.WriteLine("Hello, C# World!");\n    }\n}\n' },
  },
];

describe('compatibility: Aider search/replace cases through edit_file', () => {
  compatTests(aiderCases);
  compatDocTest('Aider search/replace', aiderCases);
});
