/**
 * A logits processor that lets a model write only a list of choices from a fixed set: choice,
 * separator, choice, …, then an end-of-turn id. It is how an instruct model suggests tags that
 * exist in the blog: whatever its weights, it cannot spell one that does not.
 *
 * Token sequences: the first choice is constrained to the tokenizer's encoding of `choice`, every
 * later one to the encoding of `separator + choice` as one piece. A byte-level BPE (GPT-2, Llama 3,
 * Qwen) glues a space to the word after it (", ml" is "," + " ml", not "," + " " + "ml"), so the
 * later choices take the spelling the model itself would use after a separator; each piece still
 * decodes to exactly its text, so the output is the choices joined by the separator. End ids are
 * allowed only where a choice is complete, and only after the first one.
 *
 * A choice may be a prefix of another ("ml", "ml-ops"), and a choice may continue with what starts
 * a separator ("c" and "c,d" with ", "): one token sequence can then be read several ways. The
 * processor follows every reading at once (a small set of states, each a trie node and the
 * choices completed on its way) and allows the union of what they allow.
 *
 * Bounds: the two tries have O(total tokens of the choices) nodes, each node listing the choices
 * below it (the sum of those lists is again the total tokens). A step costs O(vocabulary) for the
 * mask, plus, per live reading, O(choices) to skip branches that hold only choices already written.
 * Readings are deduplicated and capped at {@link MAX_READINGS}.
 */
import type { LogitsProcessor } from './logitsProcessors';
import type { TextTokenizer } from './tokenizer';

/** What a model may choose from: `allowed` strings joined by `separator`, at most `max` of them. */
export interface ChoiceOptions {
  allowed: readonly string[];
  separator: string;
  max: number;
}

interface TrieNode {
  children: Map<number, TrieNode>;
  /** The index of the choice whose tokens end here. */
  choice?: number;
  /** Every choice whose tokens pass through or end here: a branch is worth entering while one of them is not yet written. */
  below: number[];
}

/** The token tries of one set of choices for one tokenizer; reusable across requests. */
export interface ChoiceGrammar {
  /** The choices kept: trimmed, non-empty, without the separator, each once (first spelling wins). */
  choices: readonly string[];
  separator: string;
  max: number;
  /** The ids that end the list. */
  endIds: readonly number[];
  /** Tokens of the first choice. */
  first: TrieNode;
  /** Tokens of `separator + choice`, for every later choice. */
  next: TrieNode;
  /** Tokens the longest list takes, end id included: a token limit at least this never cuts a list. */
  maxTokens: number;
}

/** More readings than this of one sequence are dropped (only a contrived set of choices comes near). */
export const MAX_READINGS = 256;

/** The choices a grammar can hold: trimmed, non-empty, free of the separator (it would make the output ambiguous), each once. */
export function usableChoices(allowed: readonly string[], separator: string): string[] {
  const out = new Set<string>();
  for (const raw of allowed) {
    const choice = raw.trim();
    if (choice && !(separator && choice.includes(separator))) out.add(choice);
  }
  return [...out];
}

function newNode(): TrieNode {
  return { children: new Map(), below: [] };
}

/** Adds `ids` to the trie as `choice`; returns how many tokens that is. */
function insert(root: TrieNode, ids: readonly number[], choice: number): number {
  let node = root;
  node.below.push(choice);
  for (const id of ids) {
    let child = node.children.get(id);
    if (!child) node.children.set(id, (child = newNode()));
    node = child;
    node.below.push(choice);
  }
  // A choice that encodes to nothing cannot be written; two that encode alike keep the first.
  if (ids.length && node.choice === undefined) node.choice = choice;
  return ids.length;
}

/** Builds the tries of `options` for `tokenizer`; the list ends with any of `endIds`. */
export function buildChoiceGrammar(
  tokenizer: Pick<TextTokenizer, 'encode'>,
  options: ChoiceOptions,
  endIds: readonly number[],
): ChoiceGrammar {
  const choices = usableChoices(options.allowed, options.separator);
  const max = Math.max(0, Math.min(Math.floor(options.max), choices.length));
  const first = newNode();
  const next = newNode();
  let firstLongest = 0;
  let nextLongest = 0;
  choices.forEach((choice, i) => {
    firstLongest = Math.max(firstLongest, insert(first, tokenizer.encode(choice), i));
    nextLongest = Math.max(nextLongest, insert(next, tokenizer.encode(options.separator + choice), i));
  });
  const maxTokens = max > 0 ? firstLongest + (max - 1) * nextLongest + 1 : 1;
  return { choices, separator: options.separator, max, endIds: [...new Set(endIds)], first, next, maxTokens };
}

/** One reading of the tokens so far: where it is in a trie, and the choices it completed before that node. */
interface Reading {
  node: TrieNode;
  written: readonly number[];
}

