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

  // The import zones: every layer, every layer it may not reach, and the ones it may.
  const layers = ['protocol', 'tools', 'agent', 'server', 'cli', 'client', 'webview', 'boot'] as const;
  const mayImport: Record<(typeof layers)[number], readonly string[]> = {
    protocol: [], tools: ['protocol'], agent: ['protocol', 'tools', 'boot'], server: ['protocol', 'tools', 'agent'], cli: ['protocol'], client: ['protocol'], webview: ['protocol'], boot: [],
  };
  const probes: Record<(typeof layers)[number], string> = {
    protocol: 'src/protocol/method.ts', tools: 'src/tools/defineTool.ts', agent: 'src/agent/providerDetection.ts', server: 'src/server/main.ts', cli: 'src/cli/main.ts', client: 'src/client/commands.ts', webview: 'src/webview/sidebar.ts', boot: 'src/boot/bundleLoader.ts',
  };
  for (const layer of layers) {
    test(`src/${layer} imports ${mayImport[layer].length === 0 ? 'no other layer' : `only ${mayImport[layer].join(', ')}`}`, async () => {
      // Linted as the text of a real file of the layer (the type-aware parser needs one the project knows).
      const probe = probes[layer];
      for (const target of layers.filter((other) => other !== layer)) {
        const messages = await restrictedImportMessages(`import * as x from '../${target}/anything';\nexport const y = x;\n`, probe);
        if (mayImport[layer].includes(target)) assert.deepEqual(messages, [], `${layer} → ${target} is allowed`);
        else assert.equal(messages.length, 1, `${layer} → ${target} must be refused; got ${JSON.stringify(messages)}`);
      }
    });
  }

  test('in the engine only the adapters touch the disk, processes or the network', async () => {
    for (const module of ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net']) {
      const code = `import * as system from '${module}';\nexport const s = system;\n`;
      const messages = await restrictedImportMessages(code, 'src/agent/providerDetection.ts');
      assert.ok(messages.some((message) => /engine's adapters/.test(message)), `${module}: ${messages.join('\n')}`);
      assert.deepEqual(await restrictedImportMessages(code, 'src/agent/verify/processRunner.ts'), [], `an adapter may import ${module}`);
    }
    // The adapters keep the layer's other rules.
    assert.equal((await restrictedImportMessages("import * as x from '../../server/main';\nexport const y = x;\n", 'src/agent/verify/processRunner.ts')).length, 1);
  });

  test('src/extension.ts reaches only client and protocol', async () => {
    assert.equal((await restrictedImportMessages("import * as x from './agent/run/runEngine';\nexport const y = x;\n", 'src/extension.ts')).length, 1);
    assert.deepEqual(await restrictedImportMessages("import * as x from './client/commands';\nexport const y = x;\n", 'src/extension.ts'), []);
  });

  test("the tree-shaking-hostile `import { z } from 'zod'` is refused", async () => {
    const [result] = await eslint.lintText("import { z } from 'zod';\nexport const s = z.string();\n", { filePath: 'src/agent/providerDetection.ts' });
    assert.ok(result?.messages.some((m) => m.ruleId === 'no-restricted-syntax'));
  });
});
