/**
 * Stands in for the `entities` package in the webview bundle (esbuild aliases it here): markdown-it
 * asks it to decode one named entity at a time (`&copy;`), and the browser already knows them all.
 * This keeps ~75 KB of entity tables out of `dist/webview/sidebar.js`. A textarea's content is
 * text, never markup, so assigning the entity to it cannot create elements.
 */
const namedEntity = /^&[a-z][a-z0-9]{1,31};$/i;
let decoder: HTMLTextAreaElement | undefined;

export function decodeHTML(entity: string): string {
  if (!namedEntity.test(entity)) return entity;
  decoder ??= document.createElement('textarea');
  decoder.innerHTML = entity;
  return decoder.value;
}

export const decodeHTMLStrict = decodeHTML;
