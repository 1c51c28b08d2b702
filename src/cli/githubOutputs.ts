import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/**
 * A step's outputs for GitHub Actions (`GITHUB_OUTPUT`), each in the multi-line form
 * `name<<DELIMITER\nvalue\nDELIMITER`, with a random delimiter that the value does not contain: a
 * value cannot end its entry early and add outputs of its own (a branch or a path with a line
 * break, a delimiter guessed in advance).
 */
export function githubOutputEntries(values: Readonly<Record<string, string>>, random: () => string = () => randomBytes(16).toString('hex')): string {
  return Object.entries(values)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new Error(`"${name}" is not an output name`);
      let delimiter = `ghadelimiter_${random()}`;
      while (value.includes(delimiter) || name.includes(delimiter)) delimiter = `ghadelimiter_${random()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

/**
 * Appends the outputs to `GITHUB_OUTPUT` and the report to `GITHUB_STEP_SUMMARY`, when the runner
 * set them (outside GitHub Actions neither is). Returns what could not be written, for the log.
 */
export function writeGithubStep(env: NodeJS.ProcessEnv, outputs: Readonly<Record<string, string>>, summary: string): string[] {
  const problems: string[] = [];
  const append = (variable: 'GITHUB_OUTPUT' | 'GITHUB_STEP_SUMMARY', text: string): void => {
    const path = env[variable];
    if (path === undefined || path === '') return;
    try {
      appendFileSync(path, text, 'utf8');
    } catch (error) {
      problems.push(`could not write ${variable} (${path}): ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  append('GITHUB_OUTPUT', githubOutputEntries(outputs));
  append('GITHUB_STEP_SUMMARY', `${summary.replace(/\n*$/, '')}\n\n`);
  return problems;
}
