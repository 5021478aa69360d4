import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';
import type { MarkdownIt as MarkdownItInstance, StateCore } from 'markdown-it';
import { vettedUrlsPlugin } from './body';

/**
 * A markdown-it plugin that puts `data-line="<editor line>"` on every block token
 * that knows its source line, the way VS Code's preview does, so the preview and
 * the editor can scroll each other. `lineOffset` is added to every line.
 */
export function sourceLinesPlugin(md: MarkdownItInstance, lineOffset = 0): void {
  md.core.ruler.push('inkwell_source_lines', (state: StateCore) => {
    for (const token of state.tokens) {
      if (token.map && token.block && token.nesting >= 0 && token.type !== 'inline') {
        token.attrSet('data-line', String(token.map[0] + lineOffset));
      }
    }
  });
}

/**
 * The engine that renders post bodies: CommonMark plus tables and strikethrough,
 * raw HTML allowed (the sanitizer runs afterwards), bare URLs linked.
 */
export function createArticleMarkdown(): MarkdownItInstance {
  const md = new MarkdownIt({ html: true, linkify: true, typographer: false, breaks: false, highlight: highlightCode });
  // Links are vetted by the sanitizer; markdown-it's own check would silently drop
  // `data:` images before we can tell the writer why they are missing.
  md.validateLink = () => true;
  md.use(sourceLinesPlugin);
  md.use(vettedUrlsPlugin);
  return md;
}

/**
 * Highlights a fenced code block with highlight.js (its common languages), as
 * VS Code's Markdown preview does: `<span class="hljs-…">` around tokens, text
 * escaped by highlight.js. Unknown or missing languages stay plain (markdown-it
 * escapes them). This module is loaded with the renderer, on the first preview.
 */
export function highlightCode(code: string, lang: string): string {
  const language = lang.trim().toLowerCase();
  if (!language || !hljs.getLanguage(language)) return '';
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return '';
  }
}
