// Runs peers' published edit cases (OpenAI Codex's apply-patch scenarios, Aider's search/replace
// tests), rewritten as edit_file calls, through the real tool and worker context, and checks that
// docs/edit-compatibility.md reports each one as it came out. The cases are our own tests written
// from the upstream ones; each names the case it derives from.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { workerContext } from '../../../src/agent/run/toolContexts';
import { createDiskWorkspace } from '../../../src/agent/workspace/diskWorkspace';
import { StagedWorkspace } from '../../../src/agent/workspace/stagedWorkspace';
import { invokeTool, toolRegistry } from '../../../src/tools/defineTool';
import { editFileTool } from '../../../src/tools/editFile';
import { repoRoot } from './bundles';

/** What a case leaves: the edited file's text, or a refusal with every file as it was. */
export type Outcome = { readonly kind: 'file'; readonly after: string } | { readonly kind: 'refused'; readonly message: RegExp };

export type Status = 'pass' | 'differs by design' | 'redirected';

export interface CompatCase {
  /** The upstream case: a scenario folder or a test function's name. */
  readonly id: string;
  /** Where it is published (repository path). */
  readonly source: string;
  /** The files before, relative to the workspace; a path missing here does not exist. */
  readonly files: Readonly<Record<string, string>>;
  /** The edit_file call: the first file the patch names. */
  readonly path: string;
  readonly patch: string;
  /** What the upstream tool does. */
  readonly upstream: Outcome;
  /**
   * Set when Plumbline deliberately does otherwise: `redirected` when another tool does the
   * operation (create_file, delete_file, one call per file) and the refusal says which.
   */
  readonly ours?: { readonly status: Exclude<Status, 'pass'>; readonly outcome: Outcome; readonly why: string };
}

export function statusOf(compat: CompatCase): Status {
  return compat.ours?.status ?? 'pass';
}

/** Registers one test per case. */
export function compatTests(cases: readonly CompatCase[]): void {
  for (const compat of cases) {
    test(`${compat.id} (${statusOf(compat)})`, async () => {
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'plumbline-compat-')));
      try {
        for (const [path, text] of Object.entries(compat.files)) {
          mkdirSync(dirname(join(root, path)), { recursive: true });
          writeFileSync(join(root, path), text);
        }
        const staged = new StagedWorkspace(createDiskWorkspace(root));
        const context = workerContext(staged, [compat.path], new AbortController().signal, { summary: undefined, blocked: false });
        const result = await invokeTool(toolRegistry([editFileTool]), 'edit_file', { path: compat.path, patch: compat.patch }, context);
        const read = async (path: string): Promise<string | undefined> => {
          const content = await staged.readFile(path);
          return content === undefined ? undefined : Buffer.from(content.bytes).toString('utf8');
        };
        const expected = compat.ours?.outcome ?? compat.upstream;
        if (expected.kind === 'file') {
          assert.equal(await read(compat.path), expected.after, result.content);
        } else {
          assert.equal(result.isError, true, result.content);
          assert.match(result.content, expected.message);
          for (const [path, text] of Object.entries(compat.files)) assert.equal(await read(path), text, `${path} is unchanged`);
          // Nothing was created at the path either (reading a folder, as in a case about one, throws).
          if (compat.files[compat.path] === undefined) assert.equal(await read(compat.path).catch(() => undefined), undefined);
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
}

export const compatDoc = 'docs/edit-compatibility.md';

/** The doc's rows: `| id | … | status |` lines of its tables, by id. */
function docRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(join(repoRoot, compatDoc), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const id = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const status = cells[cells.length - 2];
    if (id !== undefined && status !== undefined) rows.set(id, status.replace(/\*/g, ''));
  }
  return rows;
}

/** Checks that the doc lists every case with the status it has, and states the suite's totals. */
export function compatDocTest(suite: string, cases: readonly CompatCase[]): void {
  test(`${compatDoc} reports every ${suite} case as it comes out, with the totals`, () => {
    const rows = docRows();
    for (const compat of cases) assert.equal(rows.get(compat.id), statusOf(compat), `the row for ${compat.id}`);
    const passed = cases.filter((compat) => statusOf(compat) === 'pass').length;
    const redirected = cases.filter((compat) => statusOf(compat) === 'redirected').length;
    const summary = `| ${suite} | ${cases.length} | ${passed} | ${cases.length - passed - redirected} | ${redirected} |`;
    assert.ok(readFileSync(join(repoRoot, compatDoc), 'utf8').includes(summary), `the summary row ${summary}`);
  });
}
