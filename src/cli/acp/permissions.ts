import type { PermissionOption, PermissionOptionKind } from '@agentclientprotocol/sdk';
import * as z from 'zod';

/**
 * Plumbline's approvals as ACP permission options, and the client's answer read back. The answer is
 * untrusted: anything but one of the options offered (malformed, cancelled, unknown id) is "no".
 */

/** `session/request_permission`'s result as a client may send it (the SDK does not check results). */
const permissionAnswerSchema = z.object({
  outcome: z.discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('cancelled') }),
    z.object({ outcome: z.literal('selected'), optionId: z.string().min(1).max(200) }),
  ]),
});

/** The option the user chose, when it is one of `offered`; undefined for a cancel or anything else. */
export function chosenOption<Id extends string>(answer: unknown, offered: readonly Choice<Id>[]): Id | undefined {
  const parsed = permissionAnswerSchema.safeParse(answer);
  if (!parsed.success || parsed.data.outcome.outcome !== 'selected') return undefined;
  const { optionId } = parsed.data.outcome;
  return offered.find((choice) => choice.id === optionId)?.id;
}

export interface Choice<Id extends string> {
  readonly id: Id;
  readonly name: string;
  readonly kind: PermissionOptionKind;
}

export function permissionOptions<Id extends string>(choices: readonly Choice<Id>[]): PermissionOption[] {
  return choices.map((choice) => ({ optionId: choice.id, name: choice.name, kind: choice.kind }));
}

export const planChoices = [
  { id: 'approve', name: 'Run Plan', kind: 'allow_once' },
  { id: 'cancel', name: 'Cancel', kind: 'reject_once' },
] as const satisfies readonly Choice<string>[];

export const commandChoices = [
  { id: 'run', name: 'Run once', kind: 'allow_once' },
  { id: 'deny', name: 'Deny', kind: 'reject_once' },
] as const satisfies readonly Choice<string>[];

/** The same answers for a call to an MCP tool that is not read-only: it is a tool call, not a command. */
export const toolCallChoices = [
  { id: 'run', name: 'Allow this call', kind: 'allow_once' },
  { id: 'deny', name: 'Deny', kind: 'reject_once' },
] as const satisfies readonly Choice<string>[];

/**
 * How a command approval is shown to the editor: a shell command as an `execute` tool call with its
 * command line, an MCP tool call as an `other` call titled with the tool's name and its arguments.
 */
export function approvalCall(params: { readonly stepId: string; readonly command: string; readonly tool?: { readonly name: string; readonly arguments: string } | undefined }): {
  readonly title: string;
  readonly kind: 'execute' | 'other';
  readonly rawInput: Record<string, unknown>;
  readonly choices: typeof commandChoices | typeof toolCallChoices;
} {
  if (params.tool !== undefined) {
    return { title: `${params.stepId}: call ${params.tool.name}`, kind: 'other', rawInput: { tool: params.tool.name, arguments: params.tool.arguments }, choices: toolCallChoices };
  }
  return { title: `${params.stepId}: ${params.command}`, kind: 'execute', rawInput: { command: params.command }, choices: commandChoices };
}

export const sandboxChoices = [
  { id: 'review-first', name: 'Verify after I accept', kind: 'allow_once' },
  { id: 'run', name: 'Run the tests unsandboxed', kind: 'allow_once' },
  { id: 'cancel', name: 'Cancel the run', kind: 'reject_once' },
] as const satisfies readonly Choice<string>[];

export type ReviewChoice = 'accept' | 'accept-rest' | 'reject' | 'reject-rest';

/**
 * A file's review: accept or reject it, and, when more files follow, the same for the rest. A file
 * that runs code is never covered by "accept the rest": it is always asked about on its own.
 */
export function reviewChoices(moreFollow: boolean): Choice<ReviewChoice>[] {
  return [
    { id: 'accept', name: 'Accept', kind: 'allow_once' },
    ...(moreFollow ? [{ id: 'accept-rest', name: 'Accept this and the rest', kind: 'allow_always' } as const] : []),
    { id: 'reject', name: 'Reject', kind: 'reject_once' },
    ...(moreFollow ? [{ id: 'reject-rest', name: 'Reject this and the rest', kind: 'reject_always' } as const] : []),
  ];
}

/** A model's question with choices: one option per choice, and "no answer" (the model then decides and says what it assumed). */
export function questionChoices(choices: readonly string[]): Choice<string>[] {
  return [...choices.map((choice, index) => ({ id: `choice-${String(index)}`, name: choice, kind: 'allow_once' as const })), { id: 'none', name: 'No answer', kind: 'reject_once' }];
}
