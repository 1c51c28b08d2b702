import type { StagedChange } from '../workspace/stagedWorkspace';
import { removeSeed } from './cacheLayers';
import { createIsolatedWorkspace, type IsolatedWorkspace, type IsolationOptions, type PreparedIsolation } from './isolatedWorkspace';
import { createScratch } from './isolationPaths';
import type { ProcessResult } from './processRunner';
import { runConfined, type Confinement } from '../sandbox/runConfined';
import type { SandboxSettings } from '../sandbox/sandboxPolicy';

/** A finished test run in one of the pool's copies. */
export interface PooledRun extends ProcessResult {
  readonly command: string;
  /** Files already in the copy that the run changed (the copy was then replaced). */
  readonly tampered: readonly string[];
  /** Files of the change under test that the run changed: the run proves nothing (verdict.ts). */
  readonly rewritten: readonly string[];
  /** When the command started, ISO time (for the evidence's runs). */
  readonly startedAt: string;
  /** Where the copy was: the verifier maps names under it back to the workspace. */
  readonly copyPath: string;
  /**
   * The caches the run left, kept outside the copy, when it was asked to capture them and left
   * its copy untouched: the verifier makes it the pool's seed (`adoptSeed`) or discards it.
   */
  readonly capturedCaches?: CapturedCaches;
}

/** Caches a run left, kept in a folder of their own until adopted as the seed or discarded. */
export interface CapturedCaches {
  readonly folder: string;
  discard(): Promise<void>;
}

/** How a run in a copy treats the tool caches (cacheLayers.ts). */
export interface CacheUse {
  /** Start with empty caches (not the seed) and keep what the run leaves in them: the baseline on the unmodified tree. */
  readonly capture?: boolean;
}

export interface CopyPoolOptions {
  readonly isolation: IsolationOptions;
  /** How many copies at most: test runs beyond it wait for a free one. */
  readonly size: number;
  /** A worktree made ahead (while the orchestrator planned): the first copy uses it, or discards it. */
  readonly prepared?: Promise<PreparedIsolation | undefined>;
  readonly sandbox: SandboxSettings;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Makes one copy (tests); default createIsolatedWorkspace. */
  readonly create?: (options: IsolationOptions, prepared?: PreparedIsolation) => Promise<IsolatedWorkspace>;
}

/** One copy, held until released: stage the files, then run. */
export interface CopyLease {
  /** Makes the copy's files base + `changes` (the copy is made on first use); resolves with its path. */
  stage(changes: readonly StagedChange[]): Promise<string>;
  /** Runs `command` in the copy as staged, its caches a fresh copy of the seed (or, capturing, empty). */
  run(command: string, confinement: Confinement, caches?: CacheUse): Promise<PooledRun>;
  /** Gives the copy back (once; later calls do nothing). */
  release(): void;
}

interface Slot {
  copy: IsolatedWorkspace | undefined;
  making: Promise<IsolatedWorkspace> | undefined;
}

/**
 * The run's verification copies: up to `size`, each made once on first use and reset between
 * uses (so the copy, its links and its worktree are made once per slot per run, not per test
 * run), each watched and swept around every run on its own, so the tamper check holds per copy.
 * A copy whose earlier files a run changed is discarded and its slot makes a fresh one next time.
 * Waiting callers get a free slot in the order they asked.
 */
export class CopyPool {
  readonly #slots: Slot[] = [];
  readonly #free: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #prepared: Promise<PreparedIsolation | undefined> | undefined;
  #disposed = false;
  /** The folder holding the baseline's caches, which every later sandboxed run starts from a copy of. */
  #seed: string | undefined;
  readonly #active = new Set<Promise<void>>();
  /** Every path a copy of this pool has had, for mapping names in test output back to the workspace. */
  readonly paths = new Set<string>();

  constructor(private readonly options: CopyPoolOptions) {
    this.#prepared = options.prepared;
  }

  get size(): number {
    return Math.max(1, this.options.size);
  }

  /**
   * Runs `command` on base + `changes` in a free copy, confined as given (waiting for a copy when
   * every one is in use).
   */
  async run(changes: readonly StagedChange[], command: string, confinement: Confinement): Promise<PooledRun> {
    const lease = await this.acquire();
    try {
      await lease.stage(changes);
      return await lease.run(command, confinement);
    } finally {
      lease.release();
    }
  }

  /** A copy for the caller alone until it releases it: the first free one, in the order asked. */
  async acquire(): Promise<CopyLease> {
    const slot = await this.#acquire();
    let released = false;
    return {
      stage: async (changes) => {
        const copy = await this.#copyOf(slot);
        await copy.reset();
        await copy.apply(changes);
        return copy.path;
      },
      run: (command, confinement, caches) => this.#runIn(slot, command, confinement, caches ?? {}),
      release: () => {
        if (released) return;
        released = true;
        this.#release(slot);
      },
    };
  }

  /**
   * Runs in the slot's copy as staged: its files remembered first; afterwards what the run added is
   * removed and a copy whose earlier files it changed is replaced, so no run leaves anything behind
   * for a later verdict.
   */
  #runIn(slot: Slot, command: string, confinement: Confinement, caches: CacheUse): Promise<PooledRun> {
    const running = this.#runInCopy(slot, command, confinement, caches);
    const settled = running.then(() => undefined, () => undefined);
    this.#active.add(settled);
    void settled.then(() => this.#active.delete(settled));
    return running;
  }

