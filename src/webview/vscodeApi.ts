/** The slice of the webview host API the sidebar uses; `acquireVsCodeApi` may be called only once. */
export interface WebviewHost {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): WebviewHost;

export const host: WebviewHost = acquireVsCodeApi();
