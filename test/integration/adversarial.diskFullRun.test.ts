/**
 * A real full disk during a run's apply: the workspace lives on a small tmpfs, which the test fills
 * while the review is open. Needs permission to mount (root in a container); skipped otherwise,
 * adversarial.diskFull.test.ts covers every failure point in-process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeModelServer } from '../fake-model/index';
import { runResumeRequest } from '../../src/protocol/methods';
import { assertOnlyChanged, captureWorld, makeWorkspace } from '../unit/support/adversarialHarness';
import { spawnCli } from '../unit/support/scenarioHarness';
import { acceptAll, startVerifySession } from '../unit/support/verifyHarness';

const small = "module.exports = 'small';\n";
const bigText = `module.exports = ${JSON.stringify('x'.repeat(24_000))};\n`;

const scenario = {
  name: 'adversarial-disk-full-run',
  onExhausted: 'error' as const,
  latency: { ttftMs: 10, tokensPerSecond: 1_000_000 },
  chunkChars: 65536,
  roles: {
    orchestrator: {
      match: { system: "Plumbline's orchestrator" },
      turns: [{ content: [{ tool: 'submit_plan', arguments: { summary: 'Grow the module.', steps: [{ id: 's1', title: 'Grow', instructions: 'Edit small.js, create zbig.js.', files: ['src/small.js', 'src/zbig.js'] }] } }] }],
    },
    'worker-s1': {
      match: { system: 'Plumbline worker' },
      turns: [
        {
          content: [
            { tool: 'edit_file', arguments: { path: 'src/small.js', patch: "-module.exports = 'small';\n+module.exports = 'small, edited';" } },
            { tool: 'create_file', arguments: { path: 'src/zbig.js', content: bigText } },
            { tool: 'finish', arguments: { summary: 'Edited small.js and created zbig.js.' } },
          ],
        },
      ],
    },
  },
};

function tmpFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.tmp'));
}

test('disk full during a real apply: each file old or new, a clear error naming resume and undo; after freeing space resume lands the rest and undo restores everything', { timeout: 150000 }, async (t) => {
  const mount = mkdtempSync(join(tmpdir(), 'plumbline-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmSync(mount, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (${mounted.stderr.trim() || 'mount failed'})`);
    return;
  }
  const filler = join(mount, 'filler');
  let fill = true;
  const server = await startFakeModelServer({ scenario });
  try {
    const repo = makeWorkspace({ 'src/small.js': small, 'package.json': '{ "name": "full", "private": true }\n' }, { under: mount });
    const before = captureWorld(repo);
    const session = await startVerifySession(repo, server, {
      testCommand: 'node -e 0',
      onReview: (params) => {
        if (fill) {
          // Leave about 20 KB: enough for the run's own bookkeeping, not for big.js.
          const stats = statfsSync(mount);
          writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 20 * 1024)));
          fill = false;
        }
        return acceptAll(params);
      },
    });
    try {
      const { runId } = await session.start('Grow the module', 'end');
      const failed = await session.log.waitFor('run/finished', undefined, 90000);
      assert.equal(failed.status, 'failed');
      assert.match(failed.reason ?? '', /ENOSPC/, JSON.stringify([...session.log.of('tool/result'), ...session.log.of('verification')]).slice(0, 3000));
      assert.match(failed.reason ?? '', /^Applying the changes stopped at src\/zbig\.js: the disk is full \(ENOSPC\)\. 1 of 2 file\(s\) were written \(src\/small\.js\); src\/zbig\.js is unchanged\. Every file is either as it was or fully updated, never half-written\./);
      assert.match(failed.reason ?? '', new RegExp(`Free some disk space \\(or fix the cause\\), then resume the run to land the rest \\(plumbline resume ${runId}, or Plumbline: Resume Run\\), or undo it to restore the files it changed \\(plumbline undo ${runId}`));
      assert.deepEqual(tmpFiles(repo.root), [], 'no temporary file is left');
      assertOnlyChanged(before, captureWorld(repo), { 'src/small.js': "module.exports = 'small, edited';\n" });

      // Space freed: the journal still holds the change, so the run resumes and lands the rest.
      rmSync(filler);
      await session.session.request(runResumeRequest, { runId });
      const resumed = await session.log.waitFor('run/finished', (event) => event !== failed, 90000);
      assert.equal(resumed.status, 'completed', resumed.reason);
      assert.deepEqual([...resumed.applied].sort(), ['src/small.js', 'src/zbig.js']);
      assertOnlyChanged(before, captureWorld(repo), { 'src/small.js': "module.exports = 'small, edited';\n", 'src/zbig.js': bigText });
    } finally {
      await session.close();
    }

    // And undo puts back the pre-run bytes of both files (the checkpoint was written before the first byte landed).
    const undo = await spawnCli(['undo', (await import('node:fs')).readdirSync(join(repo.root, '.plumbline', 'runs'))[0] ?? '', '--cwd', repo.root], process.env).done;
    assert.equal(undo.code, 0, undo.stderr);
    assertOnlyChanged(before, captureWorld(repo));
    assert.deepEqual(tmpFiles(repo.root), []);
  } finally {
    await server.close();
    spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});
