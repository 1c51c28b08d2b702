import type { RunStartParams } from '../protocol/run';
import type { RunTaskOptions } from './runTask';

/** The run flags `plumbline run` and `plumbline acp` share, as the CLI parsed them. */
export type RunLimitFlags = Pick<RunTaskOptions, 'maxCostUsd' | 'maxTokens' | 'maxCalls' | 'parallel' | 'verifyParallel' | 'testCommand' | 'unsandboxed'>;

/** The limits and overrides of `plumbline/run/start` from those flags: only the ones the user gave. */
export function runLimits(flags: RunLimitFlags): Pick<RunStartParams, 'maxCostUsd' | 'maxTokens' | 'maxCalls' | 'maxParallel' | 'verifyParallel' | 'testCommand' | 'unsandboxed'> {
  return {
    ...(flags.maxCostUsd !== undefined ? { maxCostUsd: flags.maxCostUsd } : {}),
    ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
    ...(flags.maxCalls !== undefined ? { maxCalls: flags.maxCalls } : {}),
    ...(flags.parallel !== undefined ? { maxParallel: flags.parallel } : {}),
    ...(flags.verifyParallel !== undefined ? { verifyParallel: flags.verifyParallel } : {}),
    ...(flags.testCommand !== undefined ? { testCommand: flags.testCommand } : {}),
    ...(flags.unsandboxed !== undefined ? { unsandboxed: flags.unsandboxed } : {}),
  };
}
