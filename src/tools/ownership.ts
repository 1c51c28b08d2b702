import type { ToolResult } from './defineTool';
import type { WorkerContext } from './toolContexts';

/**
 * The rule that keeps parallel workers from stepping on each other: a worker writes only the files
 * its step owns. Returns the normalised path, or the refusal the model reads (nothing is written).
 */
export async function ownedPath(context: WorkerContext, path: string): Promise<{ path: string } | { refusal: ToolResult }> {
  const normalized = await context.normalizePath(path);
  if (normalized instanceof Error) return { refusal: { isError: true, content: normalized.message } };
  if (!context.ownedFiles.includes(normalized)) {
    const owned = context.ownedFiles.length > 0 ? context.ownedFiles.join(', ') : 'none';
    return {
      refusal: {
        isError: true,
        content:
          `Refused: ${normalized} is not one of the files this step owns (${owned}), so it was not changed. ` +
          'If it must change, say so in your finish summary and the orchestrator will re-plan.',
      },
    };
  }
  return { path: normalized };
}
