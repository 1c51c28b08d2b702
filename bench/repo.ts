/** Throw-away git repositories for the benchmarks: the greeter fixture or N generated files. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..');

export interface BenchRepo {
  readonly root: string;
  remove(): void;
}

function commitAll(root: string): void {
  for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'fixture']]) {
    const result = spawnSync('git', ['-c', 'user.name=Plumbline Bench', '-c', 'user.email=bench@plumbline.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  }
}

function fresh(): { parent: string; root: string } {
  const parent = mkdtempSync(join(tmpdir(), 'plumbline-bench-'));
  const root = join(parent, 'repo');
  mkdirSync(root);
  return { parent, root };
}

export function fixtureRepo(name: string): BenchRepo {
  const { parent, root } = fresh();
  cpSync(join(repoRoot, 'test', 'fixtures', 'repos', name), root, { recursive: true });
  commitAll(root);
  return { root, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** `src/f1.js` … `src/fN.js`, each `exports.valueK = K;`, and no test command. */
export function generatedRepo(files: number): BenchRepo {
  const { parent, root } = fresh();
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'README.md'), '# bench\n');
  for (let k = 1; k <= files; k += 1) writeFileSync(join(root, 'src', `f${k}.js`), `// file ${k}\nexports.value${k} = ${k};\n`);
  commitAll(root);
  return { root, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
