import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { diskWriter, writeAtomically } from '../workspace/atomicWrite';
import type { McpServerDefinition } from './mcpConfig';
import { referencedVariables } from './mcpVariables';

/**
 * A server a workspace defines runs code the user never wrote: it starts only after the user
 * approved that exact definition. What is approved is a fingerprint of the workspace folder, the
 * server's name and what it would run (command, arguments, the names of the environment variables
 * it sets and the variables its values reference, its folder; for HTTP the address and the header
 * names). Literal values of variables and
 * headers are left out (they hold tokens that change); anything that changes what runs asks again.
 * The approvals live in the user's state folder, never in the workspace (which could forge them).
 */
export function definitionFingerprint(root: string, server: McpServerDefinition): string {
  const transport = server.transport;
  const identity =
    transport.kind === 'stdio'
      ? // Values too, not only names: NODE_OPTIONS, LD_PRELOAD, PYTHONSTARTUP and their kind run code, so a
        // changed value is a changed definition (a rotated literal token asks once more; a reference does not).
        ['stdio', transport.command, [...transport.args], Object.entries(transport.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), transport.cwd ?? null]
      : ['http', transport.url, Object.keys(transport.headers).map((name) => name.toLowerCase()).sort()];
  // A value's `${env:NAME}` says which of the user's variables the server gets: a changed reference asks again.
  return createHash('sha256').update(JSON.stringify([root, server.name, ...identity, referencedVariables(transport)])).digest('hex');
}

/** The user's state folder for Plumbline (PLUMBLINE_STATE_DIR when absolute: the tests). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const chosen = env.PLUMBLINE_STATE_DIR;
  if (chosen !== undefined && isAbsolute(chosen)) return chosen;
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'plumbline');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'plumbline');
  const xdg = env.XDG_STATE_HOME;
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.local', 'state'), 'plumbline');
}

/**
 * Which server of which folder a fingerprint belongs to, so a definition that is not approved can
 * be told apart from one whose earlier definition was (the sidebar says "changed").
 */
export function serverKey(root: string, name: string): string {
  return createHash('sha256').update(JSON.stringify(['server', root, name])).digest('hex');
}

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const storeSchema = z.object({
  version: z.literal(1),
  approved: z.array(hash).max(10_000),
  /** serverKey → the fingerprint last approved for it (absent in files written before it existed). */
  latest: z.record(hash, hash).optional(),
});

interface Approvals {
  readonly approved: Set<string>;
  readonly latest: Map<string, string>;
}

/** Whether a definition is approved; `changed`: not, but an earlier definition of the same server was. */
export type ApprovalLookup = 'approved' | 'changed' | 'unknown';

/** The fingerprints the user approved, in `<state>/mcp-approvals.json`. */
export class McpApprovalStore {
  constructor(private readonly file: string = join(defaultStateDir(), 'mcp-approvals.json')) {}

  async isApproved(fingerprint: string): Promise<boolean> {
    return (await this.read()).approved.has(fingerprint);
  }

  async lookup(fingerprint: string, server: string): Promise<ApprovalLookup> {
    const { approved, latest } = await this.read();
    if (approved.has(fingerprint)) return 'approved';
    return latest.has(server) ? 'changed' : 'unknown';
  }

  /** `server` (serverKey) remembers which server this was, for `lookup`'s `changed`. */
  async approve(fingerprint: string, server?: string): Promise<void> {
    const { approved, latest } = await this.read();
    approved.add(fingerprint);
    if (server !== undefined) latest.set(server, fingerprint);
    await mkdir(dirname(this.file), { recursive: true });
    const body = { version: 1, approved: [...approved], latest: Object.fromEntries(latest) };
    await writeAtomically(diskWriter, this.file, new TextEncoder().encode(`${JSON.stringify(body, null, 1)}\n`));
  }

  /** A missing or damaged file approves nothing (the user is asked again). */
  private async read(): Promise<Approvals> {
    try {
      const parsed = storeSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      if (!parsed.success) return { approved: new Set(), latest: new Map() };
      return { approved: new Set(parsed.data.approved), latest: new Map(Object.entries(parsed.data.latest ?? {})) };
    } catch {
      return { approved: new Set(), latest: new Map() };
    }
  }
}
