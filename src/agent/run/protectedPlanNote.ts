import type { Plan } from '../../protocol/plan';
import { protectedReason } from '../workspace/protectedPaths';

/**
 * Says, before the user approves a plan, which of its steps own files that make a tool run code
 * (`.vscode/settings.json`, a CI workflow, `.env`…): their changes will be put to the user even in
 * `auto` mode, and a plan that reaches for them deserves a second look before it runs at all.
 * Undefined when no step owns such a file. (`package.json` is judged by its change, not its path,
 * so it is only flagged at review.)
 */
export function protectedFilesNote(plan: Plan): string | undefined {
  const flagged = plan.steps.flatMap((step) =>
    step.files.flatMap((path) => {
      const reason = protectedReason(path);
      return reason === undefined ? [] : [`${path} (step ${step.id}: ${reason})`];
    }),
  );
  if (flagged.length === 0) return undefined;
  return `Files that run code, which always need your approval, even in auto mode: ${flagged.join('; ')}.`;
}
