import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTerminal, screenRows } from '../../src/cli/terminal';
import { FakeScreen } from './support/fakeScreen';

const plan = (done: number): string => ['Plan Rename foo', `running · ${done}/3 steps`, ...[1, 2, 3].map((n) => `  ${n <= done ? '●' : '○'} s${n} step ${n}`)].join('\n');

describe('the CLI status block: the live plan at the bottom, redrawn in place', () => {
  test('on a TTY, events scroll above the plan, which appears once, at the bottom, as it is now', () => {
    const screen = new FakeScreen(80);
    const terminal = createTerminal(screen, {});
    terminal.write('Plumbline run r1\n');
    terminal.redraw(plan(0));
    for (let step = 1; step <= 3; step++) {
      terminal.write(`✓ s${step} done\n`);
      terminal.redraw(plan(step));
    }
    const lines = screen.text();
    assert.deepEqual(lines, ['Plumbline run r1', '✓ s1 done', '✓ s2 done', '✓ s3 done', ...plan(3).split('\n')]);
    assert.equal(lines.filter((line) => line.startsWith('Plan ')).length, 1, 'the plan block is on the screen once');
  });

  test('lines longer than the terminal wrap, and the redraw still leaves nothing behind (also after a resize)', () => {
    const screen = new FakeScreen(20);
    const terminal = createTerminal(screen, {});
    const long = (done: number): string => `${plan(done)}\n  files: ${'src/very/long/path.ts, '.repeat(3)}`;
    terminal.redraw(long(0));
    terminal.write(`an event line that is longer than twenty columns\n`);
    terminal.redraw(long(1));
    // The window gets wider: the terminal re-wraps what is on it, and the block is counted at the new width.
    screen.columns = 200;
    terminal.write('after the resize\n');
    terminal.redraw(long(2));
    const text = screen.text().join('\n');
    assert.equal(text.split('Plan Rename foo').length - 1, 1, `one plan block:\n${text}`);
    assert.ok(text.endsWith(long(2)), `the block is last:\n${text}`);
    assert.ok(text.includes('an event line that is longer than twenty columns'));
    assert.ok(text.indexOf('after the resize') < text.indexOf('Plan Rename foo'));
  });

  test('a line that ends mid-way (a prompt) is not drawn under; settle leaves the block printed above a question', () => {
    const screen = new FakeScreen(80);
    const terminal = createTerminal(screen, {});
    terminal.redraw(plan(1));
    terminal.settle();
    terminal.write('Run this plan? ');
    assert.deepEqual(screen.text(), [...plan(1).split('\n'), 'Run this plan? ']);
  });

  test('off a TTY (a pipe, a log) nothing is moved: lines are appended, the plan when it changed', () => {
    const written: string[] = [];
    const terminal = createTerminal({ isTTY: false, write: (text: string) => written.push(text) }, {});
    terminal.redraw('plan A');
    terminal.write('event\n');
    terminal.redraw('plan A');
    terminal.redraw('plan B');
    assert.deepEqual(written, ['plan A\n', 'event\n', 'plan B\n']);
    assert.ok(!written.join('').includes('\x1b'), 'no escape sequences off a TTY');
  });

  test('rows are counted at the terminal width, colour codes taking no room', () => {
    assert.equal(screenRows('abc\ndef', 80), 2);
    assert.equal(screenRows(`${'x'.repeat(20)}\n${'y'.repeat(21)}`, 20), 3);
    assert.equal(screenRows(`\x1b[32m${'x'.repeat(20)}\x1b[0m`, 20), 1);
    assert.equal(screenRows('a\nb', undefined), 2);
  });
});

