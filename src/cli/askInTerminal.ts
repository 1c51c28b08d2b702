import { createInterface } from 'node:readline/promises';

/**
 * Asks one question on the terminal and returns the trimmed answer as typed (the default on Enter).
 * Resolves with `fallback` when input closes (Ctrl+D) or the signal aborts.
 */
export async function askInTerminal(question: string, defaultAnswer: string, signal: AbortSignal, fallback = defaultAnswer): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await readline.question(question, { signal });
    return answer.trim() || defaultAnswer;
  } catch {
    return fallback;
  } finally {
    readline.close();
  }
}
