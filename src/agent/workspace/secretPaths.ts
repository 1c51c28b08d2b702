/**
 * Files that hold secrets: the model's tools never read, search, show in a diff, edit or delete
 * them. A prompt-injected model that reads `.env` has the keys in its context, and from there into
 * a code comment that lands, a question, an MCP call or its next request; the sandbox already
 * hides them from tests (bubblewrap.ts). Matched on the file's name, case-insensitively, anywhere
 * in the workspace. Templates (`.env.example`) hold no secrets and stay readable.
 */

interface SecretRule {
  readonly what: string;
  readonly test: (name: string, path: string) => boolean;
}

const templateSuffix = /\.(?:example|sample|template|tmpl|dist|defaults?|schema)$/;

const rules: readonly SecretRule[] = [
  { what: 'an environment file', test: (name) => (name === '.env' || name.startsWith('.env.') || name === '.envrc' || name.endsWith('.env')) && !templateSuffix.test(name) },
  { what: 'a private key', test: (name) => /^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(name) || /\.(?:pem|key|p12|pfx|jks|keystore|ppk|gpg)$/.test(name) },
  { what: 'a credentials file', test: (name, path) => ['.npmrc', '.yarnrc.yml', '.pypirc', '.netrc', '_netrc', '.git-credentials', '.htpasswd', '.pgpass', '.dockercfg'].includes(name) || /(?:^|\/)\.aws\/credentials$/.test(path) || /(?:^|\/)\.docker\/config\.json$/.test(path) },
  { what: 'a secrets file', test: (name) => /^(?:secrets?|credentials)(?:\.[\w-]+)*\.(?:ya?ml|json|toml|ini|txt)$/.test(name) && !templateSuffix.test(name.replace(/\.(?:ya?ml|json|toml|ini|txt)$/, '')) },
  { what: 'a Terraform state or variables file', test: (name) => /\.(?:tfstate(?:\.backup)?|tfvars)$/.test(name) },
];

/** Why `path` (workspace-relative, `/`-separated) is off limits to the model's tools, or undefined. */
export function secretFileKind(path: string): string | undefined {
  const normalized = path.replace(/\\/g, '/').toLowerCase();
  const name = normalized.split('/').pop() ?? '';
  return rules.find((rule) => rule.test(name, normalized))?.what;
}

export interface SecretFile {
  /** `an environment file`, `a private key`… */
  readonly kind: string;
  /** The file it is, when `path` is a symbolic link to it. */
  readonly linkTo?: string;
}

/** What a tool says instead of a secret file's content. */
export function secretFileRefusal(path: string, found: string | SecretFile): string {
  const { kind, linkTo } = typeof found === 'string' ? { kind: found, linkTo: undefined } : found;
  return `Refused: ${path} is ${linkTo !== undefined ? `a link to ${linkTo}, ${kind},` : kind} and may hold secrets, so Plumbline never reads it into a model's context or changes it. Work from its name; if the task needs a value from it, ask the user (ask_user), or say in your summary what they should change in it themselves.`;
}
