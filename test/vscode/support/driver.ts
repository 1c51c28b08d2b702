/**
 * Client for the browser-side test driver (test/vscode/driver.mjs). Present only when the suite
 * runs under the code-server harness; under @vscode/test-electron `driver` is undefined and the
 * tests that need to see pixels or DOM are skipped there.
 */
export interface WebviewElement {
  readonly found: boolean;
  readonly exists?: boolean;
  readonly text?: string;
  readonly value?: string | null;
  readonly attributes?: Record<string, string>;
  /** Workbench queries only. */
  readonly visible?: boolean;
}

export interface Driver {
  screenshot(name: string): Promise<string>;
  query(selector: string): Promise<WebviewElement>;
  /** The sidebar's width and where each selector's matches are (see `WebviewLayout`). */
  layout(selectors: readonly string[]): Promise<WebviewLayout>;
  /** Drags the primary sidebar's sash until the sidebar is `width` px wide; returns the width it had. */
  resizeSidebar(width: number): Promise<number>;
  /** Scrolls the sidebar until the first match of `selector` is in view (for a screenshot). */
  scrollIntoView(selector: string): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  press(key: string): Promise<void>;
  /** Types into whatever has focus in the workbench (a quick pick, an input box). */
  typeText(text: string): Promise<void>;
  /** Waits for a workbench element, e.g. '.quick-input-widget'. */
  waitForWorkbench(selector: string, timeoutMs?: number): Promise<void>;
  /** Clicks a workbench element (Playwright selector), e.g. a notification's button or the editor (right: a context menu). */
  clickWorkbench(selector: string, button?: 'left' | 'right'): Promise<void>;
  /** Reads a workbench element (outside the webviews). */
  queryWorkbench(selector: string): Promise<WebviewElement>;
  /**
   * Benchmarks: starts recording (in the browser, Date.now()) when an element matching `selector`
   * (containing `text`, if given) first appears in the sidebar webview's or the workbench's DOM.
   */
  watchMark(target: MarkTarget, name: string, selector: string, text?: string): Promise<void>;
  /** The recorded mark, or null while the element has not appeared. */
  readMark(target: MarkTarget, name: string): Promise<DomMark | null>;
}

export interface LaidOutElement {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly width: number;
  /** False inside a closed <details> or a hidden element: not on screen, not reached by Tab. */
  readonly rendered: boolean;
  /** aria-label, or the text. */
  readonly name: string;
  /** A <select>: the width its selected option's text needs, and the room it has. */
  readonly textWidth?: number;
  readonly innerWidth?: number;
}

export interface WebviewLayout {
  readonly width: number;
  readonly scrollWidth: number;
  readonly boxes: Readonly<Record<string, readonly LaidOutElement[]>>;
}

export type MarkTarget = 'sidebar' | 'workbench';

export interface DomMark {
  /** Date.now() in the browser when the element was first in the DOM. */
  readonly at: number;
  /** Date.now() at the start of the next animation frame (it is painted in that frame); null until then. */
  readonly frameAt: number | null;
  /** The element was already there when the watch started. */
  readonly present: boolean;
}

async function call<T>(base: string, route: string, body: object): Promise<T> {
  const response = await fetch(`${base}/${route}`, { method: 'POST', body: JSON.stringify(body) });
  const json = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`driver ${route}: ${json.error ?? response.status}`);
  return json;
}

function createDriver(base: string): Driver {
  return {
    screenshot: async (name) => (await call<{ path: string }>(base, 'screenshot', { name })).path,
    query: (selector) => call<WebviewElement>(base, 'webview/query', { selector }),
    layout: (selectors) => call<WebviewLayout>(base, 'webview/layout', { selectors }),
    scrollIntoView: async (selector) => {
      await call(base, 'webview/scrollIntoView', { selector });
    },
    resizeSidebar: async (width) => (await call<{ before: number }>(base, 'workbench/resizeSidebar', { width })).before,
    type: async (selector, text) => {
      await call(base, 'webview/type', { selector, text });
    },
    click: async (selector) => {
      await call(base, 'webview/click', { selector });
    },
    press: async (key) => {
      await call(base, 'keyboard/press', { key });
    },
    typeText: async (text) => {
      await call(base, 'keyboard/type', { text });
    },
    clickWorkbench: async (selector, button) => {
      await call(base, 'workbench/click', { selector, button });
    },
    queryWorkbench: (selector) => call<WebviewElement>(base, 'workbench/query', { selector }),
    watchMark: async (target, name, selector, text) => {
      await call(base, 'mark/watch', { target, name, selector, ...(text !== undefined ? { text } : {}) });
    },
    readMark: async (target, name) => (await call<{ mark: DomMark | null }>(base, 'mark/read', { target, name })).mark,
    waitForWorkbench: async (selector, timeoutMs) => {
      await call(base, 'workbench/waitFor', { selector, timeoutMs });
    },
  };
}

const base = process.env.PLUMBLINE_TEST_DRIVER;
export const driver: Driver | undefined = base ? createDriver(base) : undefined;
