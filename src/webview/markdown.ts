import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { h, icon } from './dom';

/**
 * Model text is untrusted: it is rendered as markdown without raw HTML, then sanitized to a short
 * list of tags. Links may only be http(s) or mailto (no `javascript:`, no `command:`), images are
 * shown as their alt text (nothing remote is loaded), and code blocks get a copy button.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

const safeLink = /^(?:https?:|mailto:)/i;
markdown.validateLink = (url: string): boolean => safeLink.test(url.trim());
markdown.renderer.rules.image = (tokens, index): string => markdown.utils.escapeHtml(tokens[index]?.content ?? '');

const allowedTags = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'em', 'strong', 's', 'del', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (!safeLink.test(href)) node.removeAttribute('href');
    else node.setAttribute('title', href);
  }
});

export function sanitizeMarkdown(text: string): DocumentFragment {
  return DOMPurify.sanitize(markdown.render(text), {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: ['href', 'title', 'start', 'class'],
    ALLOWED_URI_REGEXP: safeLink,
    RETURN_DOM_FRAGMENT: true,
  });
}

/** Renders `text` into `target`, replacing what was there. */
export function renderMarkdown(target: HTMLElement, text: string): void {
  const fragment = sanitizeMarkdown(text);
  for (const block of fragment.querySelectorAll('pre')) {
    block.classList.add('code-block');
    block.prepend(
      h('button', { type: 'button', class: 'icon-button copy-code', 'data-copy': 'code', title: 'Copy code', 'aria-label': 'Copy code' }, icon('copy')),
    );
  }
  target.replaceChildren(fragment);
}

/** The text of the code block a copy button belongs to. */
export function codeOf(button: Element): string | undefined {
  return button.closest('pre')?.querySelector('code')?.textContent ?? undefined;
}