  async #runInCopy(slot: Slot, command: string, confinement: Confinement, caches: CacheUse): Promise<PooledRun> {
    const copy = await this.#copyOf(slot);
    // The seed only under the sandbox: unconfined, a run could have written it (see cacheLayers.ts).
    await copy.prepareCaches(caches.capture !== true && confinement.kind === 'sandbox' ? this.#seed : undefined);
    await copy.watch();
    const startedAt = new Date().toISOString();
    const result = await runConfined({ command, layout: await copy.layout(), confinement, settings: this.options.sandbox, timeoutMs: this.options.timeoutMs, signal: this.options.signal });
    const swept = await copy.sweep();
    const rewritten = swept.rewritten ?? [];
    let trusted = swept.tampered.length === 0 && rewritten.length === 0 && swept.snapshot !== undefined;
    const capturedCaches = trusted && caches.capture === true && !result.cancelled && !result.timedOut ? await this.#capture(copy) : undefined;
    // What the run wrote into the caches goes: no later run reads it. A copy the run changed is
    // discarded instead (its folders may now be links out of it), as is one whose caches cannot be emptied.
    if (trusted) trusted = await copy.emptyCaches().then(() => true, () => false);
    if (!trusted) {
      slot.copy = undefined;
      slot.making = undefined;
      await copy.dispose();
    }
    return { ...result, command, tampered: swept.tampered, rewritten, startedAt, copyPath: copy.path, ...(capturedCaches !== undefined ? { capturedCaches } : {}) };
  }

  /** The copy's caches, copied into a folder of their own beside the copies; undefined when too big or not copied. */
  async #capture(copy: IsolatedWorkspace): Promise<CapturedCaches | undefined> {
    const folder = await createScratch(this.options.isolation.scratchDir).catch(() => undefined);
    if (folder === undefined) return undefined;
    const discard = (): Promise<void> => removeSeed(folder);
    if (await copy.captureCaches(folder).catch(() => false)) return { folder, discard };
    await discard();
    return undefined;
  }

  /**
   * Makes the caches `fill` copies into a fresh folder the seed (the ones kept with a reused
   * baseline); nothing when it returns false.
   */
  async seedWith(fill: (folder: string) => Promise<boolean>): Promise<void> {
    const folder = await createScratch(this.options.isolation.scratchDir).catch(() => undefined);
    if (folder === undefined) return;
    if (await fill(folder).catch(() => false)) await this.adoptSeed({ folder, discard: () => removeSeed(folder) });
    else await removeSeed(folder);
  }

  /**
   * Makes `caches` the seed every later sandboxed run starts from (a fresh copy each time). Only
   * the verifier's baseline on the unmodified tree, sandboxed, may give one; a seed given after the
   * pool was disposed is removed.
   */
  async adoptSeed(caches: CapturedCaches): Promise<void> {
    if (this.#disposed) {
      await caches.discard();
      return;
    }
    const previous = this.#seed;
    this.#seed = caches.folder;
    if (previous !== undefined) await removeSeed(previous);
  }

  /** Makes the first copy now (the workspace as it is at this call), unless one exists. */
  warmUp(): void {
    if (this.#slots.length > 0 || this.#disposed) return;
    const slot: Slot = { copy: undefined, making: undefined };
    this.#slots.push(slot);
    this.#free.push(slot);
    this.#copyOf(slot).catch(() => undefined);
  }

  /** Removes every copy, and a prepared worktree no copy used. Waits for runs still going to end. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    // Runs still going were stopped by the run's signal: their copies go once they have ended.
    await Promise.all(this.#active);
    const copies = await Promise.all(this.#slots.map((slot) => (slot.copy !== undefined ? Promise.resolve(slot.copy) : (slot.making?.catch(() => undefined) ?? Promise.resolve(undefined)))));
    await Promise.all(copies.map((copy) => (copy !== undefined ? copy.dispose().catch(() => undefined) : Promise.resolve())));
    const prepared = this.#prepared;
    this.#prepared = undefined;
    await (await prepared)?.discard().catch(() => undefined);
    const seed = this.#seed;
    this.#seed = undefined;
    if (seed !== undefined) await removeSeed(seed).catch(() => undefined);
  }

  #acquire(): Promise<Slot> {
    const free = this.#free.shift();
    if (free !== undefined) return Promise.resolve(free);
    if (this.#slots.length < this.size) {
      const slot: Slot = { copy: undefined, making: undefined };
      this.#slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(slot);
    else this.#free.push(slot);
  }

  async #copyOf(slot: Slot): Promise<IsolatedWorkspace> {
    if (slot.copy !== undefined) return slot.copy;
    if (slot.making === undefined) {
      // The prepared worktree goes to the first copy made; a copy replaced later starts afresh.
      const prepared = this.#prepared;
      this.#prepared = undefined;
      const create = this.options.create ?? createIsolatedWorkspace;
      slot.making = (prepared ?? Promise.resolve(undefined)).then((ahead) => create(this.options.isolation, ahead));
    }
    try {
      const copy = await slot.making;
      this.paths.add(copy.path);
      if (this.#disposed) {
        await copy.dispose();
        throw new Error('The verification copies were removed: the run has ended.');
      }
      slot.copy = copy;
      return copy;
    } catch (error) {
      // The next run in this slot tries again.
      slot.making = undefined;
      throw error;
    }
  }
}
