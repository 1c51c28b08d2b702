/**
 * Builds the sidebar's HTML shell. Kept free of `vscode` imports so its security properties (CSP,
 * nonce on every script) are unit-tested directly.
 */
export interface SidebarHtmlInput {
  /** `webview.cspSource`: the origin VS Code serves `asWebviewUri` resources from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly codiconUri: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderSidebarHtml(input: SidebarHtmlInput): string {
  const attr = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(input.codiconUri)}">
<link rel="stylesheet" href="${attr(input.styleUri)}">
<title>Plumbline</title>
</head>
<body>
<main class="sidebar" data-plumbline-view="sidebar">
  <section id="server" class="server" data-phase="starting" aria-live="polite" aria-label="Agent server status">
    <span id="server-icon" class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true"></span>
    <div class="server-body">
      <p id="server-title" class="server-title">Starting the agent server…</p>
      <p id="server-message" class="server-message" hidden></p>
    </div>
      <div class="server-actions">
        <button id="restart" class="text-button" type="button"><span class="codicon codicon-debug-restart" aria-hidden="true"></span> Restart Agent Server</button>
        <button id="show-log" class="text-button secondary" type="button"><span class="codicon codicon-output" aria-hidden="true"></span> Show Log</button>
      </div>
    </div>
  </section>
  <section class="transcript" aria-label="Conversation">
    <div class="empty">
      <span class="codicon codicon-checklist" aria-hidden="true"></span>
      <p>Plumbline plans in the open, delegates file-scoped steps, and proves each one with your tests before you review it.</p>
    </div>
  </section>
  <form id="task-form" class="task" aria-label="New task">
    <label for="task-input" class="visually-hidden">Task</label>
    <textarea id="task-input" rows="3" placeholder="Describe a refactor or a fix…" aria-describedby="task-note"></textarea>
    <div class="task-footer">
      <p id="task-note" class="task-note">Tasks can't be run from this build yet: the planning engine is not part of it. Your draft is kept.</p>
      <button id="send" type="submit" disabled aria-disabled="true" title="Not available in this build"><span class="codicon codicon-send" aria-hidden="true"></span> Send</button>
    </div>
  </form>
</main>
<script nonce="${attr(input.nonce)}" src="${attr(input.scriptUri)}"></script>
</body>
</html>`;
}
