import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, renderSidebarHtml } from '../../src/client/sidebar/sidebarHtml';
import { createNonce } from '../../src/client/sidebar/nonce';
import { restrictedModeMessage } from '../../src/client/restrictedMode';

const input = {
  cspSource: 'https://webview.example',
  nonce: 'abc123',
  scriptUri: 'https://webview.example/dist/webview/sidebar.js',
  styleUri: 'https://webview.example/media/sidebar.css',
  codiconUri: 'https://webview.example/dist/webview/codicon.css',
};

describe('sidebar HTML', () => {
  test('the CSP denies by default and allows scripts only by nonce', () => {
    const csp = contentSecurityPolicy(input.cspSource, input.nonce);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|\*/);
  });

  test('every script tag carries the nonce and no inline script exists', () => {
    const html = renderSidebarHtml(input);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes ?? '', /nonce="abc123"/);
      assert.equal(body?.trim(), '');
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    assert.match(html, /http-equiv="Content-Security-Policy"/);
  });

  test('attribute values are escaped', () => {
    const html = renderSidebarHtml({ ...input, scriptUri: 'x"><script>alert(1)</script>' });
    assert.doesNotMatch(html, /x"><script>alert/);
  });

  test('accessible controls: labelled fields, named buttons, live regions', () => {
    const html = renderSidebarHtml(input);
    assert.match(html, /<label for="task-input"/);
    assert.match(html, /<label for="approval-mode"/);
    assert.match(html, /id="restart"[^>]*>.*Restart Agent Server<\/button>/);
    assert.match(html, /id="show-log"[^>]*>.*Show Log<\/button>/);
    assert.match(html, /id="approve-plan"[^>]*>.*Run Plan<\/button>/);
    assert.match(html, /id="edit-plan"[^>]*>.*Edit Plan<\/button>/);
    assert.match(html, /id="reject-plan"[^>]*>.*Cancel<\/button>/);
    for (const [button, attributes, content] of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)) {
      const text = (content ?? '').replace(/<[^>]+>/g, '').trim();
      assert.ok(text !== '' || /aria-label="[^"]+"/.test(attributes ?? ''), `${button} has a name`);
      assert.match(attributes ?? '', /type="(button|submit)"/, `${button} says its type`);
    }
    assert.match(html, /id="announcer"[^>]*aria-live="polite"/);
    assert.match(html, /id="transcript"[^>]*role="log"/);
    assert.match(html, /id="sidebar-error"[^>]*role="alert"/);
  });

  test('the Restricted Mode notice is in the page, hidden until the workspace is untrusted, with a way to trust it', () => {
    const html = renderSidebarHtml(input);
    const banner = /<div id="restricted"[^>]*>([\s\S]*?)<\/div>/.exec(html);
    assert.ok(banner !== null);
    assert.match(banner[0], /^<div id="restricted"[^>]* hidden>/);
    assert.ok(banner[1]?.includes(restrictedModeMessage), 'the same words the commands use');
    assert.match(banner[1] ?? '', /<button id="manage-trust"[^>]*>.*Manage Workspace Trust<\/button>/);
  });

  test('the send button works in this build', () => {
    const html = renderSidebarHtml(input);
    const send = /<button id="send"[^>]*>/.exec(html)?.[0] ?? '';
    assert.doesNotMatch(send, /disabled/);
    assert.doesNotMatch(html, /can't be run from this build/);
  });

  test('no inline styles: the CSP allows stylesheets from the extension only', () => {
    const html = renderSidebarHtml(input);
    assert.doesNotMatch(html, /<style\b/i);
    assert.doesNotMatch(html, /\sstyle=/i);
    const csp = contentSecurityPolicy(input.cspSource, input.nonce);
    assert.match(csp, /style-src https:\/\/webview\.example(;|$)/);
    assert.match(csp, /img-src https:\/\/webview\.example data:/, 'no remote images');
    assert.doesNotMatch(csp, /connect-src|frame-src/);
  });

  test('every element the webview script looks up is in the page', () => {
    const html = renderSidebarHtml(input);
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
    const dir = join(__dirname, '..', '..', 'src', 'webview');
    const wanted = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/byId\('([\w-]+)'/g)].map((match) => match[1]));
    assert.ok(wanted.length > 10);
    for (const id of wanted) assert.ok(ids.has(id), `#${id} is in the page`);
  });

  test('nonces are fresh and CSP-safe', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  });
});
