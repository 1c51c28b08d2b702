import { describeCost } from '../protocol/cost';
import type { PlanStep, ReviewRecord } from '../protocol/plan';
import type { RunViewModel, StepEvidence } from '../protocol/webviewMessages';
import { byId, formatCost, h, icon, plural, setAttribute, setHidden, setText } from './dom';
import { renderMarkdown } from './markdown';
import { testCounts } from './testCounts';
import { attemptModelText, reviewItem, stepReviews } from './reviewView';

const stepIcons: Record<PlanStep['status'], { icon: string; spin: boolean; label: string }> = {
  pending: { icon: 'circle-large-outline', spin: false, label: 'Pending' },
  running: { icon: 'loading', spin: true, label: 'Running' },
  verifying: { icon: 'beaker', spin: false, label: 'Verifying' },
  done: { icon: 'pass-filled', spin: false, label: 'Done' },
  failed: { icon: 'error', spin: false, label: 'Failed' },
  skipped: { icon: 'debug-step-over', spin: false, label: 'Skipped' },
  cancelled: { icon: 'circle-slash', spin: false, label: 'Cancelled' },
};

const phaseLabels: Record<string, string> = {
  starting: 'Starting',
  exploring: 'Exploring the code',
  awaiting_approval: 'Waiting for your approval',
  executing: 'Running the steps',
  reviewing: 'Waiting for your review',
  finished: 'Finishing',
};

interface StepNodes {
  readonly item: HTMLLIElement;
  readonly icon: HTMLElement;
  readonly status: HTMLElement;
  readonly title: HTMLElement;
  readonly details: HTMLElement;
  signature: string;
}

/**
 * The run's status line and its plan as a document: summary, approval buttons while the plan waits
 * for the user, and a checklist of steps keyed by id. Every update touches only what changed, so
 * the plan never flickers while steps run.
 */
export class PlanView {
  private readonly section = byId('run');
  private readonly steps = new Map<string, StepNodes>();
  private notesSignature = '';
  private reviewSignature = '';
  private wasAwaiting = false;
  private scrollTarget: HTMLElement | undefined;

  constructor(private readonly announce: (text: string) => void) {}

  /** An element the user should now see (the approval buttons when the plan starts waiting), once. */
  takeScrollTarget(): HTMLElement | undefined {
    const target = this.scrollTarget;
    this.scrollTarget = undefined;
    return target;
  }

  render(run: RunViewModel | null): void {
    setHidden(this.section, run === null);
    if (run === null) return;
    const steps = run.plan?.steps ?? [];
    const done = steps.filter((step) => step.status === 'done').length;
    const running = run.finished === null;
    this.section.dataset.phase = run.phase;
    setAttribute(this.section, 'data-outcome', run.finished?.status ?? null);
    const heading = byId('run-heading');
    setText(heading, run.task.split('\n', 1)[0]?.trim() || 'Run');
    setAttribute(heading, 'title', run.task === '' ? null : run.task);
    const phase = run.finished !== null ? `Run ${run.finished.status}` : (phaseLabels[run.phase] ?? run.phase);
    setText(byId('run-status'), [phase, steps.length > 0 ? `${done}/${plural(steps.length, 'step')} done` : null, describeCost({ usd: run.costUsd, unpricedCalls: run.unpricedCalls ?? 0, ...(run.tokens !== undefined ? { tokens: run.tokens } : {}) }, formatCost)].filter((part) => part !== null).join(' · '));
    const statusIcon = run.finished !== null ? { completed: 'pass-filled', failed: 'error', cancelled: 'circle-slash' }[run.finished.status] : run.awaitingApproval ? 'bell-dot' : 'loading';
    const iconClass = `codicon codicon-${statusIcon}${running && !run.awaitingApproval && run.phase !== 'reviewing' ? ' codicon-modifier-spin' : ''}`;
    const runIcon = byId('run-icon');
    if (runIcon.className !== iconClass) runIcon.className = iconClass;
    setHidden(byId('cancel-run'), !running);
    byId('open-plan', HTMLButtonElement).disabled = !run.hasPlanDocument;

    setHidden(byId('plan-approval'), !run.awaitingApproval);
    if (run.awaitingApproval && !this.wasAwaiting) {
      this.announce('The plan is waiting for your approval: Run Plan, Edit Plan or Cancel.');
      this.scrollTarget = byId('plan-approval');
    }
    this.wasAwaiting = run.awaitingApproval;

    const plan = run.plan;
    setHidden(byId('plan'), plan === null);
    if (plan === null) {
      this.renderSteps([], []);
      return;
    }
    setText(byId('plan-summary'), plan.summary);
    this.renderSteps(plan.steps, run.evidence);
    this.renderRunReview(plan.review);
    this.renderNotes(plan.notes);
  }

