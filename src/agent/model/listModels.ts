import * as z from 'zod';
import { describeModelError, ModelError } from './modelErrors';
import { classifyError } from './classifyError';
import { endpointRef, refineModelError } from './endpointErrors';
import type { KeyedProvider } from '../../protocol/provider';

const modelListSchema = z.object({ data: z.array(z.object({ id: z.string().min(1).max(300) })).max(2000) });

/** The list endpoint of a base URL: OpenAI-compatible servers answer `<base>/models`, Anthropic `<base>/v1/models`. */
function listUrl(provider: KeyedProvider, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return provider === 'anthropic' ? `${base}/v1/models` : `${base}/models`;
}

/**
 * The model ids a server offers, for Configure Models' pickers (Ollama, LM Studio, vLLM and
 * OpenRouter all answer `GET /v1/models`). Quick and never throws: a server that does not answer
 * within 5 s, or answers something else, gives the reason instead, and the user types a model id.
 */
export async function listModels(
  provider: KeyedProvider,
  baseUrl: string | undefined,
  key: string | undefined,
  signal: AbortSignal,
): Promise<{ models: string[]; error: string | null }> {
  const where = endpointRef({ role: 'orchestrator', provider, model: '', baseUrl });
  const headers: Record<string, string> =
    key === undefined ? {} : provider === 'anthropic' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` };
  try {
    const response = await fetch(listUrl(provider, where.url), { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) });
    if (!response.ok) {
      await response.body?.cancel();
      throw Object.assign(new Error(`GET ${listUrl(provider, where.url)} answered ${response.status} ${response.statusText}`), { status: response.status });
    }
    const parsed = modelListSchema.safeParse(await response.json());
    if (!parsed.success) return { models: [], error: `${listUrl(provider, where.url)} did not answer with a model list.` };
    return { models: [...new Set(parsed.data.data.map((model) => model.id))].sort(), error: null };
  } catch (error) {
    const named = error instanceof Error && error.name === 'TypeError' ? Object.assign(new Error(error.message, { cause: error.cause }), { name: 'APIConnectionError' }) : error;
    const classified = classifyError(provider, named, signal, key === undefined ? [] : [key]);
    return { models: [], error: describeModelError(classified instanceof ModelError ? refineModelError(classified, where) : classified) };
  }
}
