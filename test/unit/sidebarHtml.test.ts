import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, renderSidebarHtml } from '../../src/client/sidebarHtml';
import { createNonce } from '../../src/client/nonce';

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

  test('accessible controls: labelled input and buttons', () => {
    const html = renderSidebarHtml(input);
    assert.match(html, /<label for="task-input"/);
    assert.match(html, /id="restart"[^>]*>.*Restart Agent Server<\/button>/);
    assert.match(html, /id="show-log"[^>]*>.*Show Log<\/button>/);
  });

  test('nonces are fresh and CSP-safe', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  });
});