  private renderSteps(steps: readonly PlanStep[], evidence: readonly StepEvidence[]): void {
    const list = byId('plan-steps');
    const wanted = new Set(steps.map((step) => step.id));
    for (const [id, nodes] of this.steps) {
      if (wanted.has(id)) continue;
      nodes.item.remove();
      this.steps.delete(id);
    }
    steps.forEach((step, index) => {
      const nodes = this.steps.get(step.id) ?? this.createStep(step.id);
      this.updateStep(nodes, step, evidence.filter((entry) => entry.stepId === step.id));
      // Keyed: a node moves only when the plan's order changed.
      if (list.children[index] !== nodes.item) list.insertBefore(nodes.item, list.children[index] ?? null);
    });
  }

  private createStep(id: string): StepNodes {
    const nodes: StepNodes = {
      item: h('li', { class: 'step', 'data-step-id': id }),
      icon: icon('circle-large-outline'),
      status: h('span', { class: 'visually-hidden step-status' }),
      title: h('span', { class: 'step-title' }),
      details: h('div', { class: 'step-details' }),
      signature: '',
    };
    nodes.item.append(h('div', { class: 'step-head' }, h('span', { class: 'step-icon' }, nodes.icon), nodes.status, nodes.title, h('span', { class: 'step-id' }, id)), nodes.details);
    this.steps.set(id, nodes);
    return nodes;
  }

  private updateStep(nodes: StepNodes, step: PlanStep, evidence: readonly StepEvidence[]): void {
    const look = stepIcons[step.status];
    setAttribute(nodes.item, 'data-status', step.status);
    const iconClass = `codicon codicon-${look.icon}${look.spin ? ' codicon-modifier-spin' : ''}`;
    if (nodes.icon.className !== iconClass) nodes.icon.className = iconClass;
    setText(nodes.status, `${look.label}: `);
    setText(nodes.title, step.title);
    // The details are small; they are rebuilt only when something in them changed.
    const signature = JSON.stringify([step.files, step.dependsOn, step.verify, step.removesTests, step.attempts, step.workerSummary, step.error, step.model, step.instructions, step.reviews, evidence]);
    if (signature === nodes.signature) return;
    nodes.signature = signature;
    // The instructions stay open across a rebuild if the user opened them.
    const open = nodes.details.querySelector<HTMLDetailsElement>('details.step-instructions')?.open === true;
    nodes.details.replaceChildren(...stepDetails(step, evidence));
    if (open) nodes.details.querySelector<HTMLDetailsElement>('details.step-instructions')?.setAttribute('open', '');
  }

  /** The review of the whole change (`plumbline.review.mode` `end`), after the steps. */
  private renderRunReview(review: ReviewRecord | undefined): void {
    const signature = JSON.stringify(review ?? null);
    if (signature === this.reviewSignature) return;
    this.reviewSignature = signature;
    let list = document.getElementById('plan-review');
    if (list === null) {
      list = h('ul', { id: 'plan-review', class: 'reviews', 'aria-label': 'Review of the whole change' });
      byId('plan-steps').after(list);
    }
    list.replaceChildren(...(review !== undefined ? [reviewItem(review, 'Review of the whole change')] : []));
    setHidden(list, review === undefined);
  }

