// Keeps the user's keys away from the project's own commands: tests, builds and scripts are code the
// agent may just have written, so they run without API keys, tokens or other secrets in their environment.

/** Names removed whatever their value (compared case-insensitively, as Windows does). */
export const ALWAYS_REMOVED: readonly string[] = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'NPM_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'PLUMBLINE_SECRET_STORAGE_KEYS',
];

/** A name that says it holds a secret. */
const SECRET_NAME = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_?KEY|ACCESS_?KEY|SESSION|AUTH)/i;

/**
 * Well-known names that match {@link SECRET_NAME} but hold no secret, and without which ordinary
 * tools break (a desktop session's bus, X authority for GUI tests, git's author, a tokenizer switch).
 * `SSH_AUTH_SOCK` is deliberately not here: it lends the user's SSH keys.
 */
const HARMLESS_NAMES: ReadonlySet<string> = new Set([
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  'DESKTOP_SESSION',
  'SESSION_MANAGER',
  'XDG_SESSION_ID',
  'XDG_SESSION_TYPE',
  'XDG_SESSION_CLASS',
  'XDG_SESSION_DESKTOP',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'TOKENIZERS_PARALLELISM',
]);

/**
 * A value that is, as a whole, a key of a well-known shape (optionally after `Bearer `): OpenAI and
 * Anthropic keys, GitHub tokens, Slack tokens, AWS access key ids.
 */
const SECRET_VALUE =
  /^\s*(?:Bearer\s+)?(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16})\s*$/;

const ALWAYS_REMOVED_UPPER: ReadonlySet<string> = new Set(ALWAYS_REMOVED);

function isSecret(name: string, value: string | undefined): boolean {
  const upper = name.toUpperCase();
  if (ALWAYS_REMOVED_UPPER.has(upper)) return true;
  if (value !== undefined && SECRET_VALUE.test(value)) return true;
  return SECRET_NAME.test(name) && !HARMLESS_NAMES.has(upper);
}

export interface ScrubbedEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** The names removed, sorted, for reporting. Never their values. */
  readonly removed: readonly string[];
}

/** {@link scrubEnvironment}, also telling which names it removed. */
export function scrubEnvironmentReport(env: NodeJS.ProcessEnv): ScrubbedEnvironment {
  const kept: NodeJS.ProcessEnv = {};
  const removed: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (isSecret(name, value)) removed.push(name);
    else kept[name] = value;
  }
  return { env: kept, removed: removed.sort() };
}

/**
 * A copy of `env` without API keys, tokens, passwords and other secrets: every name that says so,
 * the providers' and registries' well-known names, and any value shaped like a key. Ordinary
 * variables (PATH, HOME, LANG, TERM, CI, NODE_OPTIONS, proxies…) are kept.
 */
export function scrubEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return scrubEnvironmentReport(env).env;
}

/** The names {@link scrubEnvironment} would remove from `env`, sorted. */
export function scrubbedNames(env: NodeJS.ProcessEnv): readonly string[] {
  return scrubEnvironmentReport(env).removed;
}
