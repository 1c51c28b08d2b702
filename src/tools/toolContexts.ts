import type { ToolContext, ToolResult } from './defineTool';
import type { SymbolLocation, SymbolQuery } from '../protocol/symbols';
import type { WorkspaceReader } from './workspacePort';
import type { ReviewSubmission } from './submitReview';

/** A file read as text, or why it cannot be shown as text. */
export type TextRead =
  | { readonly kind: 'text'; readonly path: string; readonly text: string; readonly fromBuffer: boolean }
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string };

/** The editor's code intelligence; present only when the engine runs under VS Code. */
export interface SymbolPort {
  query(query: SymbolQuery): Promise<{ locations: readonly SymbolLocation[]; truncated: boolean }>;
}

/** Read-only git facts about the workspace; absent outside a git work tree. */
export interface GitPort {
  /** `git status --short` for the workspace. */
  status(): Promise<string>;
  /** The uncommitted diff (staged and unstaged) against HEAD, optionally for one path. */
  diff(path?: string): Promise<string>;
}

/** What the orchestrator and every worker may ask the user (`ask_user`). */
export interface AskingContext extends ToolContext {
  /** Puts a question to the user; resolves with the answer, or undefined when none came (no terminal, a timeout). Absent: none ever comes. */
  askUser?(question: string, choices: readonly string[]): Promise<string | undefined>;
}

/** Read-only exploration: what the orchestrator and every worker get. */
export interface ExploreContext extends ToolContext {
  readonly workspace: WorkspaceReader;
  readonly symbols?: SymbolPort;
  readonly git?: GitPort;
  /** Decodes a file for display (BOM, encodings, binary detection live in the engine). */
  readText(path: string): Promise<TextRead>;
}

/** The orchestrator's context while planning. */
export interface PlanningContext extends ExploreContext, AskingContext {
  /** Validates and accepts a plan; returns the problems to send back, empty when accepted. */
  submitPlan(plan: unknown): Promise<readonly string[]>;
}

/** The reviewer's context: read-only exploration of the step's result, and its one way to end. */
export interface ReviewContext extends ExploreContext {
  /** Records the verdict (already validated by the tool's schema); the loop ends after this turn. */
  submitReview(review: ReviewSubmission): void;
}

/**
 * A worker's context. The write operations act on the run's staged view, never on the user's files;
 * the tools check ownership before calling them, and the engine checks again.
 */
export interface WorkerContext extends ExploreContext, AskingContext {
  /** Workspace-relative paths this worker's step owns. */
  readonly ownedFiles: readonly string[];
  /** The workspace-relative form of a path, or an Error saying why it is not allowed. */
  normalizePath(path: string): Promise<string | Error>;
  /** Applies edit_file's patch (hunks of ` `, `-` and `+` lines); the engine parses and reports per hunk. */
  editFile(path: string, patch: string): Promise<ToolResult>;
  createFile(path: string, content: string): Promise<ToolResult>;
  deleteFile(path: string): Promise<ToolResult>;
  /**
   * Runs a command line in an isolated copy of the workspace with the step's edits applied, after the
   * command policy (and, when it asks, the user) allows it. Absent when the run offers no commands.
   */
  runWorkerCommand?(command: string, purpose: string): Promise<ToolResult>;
  /** Records the worker's closing summary (and whether it is blocked); the loop ends after this turn. */
  finish(summary: string, blocked: boolean): void;
}
