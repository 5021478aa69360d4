// A minimal Docusaurus site with a blog only, for Inkwell's agreement tests.
export default {
  title: 'Inkwell Docusaurus sample',
  url: 'http://example.org',
  baseUrl: '/',
  onBrokenLinks: 'warn',
  presets: [
    ['classic', {
      docs: false,
      blog: { onInlineAuthors: 'ignore', onUntruncatedBlogPosts: 'ignore' },
    }],
  ],
};
