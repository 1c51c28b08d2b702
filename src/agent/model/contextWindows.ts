/**
 * Context windows (input and output together, in tokens) of current OpenAI and Anthropic models, by
 * model id prefix, longest prefix first. What compaction measures a conversation against; a setting
 * (`plumbline.<role>.contextWindow`, CLI `--context-window`) overrides it, and a model not listed
 * here (a local server's, a future one) has no known window and is not compacted unless one is set.
 * Figures from the providers' model pages, late 2026; dated ids match their family's prefix.
 */
const knownWindows: readonly (readonly [prefix: string, tokens: number])[] = [
  // Anthropic: 200k for the Claude 3.5 to 4.x families (the 1M beta needs a header Plumbline does not send).
  ['claude-', 200_000],
  // OpenAI
  ['gpt-5', 400_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-4o', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_385],
  ['o4-mini', 200_000],
  ['o3', 200_000],
  ['o1', 200_000],
  ['codex-mini', 200_000],
];

const byLongestPrefix = [...knownWindows].sort((a, b) => b[0].length - a[0].length);

/** The model's context window in tokens: the setting's when given, else the table's, else undefined (unknown). */
export function contextWindowOf(model: string, configured?: number): number | undefined {
  if (configured !== undefined && configured > 0) return configured;
  const id = model.toLowerCase().replace(/^.*\//, '');
  return byLongestPrefix.find(([prefix]) => id.startsWith(prefix))?.[1];
}
