// The action's last step: whether the job fails, from the run's verdict and the "fail-on" input.
// It runs after publishing, so a partial run's verified steps are pushed before the job goes red.
import { choiceInput, fail, input } from './lib.mjs';

/** Which verdicts fail the job for each setting of "fail-on". */
const failingVerdicts = {
  never: [],
  failed: ['failed'],
  partial: ['failed', 'partial'],
};

function main() {
  const verdict = input('verdict');
  const failOn = choiceInput('fail-on', Object.keys(failingVerdicts), 'failed');
  if (verdict === '') fail('The run wrote no verdict: the CLI stopped before it finished (see the run step\'s log).');
  if (failingVerdicts[failOn].includes(verdict)) {
    fail(`The run's verdict is ${verdict} (the action fails on ${failOn === 'partial' ? 'partial or failed' : 'failed'} runs: input "fail-on").`);
  }
  process.stdout.write(`Plumbline's verdict: ${verdict}.\n`);
}

main();
