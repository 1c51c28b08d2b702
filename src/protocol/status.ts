import * as z from 'zod';
import { modelRoleSchema } from './modelRoles';
import { providerIdSchema } from './provider';
import { sandboxStatusSchema } from './sandbox';

/** How a model provider is configured, as far as can be said without ever revealing a key. */
export const providerStatusSchema = z.object({
  id: providerIdSchema,
  label: z.string(),
  keyPresent: z.boolean(),
  /** Where the key comes from, e.g. `env:OPENAI_API_KEY`; never the key itself. */
  keySource: z.string().nullable(),
  baseUrl: z.string().nullable(),
  note: z.string().optional(),
});
export type ProviderStatus = z.infer<typeof providerStatusSchema>;

export const gitStatusSchema = z.object({
  available: z.boolean(),
  version: z.string().nullable(),
});

export const workspaceFolderStatusSchema = z.object({
  uri: z.string(),
  path: z.string().nullable(),
  isGitRepository: z.boolean(),
});

export const syncedDocumentSchema = z.object({
  uri: z.string(),
  version: z.number().int(),
  languageId: z.string(),
});
export type SyncedDocument = z.infer<typeof syncedDocumentSchema>;

/** The model a role will use, resolved from settings and available keys. */
export const roleModelSchema = z.object({
  role: modelRoleSchema,
  provider: providerIdSchema,
  model: z.string(),
  baseUrl: z.string().nullable(),
});
export type RoleModel = z.infer<typeof roleModelSchema>;

/** What `plumbline/status` reports: the server's identity and the environment it sees. */
export const serverStatusSchema = z.object({
  name: z.string(),
  version: z.string(),
  pid: z.number().int(),
  node: z.string(),
  platform: z.string(),
  uptimeMs: z.number().nonnegative(),
  git: gitStatusSchema,
  workspaceFolders: z.array(workspaceFolderStatusSchema),
  providers: z.array(providerStatusSchema),
  models: z.array(roleModelSchema),
  /** Why a role has no usable model (no key, invalid settings), as the user should read it. */
  modelsError: z.string().nullable(),
  documents: z.array(syncedDocumentSchema),
  /** What confines tests and commands here; absent from servers before it was reported. */
  sandbox: sandboxStatusSchema.optional(),
  /** The server's memory when asked; `afterGc` when it could collect garbage first (started with --expose-gc). */
  memory: z.object({ heapUsedBytes: z.number(), heapTotalBytes: z.number(), rssBytes: z.number(), afterGc: z.boolean() }).optional(),
});
export type ServerStatus = z.infer<typeof serverStatusSchema>;
