import * as z from 'zod';

/**
 * The model providers, written down once: settings, the status report, the ping, the run journal
 * and every client take the list from here.
 */
export const providerIdSchema = z.enum(['openai', 'anthropic', 'vscode-lm']);
export type ProviderId = z.infer<typeof providerIdSchema>;

/** The providers reached with an API key (from SecretStorage or the environment); the CLI offers only these. */
export const keyedProviderSchema = providerIdSchema.exclude(['vscode-lm']);
export type KeyedProvider = z.infer<typeof keyedProviderSchema>;
