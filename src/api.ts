import type { MarkdownIt } from 'markdown-it';
import type { InkwellTestSupport } from './testSupport';

/** What `activate` returns. VS Code's Markdown preview calls `extendMarkdownIt`. */
export interface InkwellApi {
  extendMarkdownIt(md: MarkdownIt): MarkdownIt;
  /**
   * Present only when the extension runs under its integration tests
   * (`ExtensionMode.Test`); not an API for other extensions.
   */
  readonly testing?: InkwellTestSupport;
}