  private renderNotes(notes: readonly string[]): void {
    const signature = JSON.stringify(notes);
    if (signature === this.notesSignature) return;
    this.notesSignature = signature;
    const list = byId('plan-notes');
    list.replaceChildren(
      ...notes.map((note) => {
        const item = h('li', { class: 'markdown' });
        renderMarkdown(item, note);
        return item;
      }),
    );
    setHidden(list, notes.length === 0);
  }
}

function stepDetails(step: PlanStep, evidence: readonly StepEvidence[]): Node[] {
  const parts: Node[] = [];
  if (step.files.length > 0) parts.push(h('p', { class: 'step-meta' }, h('span', { class: 'meta-label' }, 'Files '), ...step.files.flatMap((file, i) => [i > 0 ? ', ' : '', h('code', {}, file)])));
  if (step.dependsOn.length > 0) parts.push(h('p', { class: 'step-meta' }, h('span', { class: 'meta-label' }, 'After '), step.dependsOn.join(', ')));
  if (step.verify !== undefined) parts.push(h('p', { class: 'step-meta' }, h('span', { class: 'meta-label' }, 'Verify '), h('code', {}, step.verify)));
  // Tests that may stop running without failing the step: the user should see them before approving.
  if (step.removesTests !== undefined) {
    parts.push(h('p', { class: 'step-meta step-removes-tests' }, h('span', { class: 'meta-label' }, 'Removes tests '), ...step.removesTests.flatMap((name, i) => [i > 0 ? ', ' : '', h('code', {}, name)])));
  }
  if (step.attempts.length > 0) {
    parts.push(
      h(
        'ul',
        { class: 'attempts', 'aria-label': 'Attempts' },
        ...step.attempts.map((attempt) => {
          const proof = evidence.find((entry) => entry.attempt === attempt.number);
          // An attempt with no outcome is running only while its step is; a cancelled step cut it short.
          const inProgress = step.status === 'running' || step.status === 'verifying';
          const outcome = attempt.outcome ?? (inProgress ? 'running' : 'interrupted');
          const counts = proof !== undefined ? testCounts(proof) : '';
          const iconName = outcome === 'passed' ? 'pass' : outcome === 'failed' ? 'error' : outcome === 'running' ? 'loading' : 'warning';
          return h(
            'li',
            { class: `attempt outcome-${outcome}`, 'data-attempt': String(attempt.number) },
            icon(iconName, outcome === 'running'),
            ` Attempt ${attempt.number}: ${outcome}${counts !== '' ? ` · ${counts}` : ''}${attemptModelText(attempt)}`,
            attempt.detail !== undefined && outcome !== 'passed' ? h('pre', { class: 'attempt-detail' }, attempt.detail) : null,
          );
        }),
      ),
    );
  }
  const reviews = stepReviews(step.reviews);
  if (reviews !== null) parts.push(reviews);
  if (step.workerSummary !== undefined) parts.push(h('p', { class: 'step-summary' }, step.workerSummary));
  if (step.error !== undefined) {
    // A step that failed says why in red; one that was cancelled or skipped only notes the reason.
    const failed = step.status === 'failed';
    parts.push(h('p', { class: failed ? 'step-error' : 'step-note' }, icon(failed ? 'error' : 'info'), ` ${step.error}`));
  }
  // What the worker is told to do, collapsed: the plan card reads as a list until a step is opened.
  if (step.instructions.trim() !== '') {
    parts.push(h('details', { class: 'step-instructions' }, h('summary', { 'aria-label': `Instructions of step ${step.id}` }, 'Instructions'), h('p', { class: 'step-instructions-text' }, step.instructions)));
  }
  return parts;
}
