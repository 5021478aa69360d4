/**
 * Fits a conversation to a chat model's context by cutting the one part of it the caller marked
 * as cuttable: the end of a quoted post. The system message and the template's header stay whole,
 * so the model still knows what it is asked; the post is cut at a line or word boundary, and the
 * caller learns how many characters went (and says so to the writer).
 */
import { chatPromptIds, type ChatMessage, type ChatSetup } from './chatTemplate';
import type { TextTokenizer } from './tokenizer';

/** Which text may be cut from its end: message `message`'s content from character `from` on. */
export interface CuttableText {
  message: number;
  from: number;
}

export interface FittedConversation {
  ids: number[];
  messages: readonly ChatMessage[];
  /** Characters (UTF-16 units) cut from the end of the cuttable text; 0 when it fitted whole. */
  cutChars: number;
}

/**
 * The conversation's prompt ids within `budget` tokens: as it is when it fits; else with the
 * cuttable text cut to the longest prefix (ending at white space) that fits, found by bisection
 * (about 13 renderings for 6,000 characters). When nothing of the cuttable text fits, it is cut
 * whole and the ids may still exceed `budget`: the caller refuses that.
 */
export function fitConversation(
  setup: ChatSetup,
  tokenizer: TextTokenizer,
  messages: readonly ChatMessage[],
  budget: number,
  cuttable: CuttableText | undefined,
): FittedConversation {
  const ids = chatPromptIds(setup, tokenizer, messages);
  const target = cuttable && messages[cuttable.message];
  if (ids.length <= budget || !cuttable || !target || cuttable.from < 0 || cuttable.from >= target.content.length) {
    return { ids, messages, cutChars: 0 };
  }
  const head = target.content.slice(0, cuttable.from);
  const tail = target.content.slice(cuttable.from);
  const withTail = (kept: number): { ids: number[]; messages: ChatMessage[] } => {
    const content = head + tail.slice(0, kept).trimEnd();
    const fitted = messages.map((m, i) => (i === cuttable.message ? { ...m, content } : m));
    return { ids: chatPromptIds(setup, tokenizer, fitted), messages: fitted };
  };
  // The largest boundary `kept` in [0, tail.length) whose conversation fits: bisection on characters, then back to white space.
  let low = 0;
  let high = tail.length;
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if (withTail(atBoundary(tail, mid)).ids.length <= budget) low = mid;
    else high = mid;
  }
  const kept = atBoundary(tail, low);
  const best = withTail(kept);
  return { ids: best.ids, messages: best.messages, cutChars: tail.length - tail.slice(0, kept).trimEnd().length };
}

/** `at` moved back to just after the last white space before it (a word is not split), or 0. */
function atBoundary(text: string, at: number): number {
  if (at >= text.length) return text.length;
  let i = at;
  while (i > 0 && !/\s/.test(text[i - 1])) i--;
  // A single word longer than everything before it: cut inside it rather than lose it all.
  return i > 0 ? i : at;
}
