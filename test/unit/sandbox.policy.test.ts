/**
 * The sandbox's parts, each on its own: the environment allowlist, the output scrubber, the
 * bubblewrap mount table and the Seatbelt profile, the host filter of the network proxy, and the
 * fail-closed gate.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bubblewrapArgs } from '../../src/agent/sandbox/bubblewrap';
import { detectSandbox, UNAVAILABLE_SWITCH } from '../../src/agent/sandbox/detectSandbox';
import { ExecutionGate, SandboxRefusedError } from '../../src/agent/sandbox/executionGate';
import { hostAllowed, isInternalAddress } from '../../src/agent/sandbox/networkProxy';
import { sandboxEnvironment } from '../../src/agent/sandbox/sandboxEnvironment';
import { copyPolicy, defaultSandboxSettings, seenCopyPath } from '../../src/agent/sandbox/sandboxPolicy';
import { seatbeltProfile } from '../../src/agent/sandbox/seatbelt';
import type { SandboxPolicy } from '../../src/agent/sandbox/sandboxTypes';
import { createOutputScrubber, secretValues } from '../../src/agent/sandbox/scrubOutput';

const policy: SandboxPolicy = {
  cwd: '/tmp/plumbline-verify/plumbline-verify-1-abc/repo',
  writable: ['/tmp/plumbline-verify/plumbline-verify-1-abc'],
  readable: ['/home/ada/project/node_modules', '/home/ada/project/.git', '/home/ada/.nvm/versions'],
  hidden: ['/home/ada/project'],
  privateLayers: ['/home/ada/project/node_modules/.cache'],
  allowedHosts: [],
  env: { PATH: '/usr/bin', HOME: '/home/ada' },
};

describe('the environment is an allowlist', () => {
  const source = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/ada',
    LANG: 'en_US.UTF-8',
    LC_TIME: 'C',
    MY_DB_PASS: 'hunter2hunter2',
    DATABASE_URL: 'postgres://ada:pw@db/app',
    AWS_PROFILE: 'prod',
    SSH_AUTH_SOCK: '/run/ssh.sock',
    NODE_OPTIONS: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123',
    JAVA_HOME: '/usr/lib/jvm/17',
    NODE_TEST_CONTEXT: 'child',
  };

  test('keeps what shells, locales and toolchains need, and nothing else', () => {
    const { env, dropped } = sandboxEnvironment(source);
    assert.deepEqual(Object.keys(env).sort(), ['HOME', 'JAVA_HOME', 'LANG', 'LC_TIME', 'PATH']);
    assert.deepEqual(dropped, ['AWS_PROFILE', 'DATABASE_URL', 'MY_DB_PASS', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT', 'SSH_AUTH_SOCK']);
  });

  test('settings add names, but never the agent socket, and a key-shaped value is dropped even when allowed', () => {
    const { env } = sandboxEnvironment(source, { extraNames: ['DATABASE_URL', 'SSH_AUTH_SOCK'], overrides: { TMPDIR: '/tmp' } });
    assert.equal(env.DATABASE_URL, 'postgres://ada:pw@db/app');
    assert.equal(env.SSH_AUTH_SOCK, undefined);
    assert.equal(env.NODE_OPTIONS, undefined, 'NODE_OPTIONS holds a key');
    assert.equal(env.TMPDIR, '/tmp');
  });
});

describe('what commands print is scrubbed before anyone reads it', () => {
  test('the copy\'s temporary paths become the workspace, and secrets of the real environment are redacted', () => {
    const env = { HOME: '/home/ada', OPENAI_API_KEY: 'sk-live-0123456789abcdefghij', MY_DB_PASS: 'x7Hq2LmP9zR4', EDITOR: 'vim', PATH: '/usr/bin' };
    const scrub = createOutputScrubber({ paths: { copy: ['/tmp/plumbline-verify/plumbline-verify-1-abc/repo'], workspace: '/home/ada/project' }, secrets: secretValues(env, new Set(['HOME', 'PATH'])) });
    const output = [
      'at /tmp/plumbline-verify/plumbline-verify-1-abc/repo/src/a.js:3:7',
      'key=sk-live-0123456789abcdefghij pass=x7Hq2LmP9zR4 editor=vim',
      'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 remote https://ada:s3cret@github.com/o/r.git',
    ].join('\n');
    assert.equal(
      scrub(output),
      ['at /home/ada/project/src/a.js:3:7', 'key=[redacted: $OPENAI_API_KEY] pass=[redacted: $MY_DB_PASS] editor=vim', 'token [redacted: key] remote https://ada:[redacted]@github.com/o/r.git'].join('\n'),
    );
  });
});

describe('bubblewrap', () => {
  const args = bubblewrapArgs(policy, { userns: true, home: '/home/ada' });
  const pairs = (flag: string): string[] => args.flatMap((arg, index) => (arg === flag ? [args[index + 1] ?? ''] : []));

  test('no capabilities, no nested user namespaces, no network, and nothing outlives it', () => {
    for (const flag of ['--unshare-user', '--disable-userns', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--die-with-parent', '--new-session']) assert.ok(args.includes(flag), flag);
    assert.deepEqual(pairs('--cap-drop'), ['ALL']);
  });

  test('the disk is read-only, the home folder and the workspace are hidden, then only the policy\'s folders come back', () => {
    assert.deepEqual(args.slice(args.indexOf('--ro-bind'), args.indexOf('--ro-bind') + 3), ['--ro-bind', '/', '/']);
    const tmpfs = pairs('--tmpfs');
    assert.ok(tmpfs.includes('/tmp') && tmpfs.includes('/home') && tmpfs.includes('/home/ada/project'), tmpfs.join(' '));
    // Order matters: a mount hides what an earlier one showed.
    const hiddenAt = args.indexOf('/home/ada/project');
    const readableAt = args.indexOf('/home/ada/project/node_modules');
    const writableAt = args.indexOf('/tmp/plumbline-verify/plumbline-verify-1-abc');
    const layerAt = args.lastIndexOf('/home/ada/project/node_modules/.cache');
    assert.ok(hiddenAt < readableAt && readableAt < writableAt && writableAt < layerAt, args.join(' '));
    assert.deepEqual(pairs('--bind'), ['/tmp/plumbline-verify/plumbline-verify-1-abc']);
    assert.deepEqual(pairs('--ro-bind-try'), policy.readable);
    assert.deepEqual(pairs('--chdir'), [policy.cwd]);
  });
});

describe('one path for every copy of a workspace (bubblewrap), so caches keyed by path stay warm', () => {
  const layout = { scratch: '/tmp/plumbline-verify/plumbline-verify-1-abc', path: '/tmp/plumbline-verify/plumbline-verify-1-abc/pkg', sources: ['/home/ada/project/pkg', '/home/ada/project'], linkedFolders: [] };
  const seen = seenCopyPath('/home/ada/project/pkg');

  test('the path is the workspace\'s, in the sandbox\'s private /tmp, and named like a copy', () => {
    assert.equal(seen, seenCopyPath('/home/ada/project/pkg'));
    assert.notEqual(seen, seenCopyPath('/home/ada/other'));
    assert.match(seen, /^\/tmp\/plumbline-verify-0-[0-9a-f]{16}$/);
  });

  test('the copy is bound there too, after its own path, and the command starts in it', () => {
    const prepared = copyPolicy(layout, defaultSandboxSettings, { HOME: '/home/ada', PATH: '/usr/bin' }, seen);
    assert.equal(prepared.policy.cwd, `${seen}/pkg`);
    assert.equal(prepared.policy.env.PWD, `${seen}/pkg`);
    const args = bubblewrapArgs(prepared.policy, { userns: true, home: '/home/ada' });
    const binds = args.flatMap((arg, index) => (arg === '--bind' ? [`${args[index + 1] ?? ''} -> ${args[index + 2] ?? ''}`] : []));
    assert.deepEqual(binds, [`${layout.scratch} -> ${layout.scratch}`, `${layout.scratch} -> ${seen}`]);
    assert.deepEqual(args.slice(args.indexOf('--chdir'), args.indexOf('--chdir') + 2), ['--chdir', `${seen}/pkg`]);
  });

  test('output naming that path names the workspace (the copy) and the repository (the rest of the scratch folder)', () => {
    const prepared = copyPolicy(layout, defaultSandboxSettings, { HOME: '/home/ada', PATH: '/usr/bin' }, seen);
    assert.equal(prepared.scrub(`at ${seen}/pkg/src/a.js:3 and ${seen}/shared/b.js`), 'at /home/ada/project/pkg/src/a.js:3 and /home/ada/project/shared/b.js');
  });

  test('without it (Seatbelt, unconfined) the copy is where it is', () => {
    const prepared = copyPolicy(layout, defaultSandboxSettings, { HOME: '/home/ada', PATH: '/usr/bin' });
    assert.equal(prepared.policy.cwd, layout.path);
    assert.deepEqual(prepared.policy.aliases, []);
  });
});

describe('Seatbelt (macOS)', () => {
  const profile = seatbeltProfile(policy, { home: '/Users/ada', tempDir: '/private/tmp/sb' });

  test('writes are denied but for the copy and a private temp folder; the network but for loopback', () => {
    const lines = profile.split('\n');
    assert.ok(lines.indexOf('(deny file-write*)') < lines.findIndex((line) => line.startsWith('(allow file-write*')), 'the allow comes last, so it wins');
    assert.match(profile, /\(allow file-write\* \(subpath "\/tmp\/plumbline-verify\/plumbline-verify-1-abc"\) \(subpath "\/private\/tmp\/sb"\)/);
    assert.match(profile, /\(deny network\*\)\n\(allow network\* \(remote ip "localhost:\*"\)/);
  });

  test('the home folder and the workspace cannot be read, except the readable folders', () => {
    assert.match(profile, /\(deny file-read\* \(subpath "\/Users"\) \(subpath "\/Users\/ada"\) \(subpath "\/home\/ada\/project"\)/);
    assert.match(profile, /\(allow file-read\* \(subpath "\/home\/ada\/project\/node_modules"\)/);
  });
});

test('the proxy lets through only the allowed hosts and their subdomains', () => {
  const allowed = ['registry.npmjs.org', '*.pythonhosted.org'];
  assert.equal(hostAllowed('registry.npmjs.org', allowed), true);
  assert.equal(hostAllowed('REGISTRY.npmjs.org.', allowed), true);
  assert.equal(hostAllowed('files.pythonhosted.org', allowed), true);
  assert.equal(hostAllowed('pythonhosted.org', allowed), false);
  assert.equal(hostAllowed('evilpythonhosted.org', allowed), false);
  assert.equal(hostAllowed('registry.npmjs.org.evil.com', allowed), false);
  assert.equal(hostAllowed('collector.invalid', allowed), false);
});

describe('without a sandbox, the gate fails closed', () => {
  const missing = Promise.resolve({ kind: 'none' as const, reason: 'bubblewrap (bwrap) is not installed.', remedy: 'Install bubblewrap.' });
  const signal = new AbortController().signal;

  test('nobody to ask: refused, saying how to install one and which flag chooses', async () => {
    const gate = new ExecutionGate({ availability: missing });
    await assert.rejects(gate.forUnreviewed(signal), (error: unknown) => error instanceof SandboxRefusedError && !error.cancelled && /Install bubblewrap\..*--unsandboxed review-first/.test(error.message));
    // The baseline (the user's own code) still runs, unconfined.
    assert.equal((await gate.forBaseline()).kind, 'unconfined');
  });

  test('the user is asked once per run, whatever is run after', async () => {
    let asked = 0;
    const gate = new ExecutionGate({ availability: missing, ask: () => { asked += 1; return Promise.resolve('review-first'); } });
    const answers = await Promise.all([gate.forUnreviewed(signal), gate.forUnreviewed(signal), gate.forUnreviewed(signal)]);
    assert.equal(asked, 1);
    assert.deepEqual(answers.map((answer) => answer.kind), ['withheld', 'withheld', 'withheld']);
    assert.equal(await gate.choice(), 'review-first');
  });

  test('a failing question counts as a refusal; cancel stops the run as cancelled', async () => {
    await assert.rejects(new ExecutionGate({ availability: missing, ask: () => Promise.reject(new Error('no handler')) }).forUnreviewed(signal), SandboxRefusedError);
    await assert.rejects(new ExecutionGate({ availability: missing, ask: () => Promise.resolve('cancel') }).forUnreviewed(signal), (error: unknown) => error instanceof SandboxRefusedError && error.cancelled);
    const run = await new ExecutionGate({ availability: missing, preset: 'run' }).forUnreviewed(signal);
    assert.equal(run.kind, 'unconfined');
  });

  test('the test switch makes detection report none, with its own name as the reason', async () => {
    const found = await detectSandbox({ ...process.env, [UNAVAILABLE_SWITCH]: '1' });
    assert.equal(found.kind, 'none');
    assert.match('reason' in found ? found.reason : '', new RegExp(UNAVAILABLE_SWITCH));
  });
});

test('the proxy never connects to the machine\'s own or private addresses unless that address itself is allowed', () => {
  for (const internal of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.0.1']) {
    assert.equal(isInternalAddress(internal), true, internal);
  }
  for (const external of ['104.16.0.1', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) assert.equal(isInternalAddress(external), false, external);
});
