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

/**
 * Runs in the page or the webview frame: records (Date.now(), the same clock as the extension host's)
 * when an element matching `selector` (and containing `text`, if given) is first in the DOM, and the
 * start of the next animation frame after that (when it is painted). A MutationObserver checks after
 * every batch of DOM changes; marks live in `window.__plumblineMarks`.
 */
function installMark({ name, selector, text }) {
  /* global window, document, requestAnimationFrame, MutationObserver, getComputedStyle -- evaluated in the browser */
  const marks = (window.__plumblineMarks ??= {});
  const observers = (window.__plumblineObservers ??= {});
  observers[name]?.disconnect();
  marks[name] = undefined;
  const matches = () => {
    if (text === undefined) return document.querySelector(selector) !== null;
    for (const element of document.querySelectorAll(selector)) if ((element.textContent ?? '').includes(text)) return true;
    return false;
  };
  const check = (present) => {
    if (marks[name] !== undefined || !matches()) return;
    const mark = { at: Date.now(), frameAt: null, present };
    marks[name] = mark;
    requestAnimationFrame(() => (mark.frameAt = Date.now()));
    observers[name]?.disconnect();
  };
  check(true);
  if (marks[name] !== undefined) return;
  const observer = new MutationObserver(() => check(false));
  observers[name] = observer;
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

async function markFrame(page, target) {
  if (target === 'workbench') return page.mainFrame();
  const frame = await sidebarFrame(page);
  if (!frame) throw new Error('the sidebar webview is not open');
  return frame;
}

const handlers = {
  /** Starts watching for an element: { target: 'sidebar' | 'workbench', name, selector, text? }. */
  async 'mark/watch'(page, { target, name, selector, text }) {
    const frame = await markFrame(page, target);
    await frame.evaluate(installMark, { name, selector, text });
    return {};
  },
  /** The mark { at, frameAt, present } once the element appeared, else null. */
  async 'mark/read'(page, { target, name }) {
    const frame = await markFrame(page, target);
    return { mark: await frame.evaluate((key) => window.__plumblineMarks?.[key] ?? null, name) };
  },
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
  async 'webview/scrollIntoView'(page, { selector }) {
    const frame = await sidebarFrame(page);
    if (!frame) throw new Error('the sidebar webview is not open');
    await frame.locator(selector).first().scrollIntoViewIfNeeded();
    return {};
  },
  async 'webview/click'(page, { selector }) {
    const frame = await sidebarFrame(page);
    if (!frame) throw new Error('the sidebar webview is not open');
    await frame.click(selector);
    return {};
  },
  /**
   * Where elements of the sidebar are laid out: the document's width, and per selector each match's
   * box, its accessible name (aria-label or text), whether it is rendered (a closed <details> hides
   * its content), and for a <select> the width its selected text needs.
   */
  async 'webview/layout'(page, { selectors }) {
    const frame = await sidebarFrame(page);
    if (!frame) throw new Error('the sidebar webview is not open');
    return frame.evaluate((wanted) => {
      const canvas = document.createElement('canvas').getContext('2d');
      const boxes = {};
      for (const selector of wanted) {
        boxes[selector] = [...document.querySelectorAll(selector)].map((element) => {
          const rect = element.getBoundingClientRect();
          const box = { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom, width: rect.width, rendered: typeof element.checkVisibility === 'function' ? element.checkVisibility() : element.getClientRects().length > 0, name: element.getAttribute('aria-label') ?? (element.textContent ?? '').trim() };
          if (element.tagName === 'SELECT' && canvas) {
            const style = getComputedStyle(element);
            canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            box.textWidth = canvas.measureText(element.selectedOptions[0]?.textContent ?? '').width;
            box.innerWidth = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          }
          return box;
        });
      }
      return { width: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth, boxes };
    }, selectors);
  },
  /** Drags the sash on the primary sidebar's right edge so the sidebar is `width` px wide (as a user resizes it). */
  async 'workbench/resizeSidebar'(page, { width }) {
    const box = await page.locator('.part.sidebar').first().boundingBox();
    if (!box) throw new Error('the sidebar is not open');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width, y);
    await page.mouse.down();
    await page.mouse.move(box.x + width, y, { steps: 8 });
    await page.mouse.up();
    return { before: Math.round(box.width) };
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
