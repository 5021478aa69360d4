import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from './escape';
import { classifyLink, ImagePolicy, resolveImageSource } from './urlPolicy';

/**
 * Tags a post body may keep. Everything that runs code, loads other documents,
 * submits data or restyles the page is absent: script, iframe, object, embed,
 * style, link, meta, base, form and its controls, svg/math (namespace confusion).
 */
const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'),
  'img',
  'del',
  'ins',
  'details',
  'summary',
  'figure',
  'figcaption',
  'picture',
].filter((t, i, all) => all.indexOf(t) === i);

/** Attributes by tag. No `id`/`name` (DOM clobbering), no `style`, no event handlers. */
const ALLOWED_ATTRIBUTES: sanitizeHtml.IOptions['allowedAttributes'] = {
  '*': ['data-line', 'title', 'lang', 'dir'],
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
  td: ['align', 'colspan', 'rowspan'],
  th: ['align', 'colspan', 'rowspan', 'scope'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  time: ['datetime'],
  details: ['open'],
  span: ['class', 'role'],
  code: ['class'],
  div: ['class'],
  aside: ['class'],
  p: ['class'],
};

/** Callout classes common in blog HTML (`<div class="note">`); the preview styles them. */
const CALLOUTS = [
  'note',
  'info',
  'tip',
  'hint',
  'warning',
  'caution',
  'danger',
  'important',
  'callout',
  'admonition',
  'alert',
  'error',
  'success',
];

const ALLOWED_CLASSES: sanitizeHtml.IOptions['allowedClasses'] = {
  code: ['language-*', 'hljs'],
  // Highlighted code blocks keep their token classes when they sit next to raw HTML.
  span: ['inkwell-image-missing', 'hljs-*'],
  div: CALLOUTS,
  aside: CALLOUTS,
  p: CALLOUTS,
};

/**
 * Sanitizes rendered post HTML for the preview. Images are resolved through
 * `policy` (local files become webview URLs; remote ones only when allowed);
 * links keep only safe targets. The result is safe to assign to innerHTML even
 * without the page's Content-Security-Policy, which is a second, independent wall.
 */
export function sanitizeArticleHtml(html: string, policy: ImagePolicy): string {
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedClasses: ALLOWED_CLASSES,
    // Image sources are vetted by the transform below; the schemes here are a backstop.
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'action', 'formaction', 'srcset', 'xlink:href'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // Text inside these is code or markup, never prose: drop it with the tag.
    nonTextTags: [
      'script',
      'style',
      'textarea',
      'option',
      'noscript',
      'title',
      'template',
      'xmp',
      'iframe',
      'noembed',
      'noframes',
      'plaintext',
    ],
    enforceHtmlBoundary: false,
    parseStyleAttributes: false,
    transformTags: {
      img: (tagName, attribs) => {
        const source = resolveImageSource(attribs.src ?? '', policy);
        if (source.kind === 'ok') return { tagName, attribs: { ...attribs, src: source.src } as sanitizeHtml.Attributes };
        const note = source.kind === 'missing' ? `Image not found: ${source.path}` : source.reason;
        const alt = attribs.alt ? `${attribs.alt} ` : '';
        const placeholder: sanitizeHtml.Attributes = { class: 'inkwell-image-missing', role: 'img', title: note };
        return { tagName: 'span', attribs: placeholder, text: `${alt}(${note})` };
      },
      a: (tagName, attribs) => {
        const target = attribs.href === undefined ? undefined : classifyLink(attribs.href);
        const { href: _href, ...rest } = attribs;
        if (!target || target.kind === 'blocked') return { tagName, attribs: rest };
        return { tagName, attribs: { ...rest, href: attribs.href!.trim(), rel: 'noopener noreferrer' } };
      },
    },
    textFilter: undefined,
  });
}

/** Escapes a fragment of text for the page; re-exported so callers need one module. */
export { escapeHtml };
