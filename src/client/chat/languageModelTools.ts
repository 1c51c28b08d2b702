import * as vscode from 'vscode';
import { testsRunRequest } from '../../protocol/methods';
import { restrictedModeMessage } from '../../protocol/restrictedMode';
import type { AgentServerController } from '../agentServer/serverController';
import { configuredApproveMode, type RunController } from '../runs/runController';
import { refuseInRestrictedMode } from '../workspaceTrust';
import { followRun, snapshotOf } from './runFollower';
import { describeInputError, runTaskConfirmation, runTaskInputSchema, runTaskResultText, runTaskToolName, runTestsInputSchema, runTestsToolName, testEvidenceText } from './toolText';

/**
 * Plumbline as tools of VS Code's language models (`languageModelTools` in package.json), so
 * Copilot's agent mode, or any agent in VS Code, can delegate a task or a test run. They start
 * nothing in Restricted Mode (the one refusal), a run follows the user's approval mode (nothing lands
 * without review unless they chose auto), and the caller's cancellation cancels the run.
 */
export function registerLanguageModelTools(runs: RunController, server: AgentServerController): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.lm.registerTool<unknown>(runTaskToolName, {
      prepareInvocation: (options) => {
        const parsed = runTaskInputSchema.safeParse(options.input);
        // Nothing will run (refused, or invalid input): no question to ask.
        if (!vscode.workspace.isTrusted || !parsed.success) return { invocationMessage: 'Plumbline: checking the task' };
        return {
          invocationMessage: 'Plumbline: planning, running and verifying the task',
          confirmationMessages: { title: 'Run a Plumbline task?', message: runTaskConfirmation(parsed.data.task, configuredApproveMode()) },
        };
      },
      invoke: async (options, token) => {
        await refuseUntrusted();
        const parsed = runTaskInputSchema.safeParse(options.input);
        if (!parsed.success) throw new Error(describeInputError(runTaskToolName, parsed.error));
        if (runs.running) throw new Error(`A Plumbline run is in progress (${runs.view?.runId ?? 'unknown'}): only one runs at a time. Wait for it to finish, or ask the user to cancel it.`);
        const runId = await runs.start(parsed.data.task);
        const stop = await followRun(runs, runId, () => undefined, token);
        if (stop === 'cancelled') throw new vscode.CancellationError();
        const snapshot = snapshotOf(runs, runId);
        if (stop === undefined || snapshot === undefined) throw new Error(`Plumbline run ${runId} was replaced by another run before it finished; its plan is under .plumbline/runs/${runId}/plan.md.`);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(runTaskResultText(snapshot, stop, runs.view?.planPath))]);
      },
    }),
    vscode.lm.registerTool<unknown>(runTestsToolName, {
      prepareInvocation: () => ({ invocationMessage: 'Plumbline: running the tests in a sandboxed copy' }),
      invoke: async (options, token) => {
        await refuseUntrusted();
        const parsed = runTestsInputSchema.safeParse(options.input ?? {});
        if (!parsed.success) throw new Error(describeInputError(runTestsToolName, parsed.error));
        const { evidence } = await server.request(testsRunRequest, {}, token);
        if (token.isCancellationRequested) throw new vscode.CancellationError();
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(testEvidenceText(evidence))]);
      },
    }),
  );
}

/** Restricted Mode: the user is told (with Manage Workspace Trust) and the calling agent gets the same sentence. */
async function refuseUntrusted(): Promise<void> {
  if (await refuseInRestrictedMode()) throw new Error(restrictedModeMessage);
}
