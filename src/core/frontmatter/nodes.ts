/** The parsed frontmatter's nodes: fields and values with the exact spans of their source text. */

/** What kind of value a frontmatter field holds, as the validator sees it. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'null' | 'date' | 'list' | 'map' | 'other';

/** A value in the frontmatter with the exact span of its source text. */
export interface ValueNode {
  /** The plain JavaScript value (TOML dates become their source text). */
  value: unknown;
  kind: ValueKind;
  start: number;
  end: number;
  /** The quote character around a string scalar, '' when plain. */
  quote: '' | '"' | "'";
}

/** One top-level key of the frontmatter, with spans of its key and value. */
export interface FieldNode {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: ValueNode;
  /** Items of a list value, when their spans are known. */
  items?: ValueNode[];
  /** True when a list is written inline (`[a, b]`), false for a YAML block list. */
  flow?: boolean;
}
