import { scrubEnvironmentReport } from '../verify/scrubEnvironment';
import { copyPathMapper, type CopyPathMap } from './copyPaths';

/**
 * What a command printed, made fit for the model and the user: the isolated copy's temporary
 * paths become the workspace paths they stand for (a failure should name `src/a.js`, not
 * `/tmp/plumbline-verify-123-x/src/a.js`), and anything that looks like a credential from the real
 * environment is replaced by a marker naming the variable, so a test that found a way to print a
 * secret (a run the user allowed without a sandbox, say) cannot hand it to the model.
 */

export interface OutputScrubber {
  (output: string): string;
}

/** Key-shaped strings anywhere in the text (the shapes scrubEnvironment knows, and URL credentials). */
const KEY_SHAPES: readonly RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];
/** `https://user:password@host`: the password part. */
const URL_CREDENTIAL = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)([^\s/@]+)(@)/gi;

/** Looks like a generated secret: long, no spaces or slashes, letters and digits mixed. */
function looksGenerated(value: string): boolean {
  return value.length >= 12 && !/[\s/\\]/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value);
}

/**
 * The values to redact from `env` (the server's real environment): every variable scrubEnvironment
 * treats as a secret, and any other variable the sandbox did not pass on whose value looks
 * generated (`MY_DB_PASS=x7Hq…`). Longest first, so one value inside another is replaced whole.
 */
export function secretValues(env: NodeJS.ProcessEnv, passedOn: ReadonlySet<string>): { name: string; value: string }[] {
  const secretNames = new Set(scrubEnvironmentReport(env).removed);
  const found: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.length < 6) continue;
    if (secretNames.has(name) || (!passedOn.has(name) && looksGenerated(value))) found.push({ name, value });
  }
  return found.sort((a, b) => b.value.length - a.value.length);
}

/** Variable names that say their value is a credential. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASS|PWD|AUTH|CREDENTIAL|PRIVATE|DSN|SESSION|COOKIE|SALT|SIGNING|WEBHOOK|DATABASE_URL|CONNECTION/i;

/**
 * The values of an environment file (`.env`: `NAME=value`, `export NAME="value"`) that are secrets:
 * those whose name says so, and any that look generated. A test that prints one (a tracked `.env`
 * the copy holds, loaded by dotenv) must not hand it to the model; `NODE_ENV=development` is no
 * secret and is left alone, or every "development" in the output would go.
 */
export function envFileSecrets(text: string): { name: string; value: string }[] {
  const found: { name: string; value: string }[] = [];
  for (const line of text.split(/\r?\n/).slice(0, 2000)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (match === null) continue;
    const name = match[1] ?? '';
    const value = (match[2] ?? '').replace(/^(['"`])(.*)\1$/, '$2').replace(/\s+#.*$/, '');
    if (value.length < 6) continue;
    if (SECRET_NAME.test(name) || looksGenerated(value)) found.push({ name, value });
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface ScrubOptions {
  /** The run's copy and the workspace it stands for: its paths are mapped back (copyPaths.ts). */
  readonly paths?: CopyPathMap;
  readonly secrets: readonly { readonly name: string; readonly value: string }[];
}

export function createOutputScrubber(options: ScrubOptions): OutputScrubber {
  const mapPaths = options.paths === undefined ? undefined : copyPathMapper(options.paths);
  const secrets = options.secrets.filter((secret) => secret.value.length >= 6);
  const secretPattern = secrets.length === 0 ? undefined : new RegExp(secrets.map((secret) => escapeRegExp(secret.value)).join('|'), 'g');
  const nameOf = new Map(secrets.map((secret) => [secret.value, secret.name]));
  return (output: string): string => {
    let text = output;
    if (secretPattern !== undefined) text = text.replace(secretPattern, (value) => `[redacted: $${nameOf.get(value) ?? 'secret'}]`);
    for (const shape of KEY_SHAPES) text = text.replace(shape, '[redacted: key]');
    text = text.replace(URL_CREDENTIAL, (_match, head: string, _secret: string, at: string) => `${head}[redacted]${at}`);
    return mapPaths === undefined ? text : mapPaths(text);
  };
}
