// A compile-time test: `npm run typecheck` (and so `npm run lint`) checks this file, and every
// `@ts-expect-error` line must fail to compile, or tsc reports the directive as unused. Each one
// uses a method on the side that does not receive (or send) it. `wire.test.ts` compiles the file
// again without the directives and checks each line fails for that reason, the direction.
// Nothing here runs: the test runner only picks up `*.test.ts`.
import type { AgentServerController } from '../../src/client/agentServer/serverController';
import type { ServerSession } from '../../src/cli/serverConnection';
import {
  lmEventNotification,
  planApprovalRequest,
  reviewRequest,
  runEventNotification,
  runStartRequest,
  statusRequest,
} from '../../src/protocol/methods';
import type { ServerWire } from '../../src/server/typedConnection';

declare const server: ServerWire;
declare const cli: ServerSession;
declare const vscodeClient: AgentServerController;

export function serverSide(signal: AbortSignal): void {
  // The server handles client → server requests and notifications…
  server.onRequest(statusRequest, () => undefined as never);
  server.onNotification(lmEventNotification, () => undefined);
  // …and sends server → client ones.
  void server.request(planApprovalRequest, { runId: 'r', plan: undefined as never, markdown: '', planPath: '' }, signal);
  void server.notify(runEventNotification, { event: undefined as never });

  // @ts-expect-error -- the plan's approval is the client's question to answer, not the server's
  server.onRequest(planApprovalRequest, () => ({ decision: 'approve' }));
  // @ts-expect-error -- run events go to the client
  server.onNotification(runEventNotification, () => undefined);
  // @ts-expect-error -- the server does not start runs on a client
  void server.request(runStartRequest, { task: 'x' }, signal);
  // @ts-expect-error -- model events come from the client
  void server.notify(lmEventNotification, { requestId: 'r', event: undefined as never });
}

export function cliSide(): void {
  cli.onRequest(reviewRequest, () => ({ decisions: [] }));
  cli.onNotification(runEventNotification, () => undefined);
  void cli.request(runStartRequest, { task: 'x' });

  // @ts-expect-error -- the server answers run/start; the CLI only sends it
  cli.onRequest(runStartRequest, () => ({ runId: 'r', planPath: 'p' }));
  // @ts-expect-error -- the CLI answers the review; it does not ask it
  void cli.request(reviewRequest, { runId: 'r', files: [] });
  // @ts-expect-error -- the CLI does not receive model events
  cli.onNotification(lmEventNotification, () => undefined);
}

export function vscodeSide(): void {
  vscodeClient.onRequest(planApprovalRequest, () => ({ decision: 'cancel' }));
  void vscodeClient.request(statusRequest, {});

  // @ts-expect-error -- status is the server's to answer
  vscodeClient.onRequest(statusRequest, () => undefined as never);
  // @ts-expect-error -- the plan's approval is asked by the server
  void vscodeClient.request(planApprovalRequest, { runId: 'r', plan: undefined as never, markdown: '', planPath: '' });
  // @ts-expect-error -- run events are the server's to send
  void vscodeClient.notify(runEventNotification, { event: undefined as never });
}
