// Related tests for go and cargo, which test by package and by crate: the changed files' packages,
// and the crates that hold the changed files (or only their integration test targets).
import { quoteShellArg } from './detectTestCommand';
import { basenameOf, dirnameOf } from './importGraph';
import type { SourceTree } from './sourceTree';

export interface NativeSelection {
  readonly command: string;
  readonly tests: readonly string[];
}

/** `go test` on the packages (folders) of the changed `.go` files. */
export function relatedGoPackages(changed: readonly string[]): NativeSelection | undefined {
  const packages = [...new Set(changed.filter((path) => path.endsWith('.go')).map((path) => (dirnameOf(path) === '' ? '.' : `./${dirnameOf(path)}`)))].sort();
  if (packages.length === 0) return undefined;
  return { command: `go test ${packages.map(quoteShellArg).join(' ')}`, tests: packages };
}

interface Crate {
  readonly name: string;
  /** The crate's folder, '' at the root. */
  readonly folder: string;
}

/** The `[package] name` of a Cargo.toml, or undefined for a virtual workspace manifest. */
export function cargoPackageName(manifest: string): string | undefined {
  const section = /^\[package\][ \t]*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(manifest)?.[1];
  return section === undefined ? undefined : /^[ \t]*name[ \t]*=[ \t]*["']([\w-]+)["']/m.exec(section)?.[1];
}

async function crateOf(tree: SourceTree, path: string): Promise<Crate | undefined> {
  for (let folder = dirnameOf(path); ; folder = dirnameOf(folder)) {
    const manifest = folder === '' ? 'Cargo.toml' : `${folder}/Cargo.toml`;
    const name = tree.files.has(manifest) ? cargoPackageName((await tree.read(manifest)) ?? '') : undefined;
    if (name !== undefined) return { name, folder };
    if (folder === '') return undefined;
  }
}

/**
 * `cargo test` narrowed to the crates of the changed Rust files: `-p` for each crate with a changed
 * source, or only the changed integration test targets (`tests/<name>.rs`) of a single crate.
 * Undefined when that is the whole suite anyway (the project's only crate) or nothing is Rust.
 */
export async function relatedCargoTargets(tree: SourceTree, changed: readonly string[]): Promise<NativeSelection | undefined> {
  const rust = changed.filter((path) => path.endsWith('.rs'));
  const crates = new Map<string, { crate: Crate; targets: Set<string>; sources: boolean }>();
  for (const path of rust) {
    const crate = await crateOf(tree, path);
    if (crate === undefined) continue;
    const entry = crates.get(crate.name) ?? { crate, targets: new Set<string>(), sources: false };
    crates.set(crate.name, entry);
    const inCrate = crate.folder === '' ? path : path.slice(crate.folder.length + 1);
    const target = /^tests\/([\w-]+)\.rs$/.exec(inCrate)?.[1];
    if (target !== undefined) entry.targets.add(target);
    else entry.sources = true;
  }
  const entries = [...crates.values()];
  if (entries.length === 0) return undefined;
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only !== undefined && !only.sources) {
    const targets = [...only.targets].sort();
    const packageFlag = only.crate.folder === '' ? '' : ` -p ${only.crate.name}`;
    return { command: `cargo test${packageFlag} ${targets.map((target) => `--test ${target}`).join(' ')}`, tests: targets.map((target) => `${only.crate.folder === '' ? '' : `${only.crate.folder}/`}tests/${target}.rs`) };
  }
  const manifests = [...tree.files].filter((path) => basenameOf(path) === 'Cargo.toml');
  if (manifests.length <= 1) return undefined;
  const names = entries.map((entry) => entry.crate.name).sort();
  return { command: `cargo test ${names.map((name) => `-p ${name}`).join(' ')}`, tests: names };
}
