// The test driver: a small HTTP server on 127.0.0.1 through which tests running inside the VS Code
// extension host ask the browser side (Playwright) to look at what a user sees: read the sidebar
// webview's DOM, type and click in it, press keys, take screenshots.
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Finds the frame that holds the Plumbline sidebar's document (webviews are nested iframes). */
async function sidebarFrame(page) {
  for (const frame of page.frames()) {
    try {
      if (await frame.$('[data-plumbline-view="sidebar"]')) return frame;
    } catch {
      // Frames come and go while the workbench lays out; a detached one is simply skipped.
    }
  }
  return undefined;
}

const handlers = {
  async screenshot(page, { name }, artifacts) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`bad screenshot name ${name}`);
    const path = join(artifacts, `${name}.png`);
    await page.screenshot({ path });
    return { path };
  },
  async 'webview/query'(page, { selector }) {
    const frame = await sidebarFrame(page);
    if (!frame) return { found: false };
    const element = await frame.$(selector);
    if (!element) return { found: true, exists: false };
    const text = (await element.textContent()) ?? '';
    const value = await element.evaluate((node) => ('value' in node ? String(node.value) : null));
    const attributes = await element.evaluate((node) => Object.fromEntries([...node.attributes].map((a) => [a.name, a.value])));
    return { found: true, exists: true, text, value, attributes };
  },
  async 'webview/type'(page, { selector, text }) {
    const frame = await sidebarFrame(page);
    if (!frame) throw new Error('the sidebar webview is not open');
    await frame.fill(selector, text);
    return {};
  },
  async 'webview/click'(page, { selector }) {
    const frame = await sidebarFrame(page);
    if (!frame) throw new Error('the sidebar webview is not open');
    await frame.click(selector);
    return {};
  },
  async 'keyboard/type'(page, { text }) {
    await page.keyboard.type(text);
    return {};
  },
  async 'workbench/waitFor'(page, { selector, timeoutMs }) {
    await page.waitForSelector(selector, { timeout: timeoutMs ?? 10000 });
    return {};
  },
  async 'workbench/click'(page, { selector, button }) {
    await page.click(selector, { button: button === 'right' ? 'right' : 'left', timeout: 10000 });
    return {};
  },
  async 'workbench/query'(page, { selector }) {
    const element = await page.$(selector);
    if (!element) return { found: true, exists: false };
    return { found: true, exists: true, text: (await element.textContent()) ?? '', visible: await element.isVisible() };
  },
  async 'keyboard/press'(page, { key }) {
    await page.keyboard.press(key);
    return {};
  },
};

export async function startDriver(getPage, artifacts) {
  mkdirSync(artifacts, { recursive: true });
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', async () => {
      const route = (request.url ?? '').replace(/^\//, '');
      const handler = handlers[route];
      try {
        if (!handler || request.method !== 'POST') throw new Error(`unknown driver route ${route}`);
        const page = getPage();
        if (!page) throw new Error('the browser page is not ready');
        const result = await handler(page, body ? JSON.parse(body) : {}, artifacts);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (error) {
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error?.message ?? error) }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
