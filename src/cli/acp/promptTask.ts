import type { ContentBlock } from '@agentclientprotocol/sdk';
import { fileUriInsideRoot, relativeToRoot } from './confinedPaths';

/**
 * An ACP prompt (text, links to files, files embedded with the editor's text) as a Plumbline task.
 * The SDK has checked the blocks' shapes; the sizes are capped here, and a file a block names is
 * used only when it lies inside the session's folder.
 */

export const maxTaskChars = 50_000;
export const maxEmbeddedChars = 4 * 1024 * 1024;
export const maxPromptBlocks = 200;

export interface PromptTask {
  readonly task: string;
  /** Files the prompt embeds with the editor's text (absolute path → text): opened on the agent server as unsaved buffers. */
  readonly embedded: ReadonlyMap<string, string>;
  /** Workspace-relative files the prompt links to: their editor buffers are read before the run starts. */
  readonly mentioned: readonly string[];
}

export class PromptError extends Error {}

export function promptToTask(root: string, blocks: readonly ContentBlock[]): PromptTask {
  if (blocks.length > maxPromptBlocks) throw new PromptError(`The prompt has ${String(blocks.length)} parts; at most ${String(maxPromptBlocks)} are taken.`);
  const parts: string[] = [];
  const embedded = new Map<string, string>();
  const mentioned: string[] = [];
  let embeddedChars = 0;
  for (const block of blocks) {
    switch (block.type) {
      case 'text':
        parts.push(block.text);
        break;
      case 'resource_link': {
        const absolute = fileUriInsideRoot(root, block.uri);
        if (absolute === undefined) parts.push(`(${block.name}: ${block.uri})`);
        else {
          const relative = relativeToRoot(root, absolute);
          mentioned.push(relative);
          parts.push(`@${relative}`);
        }
        break;
      }
      case 'resource': {
        const { resource } = block;
        if (!('text' in resource)) {
          parts.push(`(binary ${resource.uri} left out)`);
          break;
        }
        embeddedChars += resource.text.length;
        if (embeddedChars > maxEmbeddedChars) throw new PromptError(`The files attached to the prompt exceed ${String(maxEmbeddedChars)} characters; attach fewer or link them instead.`);
        const absolute = fileUriInsideRoot(root, resource.uri);
        if (absolute !== undefined) {
          embedded.set(absolute, resource.text);
          parts.push(`@${relativeToRoot(root, absolute)}`);
        } else {
          // Context from outside the folder (a snippet, a web page): given to the model as data, not as a file.
          parts.push(`\n<context uri=${JSON.stringify(resource.uri)}>\n${resource.text}\n</context>\n`);
        }
        break;
      }
      default:
        // Images and audio are not offered in the capabilities; a client that sends them anyway is not fatal.
        parts.push(`(${block.type} left out)`);
    }
  }
  const task = parts.join(' ').trim();
  if (task === '') throw new PromptError('The prompt is empty: say what to change.');
  if (task.length > maxTaskChars) throw new PromptError(`The prompt is ${String(task.length)} characters; at most ${String(maxTaskChars)} are taken.`);
  return { task, embedded, mentioned };
}
