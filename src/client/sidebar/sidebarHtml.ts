import { restrictedModeMessage } from '../restrictedMode';

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
      <details id="sandbox" class="sandbox" data-kind="unknown" hidden>
        <summary id="sandbox-summary" class="sandbox-summary"><span id="sandbox-icon" class="codicon codicon-shield" aria-hidden="true"></span><span id="sandbox-label" class="sandbox-label">Sandbox</span><span class="codicon codicon-info sandbox-more" title="About the sandbox" aria-hidden="true"></span></summary>
        <div class="sandbox-about">
          <p id="sandbox-effect"></p>
          <p id="sandbox-remedy" hidden></p>
          <p class="sandbox-settings">Hosts, environment variables, readable folders and the memory cap: the <code>plumbline.sandbox.*</code> user settings.</p>
        </div>
      </details>
      <details id="mcp" class="mcp" hidden>
        <summary id="mcp-summary" class="mcp-summary"><span class="codicon codicon-plug" aria-hidden="true"></span><span id="mcp-label" class="mcp-label">MCP servers</span></summary>
        <div class="mcp-body">
          <ul id="mcp-servers" class="mcp-servers" aria-label="MCP servers"></ul>
          <ul id="mcp-problems" class="mcp-problems" aria-label="MCP configuration problems" hidden></ul>
          <p class="mcp-note">Defined in <code>.vscode/mcp.json</code>, <code>.mcp.json</code> or the <code>plumbline.mcp.servers</code> user setting. A server this workspace defines starts only after you approve its exact definition; a plan step names the tools its worker may call.</p>
        </div>
      </details>
      <div class="server-actions">
        <button id="restart" class="text-button" type="button"><span class="codicon codicon-debug-restart" aria-hidden="true"></span> Restart Agent Server</button>
        <button id="show-log" class="text-button secondary" type="button"><span class="codicon codicon-output" aria-hidden="true"></span> Show Log</button>
      </div>
    </div>
  </section>
  <section id="run" class="run" aria-labelledby="run-heading" hidden>
    <div class="run-header">
      <span id="run-icon" class="codicon codicon-loading" aria-hidden="true"></span>
      <div class="run-title">
        <h2 id="run-heading" class="run-heading">Run</h2>
        <p id="run-status" class="run-status"></p>
      </div>
      <div class="run-actions">
        <button id="open-plan" class="icon-button" type="button" title="Open Plan" aria-label="Open Plan"><span class="codicon codicon-go-to-file" aria-hidden="true"></span></button>
        <button id="cancel-run" class="icon-button" type="button" title="Cancel Run" aria-label="Cancel Run"><span class="codicon codicon-debug-stop" aria-hidden="true"></span></button>
      </div>
    </div>
    <div id="questions" class="questions" aria-label="Questions for you" hidden></div>
    <div id="plan" class="plan" hidden>
      <h3 class="plan-heading">Plan</h3>
      <p id="plan-summary" class="plan-summary"></p>
      <div id="plan-approval" class="plan-approval" role="group" aria-labelledby="plan-approval-label" hidden>
        <p id="plan-approval-label" class="plan-approval-label"><span class="codicon codicon-bell-dot" aria-hidden="true"></span> This plan waits for you: run it, edit <code>plan.md</code> first, or cancel.</p>
        <div class="plan-approval-buttons">
          <button id="approve-plan" class="text-button" type="button"><span class="codicon codicon-play" aria-hidden="true"></span> Run Plan</button>
          <button id="edit-plan" class="text-button secondary" type="button"><span class="codicon codicon-edit" aria-hidden="true"></span> Edit Plan</button>
          <button id="reject-plan" class="text-button secondary" type="button"><span class="codicon codicon-close" aria-hidden="true"></span> Cancel</button>
        </div>
      </div>
      <ol id="plan-steps" class="steps" aria-label="Steps"></ol>
      <ul id="plan-notes" class="plan-notes" aria-label="Notes" hidden></ul>
    </div>
  </section>
  <section id="transcript" class="transcript" role="log" aria-live="off" aria-label="Conversation">
    <button id="show-earlier" class="link-button" type="button" hidden>Show earlier messages</button>
    <div id="transcript-items" class="transcript-items"></div>
    <div id="empty" class="empty">
      <span class="codicon codicon-checklist" aria-hidden="true"></span>
      <p>Plumbline plans in the open, delegates file-scoped steps, and proves each one with your tests before you review it.</p>
    </div>
  </section>
  <details id="history" class="history">
    <summary>Past runs<span id="history-count"></span></summary>
    <div class="history-toolbar">
      <button id="history-refresh" class="icon-button" type="button" title="Refresh" aria-label="Refresh past runs"><span class="codicon codicon-refresh" aria-hidden="true"></span></button>
    </div>
    <p id="history-empty" class="history-empty">No runs in this workspace yet.</p>
    <ul id="history-list" class="history-list" aria-label="Past runs"></ul>
  </details>
  <div class="composer">
    <div id="restricted" class="restricted" role="status" hidden>
      <p><span class="codicon codicon-shield" aria-hidden="true"></span> ${attr(restrictedModeMessage)}</p>
      <button id="manage-trust" class="text-button" type="button"><span class="codicon codicon-workspace-trusted" aria-hidden="true"></span> Manage Workspace Trust</button>
    </div>
    <p id="sidebar-error" class="sidebar-error" role="alert" hidden></p>
    <section id="setup" class="setup" aria-labelledby="setup-heading" hidden>
      <h2 id="setup-heading" class="setup-heading"><span class="codicon codicon-sparkle" aria-hidden="true"></span> Set up a model first</h2>
      <p id="setup-problem" class="setup-problem"></p>
      <button id="configure-models" class="text-button" type="button"><span class="codicon codicon-settings" aria-hidden="true"></span> Configure Models…</button>
      <p class="setup-note">Provider, base URL, key and a model per role, with a connection test. Saved to this workspace's settings; the key to VS Code's secret storage.</p>
    </section>
    <form id="task-form" class="task" aria-label="New task">
      <label for="task-input" class="visually-hidden">Task</label>
      <textarea id="task-input" rows="3" placeholder="Describe a refactor or a fix…" aria-describedby="task-note"></textarea>
      <div class="task-footer">
        <label for="approval-mode" class="visually-hidden">When changes reach your files</label>
        <select id="approval-mode" title="When verified changes reach your files (saved to this workspace's settings)">
          <option value="step">Review each step</option>
          <option value="end">Review at the end</option>
          <option value="auto">Apply verified</option>
          <option value="never">Dry run</option>
        </select>
        <button id="send" type="submit" title="Send (Enter)"><span class="codicon codicon-send" aria-hidden="true"></span> Send</button>
      </div>
      <button id="models" class="models-button" type="button" title="Configure Models…"><span class="codicon codicon-sparkle" aria-hidden="true"></span> <span id="models-label">Models</span></button>
      <p id="task-note" class="task-note" aria-live="polite">Enter to send · Shift+Enter for a new line</p>
    </form>
  </div>
  <div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>
</main>
<script nonce="${attr(input.nonce)}" src="${attr(input.scriptUri)}"></script>
</body>
</html>`;
}