/** A branch still leads to a choice not yet written. */
function live(node: TrieNode, written: readonly number[]): boolean {
  return node.below.some((c) => !written.includes(c));
}

/** The choice that ends at the reading's node, if it is one not yet written (the list may end or go on there). */
function completed(r: Reading): number | undefined {
  const c = r.node.choice;
  return c !== undefined && !r.written.includes(c) ? c : undefined;
}

/**
 * The constraint for one request. It follows the generated sequence (`push`, `rollback`) as the
 * other processors do, keeping the readings after every token so that a rollback is a pop.
 */
export class ChoiceConstraint implements LogitsProcessor {
  /** The readings after each generated token; the first entry is before any. An empty entry: the sequence left the grammar. */
  private readonly history: Reading[][];

  constructor(private readonly grammar: ChoiceGrammar) {
    this.history = [grammar.max > 0 ? [{ node: grammar.first, written: [] }] : []];
  }

  private get readings(): Reading[] {
    return this.history[this.history.length - 1];
  }

  /** Every id but the allowed ones becomes -Infinity. When none is left (the sequence left the grammar), only the end ids are allowed. */
  process(logits: Float32Array): void {
    const ids = this.keptIds(logits.length);
    const kept = ids.map((id) => logits[id]);
    logits.fill(-Infinity);
    // An earlier processor (an n-gram ban) may have banned every allowed id: the grammar wins, evenly.
    const anyFinite = kept.some((v) => v > -Infinity);
    ids.forEach((id, i) => (logits[id] = anyFinite ? kept[i] : 0));
  }

  /** As {@link process} decides: an id it does not keep is forbidden; one it keeps stays forbidden if banned before, unless every id it keeps was. */
  forbidden(id: number, before: (id: number) => boolean): boolean {
    const ids = this.keptIds();
    if (!ids.includes(id)) return true;
    return before(id) && ids.some((other) => !before(other));
  }

  /** The ids below `limit` that {@link process} keeps: those some reading allows, or the end ids when none does (the sequence left the grammar). */
  private keptIds(limit = Infinity): number[] {
    const allowed = [...this.allowedIds()].filter((id) => id < limit);
    return allowed.length ? allowed : this.grammar.endIds.filter((id) => id < limit);
  }

  /** The ids some reading allows next. */
  allowedIds(): Set<number> {
    const { grammar } = this;
    const ids = new Set<number>();
    for (const r of this.readings) {
      for (const [id, child] of r.node.children) if (live(child, r.written)) ids.add(id);
      const done = completed(r);
      if (done === undefined) continue;
      for (const id of grammar.endIds) ids.add(id);
      if (r.written.length + 1 >= grammar.max) continue;
      const written = [...r.written, done];
      for (const [id, child] of grammar.next.children) if (live(child, written)) ids.add(id);
    }
    return ids;
  }

  push(id: number): void {
    this.history.push(this.advance(id));
  }

  rollback(k: number): void {
    this.history.length = Math.max(1, this.history.length - k);
  }

  /** The readings after `id`: into a child of the node, or, where a choice is complete, into the next one. */
  private advance(id: number): Reading[] {
    const out = new Map<string, Reading>();
    const add = (r: Reading) => {
      const key = `${r.written.join(',')}|${nodeKey(r.node)}`;
      if (out.size < MAX_READINGS && !out.has(key)) out.set(key, r);
    };
    for (const r of this.readings) {
      const child = r.node.children.get(id);
      if (child && live(child, r.written)) add({ node: child, written: r.written });
      const done = completed(r);
      if (done === undefined || r.written.length + 1 >= this.grammar.max) continue;
      const written = [...r.written, done];
      const start = this.grammar.next.children.get(id);
      if (start && live(start, written)) add({ node: start, written });
    }
    return [...out.values()];
  }
}

/** A stable identity for trie nodes, so that two readings at the same node with the same choices count once. */
const nodeIds = new WeakMap<TrieNode, number>();
let nextNodeId = 0;
function nodeKey(node: TrieNode): number {
  let id = nodeIds.get(node);
  if (id === undefined) nodeIds.set(node, (id = nextNodeId++));
  return id;
}

/**
 * The choices in a constrained output: its pieces between separators, trimmed, those of the
 * grammar, each once, at most `max`. `complete` false (the text did not end at an end id): the
 * last piece may be a choice cut short ("ml" of "ml-ops"), so it is left out.
 */
export function parseChoices(text: string, grammar: Pick<ChoiceGrammar, 'choices' | 'separator' | 'max'>, complete: boolean): string[] {
  const pieces = grammar.separator ? text.split(grammar.separator) : [text];
  if (!complete) pieces.pop();
  const known = new Set(grammar.choices);
  const out: string[] = [];
  for (const piece of pieces.map((p) => p.trim())) {
    if (known.has(piece) && !out.includes(piece)) out.push(piece);
  }
  return out.slice(0, grammar.max);
}
