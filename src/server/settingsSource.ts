import type { Connection } from 'vscode-languageserver/node';
import { plumblineSettingsSchema, type PlumblineSettings } from '../protocol/settings';
import { describeValidationError } from '../protocol/method';

/**
 * The server's view of the `plumbline.*` settings, pulled from the client with
 * `workspace/configuration` (VS Code answers from its settings, the CLI from its flags) and pulled
 * again whenever the client says they changed. Invalid settings are reported, never half-applied.
 */
export class SettingsSource {
  private settings: PlumblineSettings = plumblineSettingsSchema.parse({});
  private problem: string | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: Connection,
    private readonly clientCanAnswer: () => boolean,
  ) {}

  get current(): PlumblineSettings {
    return this.settings;
  }

  /** Why the client's settings were rejected, if they were; the defaults apply meanwhile. */
  get error(): string | null {
    return this.problem;
  }

  /** Starts a pull; requests that depend on settings await `settled()` so they never see stale ones. */
  refresh(): Promise<void> {
    this.inFlight = this.pull();
    return this.inFlight;
  }

  settled(): Promise<void> {
    return this.inFlight;
  }

  private async pull(): Promise<void> {
    if (!this.clientCanAnswer()) return;
    let raw: unknown;
    try {
      raw = await this.connection.workspace.getConfiguration({ section: 'plumbline' });
    } catch (error) {
      this.problem = `Could not read the Plumbline settings: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    const parsed = plumblineSettingsSchema.safeParse(raw ?? {});
    if (parsed.success) {
      this.settings = parsed.data;
      this.problem = null;
    } else {
      // "Some plumbline.* settings are invalid: worker.baseUrl: …", with each field under plumbline.
      this.problem = describeValidationError('plumbline.*', parsed.error).replace(/^Invalid data for plumbline\.\*: /, 'Some plumbline.* settings are invalid: ');
      this.connection.console.warn(`${this.problem}. The previous settings stay in effect until this is fixed.`);
    }
  }
}
