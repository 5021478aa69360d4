/** Small posts that froze the frontmatter parser before it was bounded (times in `inkwell check` then). */
export const HOSTILE_POSTS: Record<string, string> = {
  // 34 s: each `{` nests a flow map as the key of the next one.
  braces28: `---\ntitle: t\ndate: 2024-01-01\n${'{'.repeat(28)}\nk: v\n---\n`,
  // 31 s: `? ` x 400 nests complex keys 400 deep.
  questionKeys400: `---\ntitle: t\ndate: 2024-01-01\nx: ${'? '.repeat(400)}\n---\n`,
  // Flow keys that are collections, closed and valid.
  flowMapKeys: `---\ntitle: t\ndate: 2024-01-01\nk: ${'{'.repeat(24)}a${'}'.repeat(24)}\n---\n`,
  seqPairKeys: `---\ntitle: t\ndate: 2024-01-01\nk: ${'[{'.repeat(12)}a${'}]'.repeat(12)}\n---\n`,
  blockComplexKey: `---\ntitle: t\ndate: 2024-01-01\n${'? '.repeat(30)}a\n: b\n---\n`,
  yamlDeepFlow: `---\ntitle: t\ndate: 2024-01-01\nk: ${'['.repeat(70_000)}\n---\n`,
  tomlDeepArrays: `+++\ntitle = "t"\ndate = 2024-01-01\nk = ${'['.repeat(70_000)}${']'.repeat(70_000)}\n+++\n`,
  tomlDeepTables: `+++\ntitle = "t"\ndate = 2024-01-01\nk = ${'{a='.repeat(30_000)}1${'}'.repeat(30_000)}\n+++\n`,
  tomlDeepDotted: `+++\ntitle = "t"\ndate = 2024-01-01\n${'a.'.repeat(30_000)}b = 1\n+++\n`,
  jsonDeep: `{\n"title": "t",\n"date": "2024-01-01",\n"k": ${'['.repeat(70_000)}${']'.repeat(70_000)}\n}\n`,
};
