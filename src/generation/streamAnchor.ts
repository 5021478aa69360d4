/**
 * Where streamed text goes while the user keeps editing. The anchor is the end
 * of the text inserted so far; every document change moves it the way an
 * editor moves a cursor, so edits elsewhere are kept and the stream continues
 * at the right place. Pure.
 */

/** One document change, as offsets in the text before it. */
export interface OffsetChange {
  /** Start of the replaced range. */
  offset: number;
  /** Length of the replaced range. */
  removed: number;
  /** Length of the new text. */
  inserted: number;
}

/**
 * The anchor after a change. A change entirely before the anchor (or an insert
 * exactly at it, which is how the stream itself grows) shifts it; a change that
 * covers the anchor moves it to the end of the new text; later changes leave it.
 */
export function moveAnchor(anchor: number, change: OffsetChange): number {
  const end = change.offset + change.removed;
  if (end <= anchor) {
    // Before the anchor, or a pure insert at it.
    if (change.removed === 0 && change.offset === anchor) return anchor + change.inserted;
    return anchor + change.inserted - change.removed;
  }
  if (change.offset < anchor) return change.offset + change.inserted;
  return anchor;
}

/**
 * Applies the changes of one document event. VS Code reports them against the
 * text before the event, sorted so later ranges come first in its list.
 */
export function moveAnchorThrough(anchor: number, changes: readonly OffsetChange[]): number {
  // Offsets refer to the original text: apply from the last range to the first.
  const sorted = [...changes].sort((a, b) => b.offset - a.offset);
  for (const change of sorted) anchor = moveAnchor(anchor, change);
  return anchor;
}
