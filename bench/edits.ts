/** 20 search/replace hunks applied to a generated 10,000-line file, then its unified diff. */
import { applySearchReplace, unifiedDiff, type EditBlock } from '../src/agent/edits';
import { measured, now, type Figure } from './stats';

const LINES = 10000;
const HUNKS = 20;

function generatedFile(): string {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i += 1) {
    lines.push(i % 50 === 0 ? `export function fn${i}(value: number): number {` : i % 50 === 49 ? '}' : `  const v${i} = value * ${i} + ${i % 7}; // line ${i}`);
  }
  return `${lines.join('\n')}\n`;
}

function blocks(): EditBlock[] {
  return Array.from({ length: HUNKS }, (_, k) => {
    const i = Math.floor(((k + 0.5) * LINES) / HUNKS) + 1;
    const line = (n: number): string => `  const v${n} = value * ${n} + ${n % 7}; // line ${n}`;
    return { oldText: `${line(i)}\n${line(i + 1)}`, newText: `${line(i)}\n  const extra${i} = v${i} - 1;\n${line(i + 1).replace('value', 'extra' + String(i))}` };
  });
}

export function editsFigure(runs: number): Figure {
  const text = generatedFile();
  const edits = blocks();
  const samples: number[] = [];
  let diffLines = 0;
  for (let i = 0; i < runs + 2; i += 1) {
    const start = now();
    const outcome = applySearchReplace(text, edits);
    const diff = unifiedDiff(text, outcome.text, { path: 'src/big.ts' });
    const took = now() - start;
    if (!outcome.changed) throw new Error('the edit benchmark applied nothing');
    diffLines = diff.split('\n').length;
    if (i >= 2) samples.push(took); // the first two warm the JIT
  }
  return measured({ id: 'edits.apply', name: `Apply ${HUNKS} hunks to a ${LINES.toLocaleString('en')}-line file + unified diff`, unit: 'ms', target: 50, comparison: 'max', samples, note: `in-process; diff ${diffLines} lines; ${runs} runs after 2 warm-ups` });
}
