import type { McpServerStatus, McpStatus } from '../protocol/mcp';
import { byId, h, icon, plural, setHidden, setText } from './dom';

/**
 * The workspace's MCP servers in the server card: one collapsed line ("MCP servers: 2 · 1 needs
 * approval"), opening to each server's state, where it is defined, what it runs and its tools.
 * Everything a server or a workspace file wrote (names, commands, tool names and descriptions) is
 * hostile data: it is put in text nodes and attributes, never parsed as markup. Hidden when no
 * server is configured and nothing is wrong: VS Code lists its own MCP servers elsewhere, and an
 * empty section would only take room. Buttons carry the server's name; sidebar.ts turns a click
 * into a request, which the host checks against what the agent server reported.
 */

/** What a server's approval and state mean for people, and whether the sidebar offers to start it. */
export interface McpServerPresentation {
  readonly icon: string;
  readonly label: string;
  /** The start button's words, or null when there is nothing to start (running, or Restricted Mode). */
  readonly start: string | null;
}

/** Pure, so the words are tested without a DOM. */
export function describeMcpServer(server: McpServerStatus, trusted: boolean): McpServerPresentation {
  const asks = server.approval === 'needs-approval' || server.approval === 'changed' || server.approval === 'declined';
  const start = !trusted || server.approval === 'untrusted' || server.state === 'ready' || server.state === 'starting' ? null : asks ? 'Approve and Start…' : 'Start';
  switch (server.state) {
    case 'ready':
      return { icon: 'pass', label: `running · ${plural(server.tools.length, 'tool')}`, start };
    case 'starting':
      return { icon: 'loading', label: 'starting', start };
    case 'failed':
      return { icon: 'error', label: 'failed to start', start };
    case 'untrusted':
      return { icon: 'shield', label: 'not started: Restricted Mode', start };
    case 'not-approved':
    case 'stopped':
      if (server.approval === 'needs-approval') return { icon: 'circle-large-outline', label: 'needs your approval', start };
      if (server.approval === 'changed') return { icon: 'warning', label: 'definition changed: needs your approval again', start };
      if (server.approval === 'declined') return { icon: 'circle-slash', label: 'declined', start };
      if (server.approval === 'untrusted') return { icon: 'shield', label: 'not started: Restricted Mode', start };
      return { icon: 'circle-large-outline', label: 'not running', start };
  }
}

/** The line the section shows closed. */
export function summarizeMcp(status: McpStatus): string {
  const waiting = status.servers.filter((server) => server.state !== 'ready' && (server.approval === 'needs-approval' || server.approval === 'changed')).length;
  const running = status.servers.filter((server) => server.state === 'ready').length;
  const parts = [`MCP servers: ${String(status.servers.length)}`];
  if (running > 0) parts.push(`${String(running)} running`);
  if (waiting > 0) parts.push(`${String(waiting)} ${waiting === 1 ? 'needs' : 'need'} approval`);
  if (status.problems.length > 0) parts.push(plural(status.problems.length, 'problem'));
  return parts.join(' · ');
}

function toolList(server: McpServerStatus): HTMLElement | null {
  if (server.tools.length === 0) return null;
  return h(
    'details',
    { class: 'mcp-tools' },
    h('summary', {}, plural(server.tools.length, 'tool')),
    h(
      'ul',
      { class: 'mcp-tool-list', 'aria-label': `Tools of ${server.name}` },
      ...server.tools.map((tool) =>
        h(
          'li',
          { class: 'mcp-tool' },
          h('code', { class: 'mcp-tool-name' }, tool.name),
          tool.readOnly ? h('span', { class: 'mcp-tool-tag' }, 'read-only') : h('span', { class: 'mcp-tool-tag asks' }, 'asks each call'),
          tool.description !== undefined ? h('p', { class: 'mcp-tool-description' }, tool.description) : null,
        ),
      ),
    ),
  );
}

function serverEntry(server: McpServerStatus, trusted: boolean): HTMLElement {
  const view = describeMcpServer(server, trusted);
  return h(
    'li',
    { class: 'mcp-server', 'data-mcp-server': server.name, 'data-state': server.state, 'data-approval': server.approval },
    h(
      'div',
      { class: 'mcp-server-header' },
      icon(view.icon, server.state === 'starting'),
      h('span', { class: 'mcp-server-name' }, server.name),
      h('span', { class: 'mcp-server-state' }, view.label),
    ),
    h('p', { class: 'mcp-server-meta' }, `${server.transport} · ${server.source}${server.origin === 'user' ? ' (yours)' : ''}`),
    h('p', { class: 'mcp-server-summary' }, h('code', {}, server.summary)),
    h('p', { class: 'mcp-server-detail' }, server.detail),
    toolList(server),
    h(
      'div',
      { class: 'mcp-server-actions' },
      view.start !== null
        ? h('button', { type: 'button', class: 'text-button', 'data-mcp-action': 'start', 'data-mcp-name': server.name, 'aria-label': `${view.start.replace('…', '')} the MCP server ${server.name}` }, icon('play'), ` ${view.start}`)
        : null,
      h('button', { type: 'button', class: 'text-button secondary', 'data-mcp-action': 'open', 'data-mcp-name': server.name, 'aria-label': `Open the definition of the MCP server ${server.name}` }, icon('go-to-file'), ' Open Definition'),
    ),
  );
}

let rendered = '';

/** Renders the MCP section; hidden while unknown, and when nothing is configured and nothing is wrong. */
export function renderMcp(status: McpStatus | null, trusted: boolean): void {
  const key = JSON.stringify([status, trusted]);
  if (key === rendered) return;
  rendered = key;
  const root = byId('mcp', HTMLDetailsElement);
  const empty = status === null || (status.servers.length === 0 && status.problems.length === 0);
  setHidden(root, empty);
  if (status === null || empty) return;
  root.dataset.waiting = String(status.servers.some((server) => server.state !== 'ready' && (server.approval === 'needs-approval' || server.approval === 'changed')));
  setText(byId('mcp-label'), summarizeMcp(status));
  byId('mcp-servers').replaceChildren(...status.servers.map((server) => serverEntry(server, trusted)));
  const problems = byId('mcp-problems');
  problems.replaceChildren(...status.problems.map((problem) => h('li', {}, problem)));
  setHidden(problems, status.problems.length === 0);
}
