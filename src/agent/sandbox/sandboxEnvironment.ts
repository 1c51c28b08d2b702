import { scrubEnvironmentReport } from '../verify/scrubEnvironment';

/**
 * The environment of a command that runs unreviewed code is an allowlist: the names a shell, a
 * locale and the common toolchains need, never "everything but the secrets we thought of"
 * (`MY_DB_PASS` went through the old denylist). `plumbline.sandbox.environment` adds names. Even an
 * allowed name is dropped when its value looks like a key (see scrubEnvironment.ts).
 */
const ALLOWED_NAMES: readonly string[] = [
  // The shell and the terminal
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR', 'CLICOLOR', 'COLUMNS', 'LINES', 'TZ', 'CI',
  // Locale
  'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_COLLATE', 'LC_MESSAGES', 'LC_NUMERIC', 'LC_TIME', 'LC_MONETARY',
  // Node.js
  'NODE_ENV', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'NVM_DIR', 'NVM_BIN', 'NVM_INC', 'VOLTA_HOME', 'FNM_DIR', 'BUN_INSTALL', 'DENO_DIR',
  // Python
  'PYTHONPATH', 'PYTHONHOME', 'PYTHONDONTWRITEBYTECODE', 'PYTHONIOENCODING', 'PYTHONUTF8', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV', 'PYENV_ROOT', 'PYENV_VERSION', 'UV_PYTHON',
  // Rust, Go, the JVM, Ruby, .NET
  'CARGO_HOME', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'RUSTFLAGS', 'RUST_BACKTRACE', 'GOPATH', 'GOROOT', 'GOFLAGS', 'GO111MODULE', 'GOTOOLCHAIN', 'CGO_ENABLED',
  'JAVA_HOME', 'JDK_HOME', 'MAVEN_HOME', 'M2_HOME', 'GRADLE_HOME', 'GRADLE_USER_HOME', 'GEM_HOME', 'GEM_PATH', 'RBENV_ROOT', 'BUNDLE_PATH', 'DOTNET_ROOT',
  // Compilers and build tools
  'CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'LDFLAGS', 'PKG_CONFIG_PATH', 'LD_LIBRARY_PATH', 'MAKEFLAGS',
  // macOS toolchain lookup
  'DEVELOPER_DIR', 'SDKROOT',
];

/** Names never passed on, even when a setting asks: they would hand the command a way out. */
const NEVER: ReadonlySet<string> = new Set(['SSH_AUTH_SOCK', 'GPG_AGENT_INFO', 'DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES', 'NODE_TEST_CONTEXT']);

export interface SandboxEnvironmentOptions {
  /** `plumbline.sandbox.environment`: more names to pass on. */
  readonly extraNames?: readonly string[];
  /** Set last, over what the allowlist kept (TMPDIR of the sandbox, proxy variables). */
  readonly overrides?: Readonly<Record<string, string>>;
}

export interface SandboxEnvironment {
  readonly env: Record<string, string>;
  /** Names in the source environment that were not passed on, sorted; never their values. */
  readonly dropped: readonly string[];
}

/** The environment of a sandboxed command, built from `source` (the server's own environment). */
export function sandboxEnvironment(source: NodeJS.ProcessEnv, options: SandboxEnvironmentOptions = {}): SandboxEnvironment {
  const allowed = new Set([...ALLOWED_NAMES, ...(options.extraNames ?? [])].map((name) => name.toUpperCase()));
  const picked: NodeJS.ProcessEnv = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    // LC_* is a family of locale names; the rest is matched by name.
    if (!NEVER.has(upper) && (allowed.has(upper) || /^LC_[A-Z]+$/.test(upper))) picked[name] = value;
    else dropped.push(name);
  }
  const scrubbed = scrubEnvironmentReport(picked);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(scrubbed.env)) if (value !== undefined) env[name] = value;
  Object.assign(env, options.overrides ?? {});
  return { env, dropped: [...dropped, ...scrubbed.removed].sort() };
}
