import type { Plan, PlanStep } from '../protocol/plan';
import { describeCost } from '../protocol/cost';
import { paint, type Terminal } from './terminal';

const marks: Record<PlanStep['status'], { mark: string; color: 'green' | 'red' | 'yellow' | 'gray' | 'cyan' }> = {
  pending: { mark: '○', color: 'gray' },
  running: { mark: '◐', color: 'cyan' },
  verifying: { mark: '◑', color: 'cyan' },
  done: { mark: '●', color: 'green' },
  failed: { mark: '✗', color: 'red' },
  skipped: { mark: '–', color: 'yellow' },
  cancelled: { mark: '–', color: 'yellow' },
};

/** The live plan as the terminal shows it: one line per step, redrawn in place on a TTY. */
export function renderPlanForTerminal(plan: Plan, terminal: Pick<Terminal, 'colors'>, width = 100): string {
  const done = plan.steps.filter((step) => step.status === 'done').length;
  // A model without a price: tokens, not a dollar figure that leaves its calls out.
  const cost = describeCost(plan.cost);
  const header = `${paint(terminal, 'bold', 'Plan')} ${plan.summary.split('\n')[0] ?? ''}`.slice(0, width + 20);
  const status = paint(terminal, 'dim', `${plan.status} · ${done}/${plan.steps.length} steps · ${cost}`);
  const lines = plan.steps.map((step) => {
    const { mark, color } = marks[step.status];
    const files = step.files.length > 0 ? paint(terminal, 'dim', ` [${step.files.join(', ')}]`) : '';
    const after = step.dependsOn.length > 0 ? paint(terminal, 'dim', ` after ${step.dependsOn.join(', ')}`) : '';
    // Shown before approval: these tests may stop running without failing the step.
    const removes = step.removesTests !== undefined ? paint(terminal, 'yellow', `\n      removes tests: ${step.removesTests.join(', ')}`) : '';
    // The model of the latest attempt (an escalated retry runs on the strong one) and the last review's outcome.
    const attempt = step.attempts.at(-1);
    const lastReview = step.reviews?.at(-1);
    const model = attempt?.model !== undefined ? paint(terminal, 'dim', ` · ${attempt.model}`) : '';
    const reviewed = lastReview !== undefined ? paint(terminal, lastReview.outcome === 'approved' ? 'green' : 'yellow', ` · review ${lastReview.outcome === 'failed' ? 'no verdict' : lastReview.outcome}`) : '';
    const note = step.status === 'failed' && step.error !== undefined ? paint(terminal, 'red', `\n      ${step.error.split('\n')[0] ?? ''}`) : '';
    return `  ${paint(terminal, color, mark)} ${step.id} ${step.title}${files}${after}${model}${reviewed}${removes}${note}`;
  });
  return [header, status, ...lines].join('\n');
}
