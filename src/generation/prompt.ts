/**
 * The prompt for a continuation: the post's title, description and tags as a
 * short plain-text header (models are trained on prose, not YAML), then the
 * body up to the cursor. Pure: works on the document text and an offset.
 */
import { parseFrontmatter } from '../core/frontmatter/parse';

export interface ContinuationPrompt {
  /** The text sent to the model. */
  prompt: string;
  /** Characters of the body before the cursor that the prompt includes. */
  bodyChars: number;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** Builds the prompt for continuing `text` at `offset`. */
export function buildContinuationPrompt(text: string, offset: number): ContinuationPrompt {
  const parsed = parseFrontmatter(text);
  const block = parsed.block;
  const bodyStart = block && block.terminated ? Math.min(block.bodyStart, offset) : 0;
  const inFrontmatter = !!block && offset < block.bodyStart;
  const data = parsed.data;
  const header: string[] = [];
  const title = str(data.title);
  const description = str(data.description ?? data.summary ?? data.excerpt);
  const rawTags = data.tags ?? data.categories;
  const tags = Array.isArray(rawTags) ? rawTags.map(str).filter(Boolean) : str(rawTags) ? [str(rawTags)] : [];
  if (title) header.push(title);
  if (description) header.push(description);
  if (tags.length) header.push(`Tags: ${tags.join(', ')}`);
  // Inside the frontmatter there is no body to continue: the header alone is the prompt.
  const body = inFrontmatter ? '' : text.slice(bodyStart, offset).replace(/^\s*\n/, '');
  const prompt = header.length ? `${header.join('\n')}\n\n${body}` : body;
  return { prompt, bodyChars: body.length };
}
