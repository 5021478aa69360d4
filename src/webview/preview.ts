/**
 * Runs inside the article preview and tag page webviews (bundled to
 * media/webview/preview.js). Applies updates from the extension, reports what it
 * shows, syncs scrolling with the editor and turns clicks into messages: the page
 * itself never navigates.
 */
import type { HostToWebview, PreviewPersistedState, WebviewToHost } from '../preview/previewMessages';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  setState(state: PreviewPersistedState): void;
  getState(): PreviewPersistedState | undefined;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const body = document.body;
const headerSlot = document.querySelector<HTMLElement>('.inkwell-header-slot')!;
const content = document.querySelector<HTMLElement>('.inkwell-body')!;
const state = {
  uri: body.dataset.uri ?? '',
  version: Number(body.dataset.version ?? 0),
  locked: body.dataset.locked === 'true',
};

/** Block elements that carry `data-line`, in document order, with their line. */
function lineElements(): { line: number; el: HTMLElement }[] {
  const out: { line: number; el: HTMLElement }[] = [];
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-line]'))) {
    const line = Number(el.dataset.line);
    if (Number.isFinite(line)) out.push({ line, el });
  }
  return out;
}

/**
 * Marks the dates after today in the header and on tag page cards with a "Scheduled" badge, as
 * drafts get "Draft": most generators leave such a post out of the built site until that day.
 * Here, in the page, because "today" is the reader's, now, and the page may stay open past midnight.
 */
function markFutureDates(): void {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  for (const time of Array.from(document.querySelectorAll<HTMLTimeElement>('.inkwell-facts time[datetime]'))) {
    const when = time.dateTime;
    // A plain date is after today when its day is; a date-time when its moment is.
    const future = /^\d{4}-\d\d-\d\d$/.test(when) ? when > today : Date.parse(when) > now.getTime();
    const badge = time.nextElementSibling?.classList.contains('inkwell-future') ? time.nextElementSibling : undefined;
    if (future && !badge) {
      const span = document.createElement('span');
      span.className = 'inkwell-future';
      span.textContent = 'Scheduled';
      span.title = 'Dated after today: most site generators leave this post out of the built site until then.';
      time.after(span);
    } else if (!future && badge) badge.remove();
  }
}

function reportRendered(loaded = false): void {
  markFutureDates();
  const title = headerSlot.querySelector('.inkwell-title')?.textContent ?? '';
  const tags = Array.from(headerSlot.querySelectorAll<HTMLElement>('.inkwell-tag')).map((t) => t.dataset.tag ?? t.textContent ?? '');
  vscode.postMessage({
    type: 'rendered',
    uri: state.uri,
    version: state.version,
    // innerText costs a layout: only pages built for the integration tests report it.
    text: body.dataset.reporttext === 'true' ? (document.querySelector('main')?.innerText ?? '') : '',
    title,
    tags,
    loaded,
  });
}

// --- scroll sync ---------------------------------------------------------------

/** Set while we scroll on the editor's behalf, so that scroll is not echoed back. */
let scrollingForEditor = 0;

function scrollToLine(line: number): void {
  const items = lineElements();
  if (!items.length) return;
  let before = items[0];
  let after: typeof before | undefined;
  for (const item of items) {
    if (item.line <= line) before = item;
    else {
      after = item;
      break;
    }
  }
  let y = before.el.getBoundingClientRect().top + window.scrollY;
  if (after && after.line > before.line && line > before.line) {
    // Between two blocks: interpolate so long paragraphs scroll smoothly.
    const nextY = after.el.getBoundingClientRect().top + window.scrollY;
    y += ((line - before.line) / (after.line - before.line)) * (nextY - y);
  }
  scrollingForEditor++;
  window.scrollTo({ top: Math.max(0, y - 8), behavior: 'auto' });
  requestAnimationFrame(() => requestAnimationFrame(() => scrollingForEditor--));
}

function lineAtTop(): number | undefined {
  const items = lineElements();
  for (let i = 0; i < items.length; i++) {
    const rect = items[i].el.getBoundingClientRect();
    if (rect.bottom > 0) {
      const next = items[i + 1];
      if (rect.top >= 0 || !next) return items[i].line;
      // Partly scrolled past: report a fraction of the way to the next block.
      const progress = -rect.top / Math.max(1, rect.height);
      return items[i].line + Math.floor(progress * (next.line - items[i].line));
    }
  }
  return undefined;
}

let scrollPending = false;
window.addEventListener(
  'scroll',
  () => {
    if (scrollingForEditor > 0 || scrollPending) return;
    scrollPending = true;
    requestAnimationFrame(() => {
      scrollPending = false;
      const line = lineAtTop();
      if (line === undefined) return;
      vscode.setState({ uri: state.uri, line, locked: state.locked });
      vscode.postMessage({ type: 'revealLine', line });
    });
  },
  { passive: true },
);

// --- messages from the extension ----------------------------------------------------

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  switch (message?.type) {
    case 'update':
      // A late update for an older version of the text must not replace a newer one.
      if (message.version < state.version) return;
      state.version = message.version;
      if (message.headerHtml !== undefined) headerSlot.innerHTML = message.headerHtml;
      content.innerHTML = message.bodyHtml;
      if (message.uri !== state.uri) {
        // Another post: start where its editor is, or at the top.
        state.uri = message.uri;
        if (message.line !== undefined) scrollToLine(message.line);
        else window.scrollTo({ top: 0 });
        vscode.setState({ uri: state.uri, line: message.line, locked: state.locked });
      }
      reportRendered();
      break;
    case 'scrollToLine':
      scrollToLine(message.line);
      break;
  }
});

// --- clicks: the page never navigates -------------------------------------------

document.addEventListener('click', (event) => {
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor) return;
  event.preventDefault();
  if (anchor.dataset.tag !== undefined) {
    vscode.postMessage({ type: 'previewTag', tag: anchor.dataset.tag });
  } else if (anchor.dataset.open !== undefined) {
    vscode.postMessage({ type: 'openPost', uri: anchor.dataset.open });
  } else {
    const href = anchor.getAttribute('href');
    if (href) vscode.postMessage({ type: 'openLink', href });
  }
});

// Forms are disabled in the webview; this also stops any submit a sanitizer missed.
document.addEventListener('submit', (event) => event.preventDefault(), true);

const restored = vscode.getState();
if (state.uri) vscode.setState({ uri: state.uri, line: restored?.uri === state.uri ? restored.line : undefined, locked: state.locked });
const initialLine = body.dataset.line !== undefined ? Number(body.dataset.line) : restored?.uri === state.uri ? restored.line : undefined;
if (initialLine !== undefined && Number.isFinite(initialLine)) scrollToLine(initialLine);
reportRendered(true);
