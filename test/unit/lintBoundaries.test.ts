import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from './support/bundles';

const eslint = new ESLint({ cwd: repoRoot });
const importsVscode = "import * as vscode from 'vscode';\nexport const uri = vscode.Uri.file('/');\n";

async function restrictedImportMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries are enforced by lint', () => {
  for (const file of ['src/agent/providerDetection.ts', 'src/tools/defineTool.ts', 'src/server/main.ts', 'src/protocol/method.ts']) {
    test(`${file} may not import vscode`, async () => {
      const messages = await restrictedImportMessages(importsVscode, file);
      assert.ok(messages.some((message) => /Only src\/extension\.ts and src\/client/.test(message)), messages.join('\n'));
    });
  }

  test('src/client may import vscode', async () => {
    assert.deepEqual(await restrictedImportMessages(importsVscode, 'src/client/commands.ts'), []);
  });

  test('protocol/ may not use Node built-ins', async () => {
    const messages = await restrictedImportMessages("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src/protocol/method.ts');
    assert.ok(messages.some((message) => /browser/.test(message)), messages.join('\n'));
  });

  test("the tree-shaking-hostile `import { z } from 'zod'` is refused", async () => {
    const [result] = await eslint.lintText("import { z } from 'zod';\nexport const s = z.string();\n", { filePath: 'src/agent/providerDetection.ts' });
    assert.ok(result?.messages.some((m) => m.ruleId === 'no-restricted-syntax'));
  });
});
