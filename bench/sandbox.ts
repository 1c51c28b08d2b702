/**
 * `sandbox.perRun`: what the sandbox adds to one verification. The cost is fixed per run (the
 * policy, the launch, bubblewrap's namespaces and mounts, the copy's snapshot and sweep), so it is
 * taken with a command that does nothing (`true`), where a test suite's own run-to-run noise (often
 * ±100 ms) cannot hide it: the same command on the same copy of the greeter repository, inside the
 * sandbox and unconfined, alternately; the figure is the median of the per-pair differences.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectSandbox } from '../src/agent/sandbox/detectSandbox';
import { runConfined } from '../src/agent/sandbox/runConfined';
import { defaultSandboxSettings } from '../src/agent/sandbox/sandboxPolicy';
import { isSandbox } from '../src/agent/sandbox/sandboxTypes';
import { createIsolatedWorkspace } from '../src/agent/verify/isolatedWorkspace';
import { repoRoot } from './repo';
import { measured, notMeasured, now, type Figure } from './stats';

const id = 'sandbox.perRun';
const name = 'Sandbox cost per verification (fixed, per command run)';

export async function sandboxFigure(runs: number): Promise<Figure> {
  const found = await detectSandbox();
  if (!isSandbox(found)) return notMeasured(id, name, 'ms', 50, 'max', `not measured: no sandbox here (${found.reason})`);
  const parent = mkdtempSync(join(tmpdir(), 'plumbline-bench-sandbox-'));
  const root = join(parent, 'repo');
  cpSync(join(repoRoot, 'test', 'fixtures', 'repos', 'greeter'), root, { recursive: true });
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', 'commit', '-qm', 'b']]) spawnSync('git', args, { cwd: root });
  const copy = await createIsolatedWorkspace({ root });
  try {
    const command = 'true';
    const once = async (sandboxed: boolean): Promise<number> => {
      const start = now();
      if (sandboxed) await copy.watch();
      const result = await runConfined({ command, layout: await copy.layout(), confinement: sandboxed ? { kind: 'sandbox', sandbox: found } : { kind: 'unconfined', why: 'bench' }, settings: defaultSandboxSettings, timeoutMs: 60000 });
      if (sandboxed) await copy.sweep();
      if (result.exitCode !== 0) throw new Error(`the command failed (${sandboxed ? 'sandboxed' : 'unconfined'}): ${result.output.slice(-400)}`);
      return now() - start;
    };
    await once(true);
    await once(false);
    const samples: number[] = [];
    const pairs = Math.max(15, runs * 5);
    for (let i = 0; i < pairs; i += 1) {
      // Alternate which goes first, so a drift in the machine's load falls on both.
      const [a, b] = i % 2 === 0 ? [await once(true), await once(false)] : [await once(false), await once(true)].reverse();
      samples.push((a ?? 0) - (b ?? 0));
    }
    return measured({ id, name, unit: 'ms', target: 50, comparison: 'max', samples, note: `${found.description}; sandboxed minus unconfined, same copy and command, ${pairs} alternating pairs after a warm-up of each; includes building the policy, the launch, the namespaces and mounts, and the copy's snapshot and sweep` });
  } finally {
    await copy.dispose();
    rmSync(parent, { recursive: true, force: true });
  }
}
