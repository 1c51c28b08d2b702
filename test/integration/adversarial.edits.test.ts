// Issue 14, items 6, 7 and 9 through the real agent server in auto mode: a scripted worker sends the
// edits that once changed lines nobody named, wrote a copied line-number prefix or a header's other
// file, landed invisible characters, and drew a 300,000-character error. What lands must be exactly
// the lines the edits name; everything refused must say why and leave the file byte-identical.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startFakeModelServer, type ScenarioInput } from '../fake-model/index';
import { assertOnlyChanged, captureWorld, makeWorkspace } from '../unit/support/adversarialHarness';
import { lastToolResults, requestsOf } from '../unit/support/scenarioHarness';
import { startVerifySession } from '../unit/support/verifyHarness';

const longLine = `${'x'.repeat(60_000)}HERE${'y'.repeat(40_000)}`;

const files = {
  'src/tabs.js': 'function f(x) {\n\tif (x) {\n\t\treturn 0;\n\t}\n\t\treturn 1;\n}\n',
  'src/trailing.js': 'keep();   \nold();\nalso();\n',
  'src/mixed.txt': 'one\r\ntwo\nthree\r\nfour\r\n',
  'src/prefixed.js': 'const a = 1;\nconst b = 2;\n',
  // The same line in two files: a patch whose header names the other one would apply here too.
  'src/target.js': 'export const version = 1;\n',
  'src/other.js': 'export const version = 1;\n',
  'src/role.js': 'const role = "user";\n',
  'data/long.txt': `start\n${longLine}\nend\n`,
  'package.json': '{ "name": "edits", "private": true }\n',
};

const expected = {
  // Only the named line changed: the untouched "\t\treturn 1;" keeps its tabs, the new line gets them.
  'src/tabs.js': 'function f(x) {\n\tif (x) {\n\t\treturn 2;\n\t}\n\t\treturn 1;\n}\n',
  // The context lines keep their own trailing whitespace, however the patch spelled them.
  'src/trailing.js': 'keep();   \nnew();\nalso();\n',
  // The untouched LF line in a CRLF file keeps its LF.
  'src/mixed.txt': 'one\r\ntwo\nTHREE\r\nfour\r\n',
};

const edit = (path: string, patch: string): { tool: string; arguments: Record<string, string> } => ({ tool: 'edit_file', arguments: { path, patch } });

const scenario: ScenarioInput = {
  name: 'adversarial-edits',
  onExhausted: 'error',
  roles: {
    orchestrator: {
      match: { system: "Plumbline's orchestrator" },
      turns: [{
        content: [{
          tool: 'submit_plan',
          arguments: {
            summary: 'Edit the files.',
            steps: [{ id: 's1', title: 'Edit the files', instructions: 'Edit each file as the task says.', files: [...Object.keys(files).filter((path) => path !== 'package.json'), 'src/new.js'] }],
          },
        }],
      }],
    },
    'worker-s1': {
      match: { system: 'Plumbline worker', firstUser: '<step id="s1">' },
      turns: [
        {
          content: [
            edit('src/tabs.js', ' function f(x) {\n     if (x) {\n-        return 0;\n+        return 2;\n     }\n         return 1;'),
            edit('src/trailing.js', ' keep();\n-old();\n+new();\n also();  '),
            edit('src/mixed.txt', ' one\n two\n-three\n+THREE'),
            edit('src/prefixed.js', ' const a = 1;\n-const b = 2;\n+2│const b = 3;'),
            edit('src/target.js', '--- a/src/other.js\n+++ b/src/other.js\n@@\n-export const version = 1;\n+export const version = 2;'),
            edit('src/role.js', '-const role = "user";\n+const role = "user\u202E \u2066// admin\u2069\u2066";'),
            { tool: 'create_file', arguments: { path: 'src/new.js', content: 'export const note = "ok";\u200B\u{E0041}\n' } },
          ],
        },
        // A near miss on the 100,000-character line, as long as one model turn can be (a quarter of it).
        { content: [edit('data/long.txt', ` start\n-${'x'.repeat(24_000)}THERE\n+short`)] },
        { content: [{ tool: 'finish', arguments: { summary: 'Edited what could be edited.' } }] },
      ],
    },
  },
};

describe('adversarial: edits that change only what they name', () => {
  test('auto mode: untouched lines keep their bytes; prefixes, other files\' headers and hidden characters are refused; a near miss on a 100,000-character line gets a bounded report', { timeout: 150000 }, async () => {
    const repo = makeWorkspace(files);
    const before = captureWorld(repo);
    const server = await startFakeModelServer({ scenario });
    const session = await startVerifySession(repo, server, { testCommand: 'node -e 0' });
    try {
      await session.start('Edit the files', 'auto');
      const finished = await session.log.waitFor('run/finished', undefined, 120000);
      assert.equal(finished.status, 'completed', finished.reason);
      const [, afterEdits, afterLong] = requestsOf(server, 'worker-s1');
      const results = [...lastToolResults(afterEdits ?? assert.fail('the worker was not called again')), ...lastToolResults(afterLong ?? assert.fail('nor a third time'))];
      assert.deepEqual(results.map((result) => result.isError), [false, false, false, true, true, true, true, true], JSON.stringify(results.map((result) => result.text.slice(0, 300))));
      const [tabs, , , prefixed, header, hidden, created, long] = results;
      assert.match(tabs?.text ?? '', /^Edited src\/tabs\.js: the hunk was applied\./);
      assert.match(prefixed?.text ?? '', /patch line 3 \(hunk 1\) carries a read_file line-number prefix \("2│"\)/);
      assert.match(header?.text ?? '', /^Refused: the patch's header on patch line 2 names "b\/src\/other\.js", but path is "src\/target\.js"; nothing was written\./);
      assert.match(hidden?.text ?? '', /invisible or reorder text: ⟦U\+202E⟧ ⟦U\+2066⟧ ⟦U\+2069⟧/);
      assert.match(created?.text ?? '', /^Refused: the content for src\/new\.js holds characters that are invisible or reorder text: ⟦U\+200B⟧ ⟦U\+E0041⟧/);
      assert.ok((long?.text.length ?? Infinity) < 3_000, `the long-line report has ${String(long?.text.length)} characters`);
      assert.match(long?.text ?? '', /characters omitted/);
      // Byte for byte: exactly the named lines changed; every refused edit left its file as it was, and src/new.js was never created.
      assertOnlyChanged(before, captureWorld(repo), expected);
    } finally {
      await session.close();
      await server.close();
      repo.remove();
    }
  });
});
