import * as path from 'path';
import * as vscode from 'vscode';
import type { MarkdownIt } from 'markdown-it';
import { frontMatterHeaderPlugin } from '../../core/render/frontMatterPlugin';
import { localPath, resolveImageSource, schemeOf } from '../../core/render/urlPolicy';
import { resolvePostResource } from '../../preview/resources';

/**
 * The `extendMarkdownIt` VS Code's Markdown preview calls: the article header
 * instead of the frontmatter. VS Code's preview serves the document's folder as
 * its base, so the hero image becomes a path relative to the post; site-root
 * paths (`/uploads/x.png`) are first looked up in `inkwell.posts.staticFolders`.
 */
export function createMarkdownItExtender(): (md: MarkdownIt) => MarkdownIt {
  return (md) =>
    md.use(frontMatterHeaderPlugin, {
      locale: () => vscode.env.language,
      resolveImage: (image: string, env: unknown) => {
        const doc = currentDocument(env);
        const scheme = schemeOf(image);
        // Remote and data images are the Markdown preview's business (its own security setting).
        if (scheme) return resolveImageSource(image, { allowHttpsImages: true, resolveLocal: () => undefined });
        if (!doc) return { kind: 'ok', src: image };
        const relative = localPath(image);
        const file = relative === undefined ? undefined : resolvePostResource(doc, relative);
        if (!file) return { kind: 'missing', path: image };
        return { kind: 'ok', src: encodeURI(path.posix.relative(path.posix.dirname(doc.path), file.path)) };
      },
    });
}

/** VS Code passes the document being rendered as `env.currentDocument`. */
function currentDocument(env: unknown): vscode.Uri | undefined {
  const doc = (env as { currentDocument?: unknown } | undefined)?.currentDocument;
  if (doc instanceof vscode.Uri) return doc;
  // The Markdown extension's Uri may come from another copy of the API module: accept its shape.
  const d = doc as { scheme?: unknown; authority?: unknown; path?: unknown } | undefined;
  if (typeof d?.scheme === 'string' && typeof d.path === 'string')
    return vscode.Uri.from({ scheme: d.scheme, authority: typeof d.authority === 'string' ? d.authority : '', path: d.path });
  return undefined;
}
