import type { ModelProblem } from '../protocol/run';

/**
 * The CLI's way out of a run a model error ended: the message names VS Code's settings; this line
 * names the flags and variables that set the same thing here, and the command that tests them.
 */
export function modelErrorHint(problem: ModelProblem): string {
  const urlVariable = problem.provider === 'anthropic' ? 'ANTHROPIC_BASE_URL' : 'OPENAI_BASE_URL';
  const keyVariable = problem.provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  const fix =
    problem.kind === 'auth'
      ? `set ${keyVariable}`
      : problem.setting?.endsWith('.baseUrl') === true
        ? `pass --base-url URL (or set ${urlVariable})`
        : problem.setting?.endsWith('.model') === true
          ? 'pass --model and --worker-model'
          : `check --provider, --base-url and ${keyVariable}`;
  return `On the command line: ${fix}; "plumbline doctor --ping" tests the connection.`;
}
