/**
 * Runs inside the image gallery webview (bundled to media/webview/gallery.js):
 * shows candidates, and turns "Use", "Vary" and "More" into messages. The page
 * never saves anything itself.
 */
import type { GalleryHostMessage, GalleryItem, GalleryWebviewMessage } from '../preview/galleryPage';

interface VsCodeApi {
  postMessage(message: GalleryWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const grid = document.getElementById('grid') as HTMLUListElement;
const status = document.getElementById('status') as HTMLParagraphElement;
const more = document.getElementById('more') as HTMLButtonElement;
const alt = document.getElementById('alt') as HTMLInputElement;
const subtitle = document.querySelector('.gallery-subtitle') as HTMLParagraphElement;
const hero = document.getElementById('hero') as HTMLInputElement | null;
const canVary = document.body.dataset.canVary === 'true';
let busy = false;

function setBusy(value: boolean, text: string): void {
  busy = value;
  status.textContent = text;
  document.body.classList.toggle('busy', value);
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('button'))) b.disabled = value;
}

function card(item: GalleryItem): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'gallery-card';
  li.dataset.id = String(item.id);
  const img = document.createElement('img');
  img.src = item.src;
  img.alt = `Candidate ${item.caption}`;
  img.title = 'Double-click to use';
  img.addEventListener('dblclick', () => use(item.id));
  const caption = document.createElement('span');
  caption.className = 'gallery-caption';
  caption.textContent = item.caption;
  const actions = document.createElement('div');
  actions.className = 'gallery-actions';
  const useButton = document.createElement('button');
  useButton.type = 'button';
  useButton.textContent = 'Use';
  useButton.className = 'use';
  useButton.addEventListener('click', () => use(item.id));
  actions.append(useButton);
  if (canVary) {
    const vary = document.createElement('button');
    vary.type = 'button';
    vary.textContent = 'Vary';
    vary.className = 'secondary';
    vary.title = 'Show variations of this image';
    vary.addEventListener('click', () => {
      if (!busy) vscode.postMessage({ type: 'vary', id: item.id });
    });
    actions.append(vary);
  }
  li.append(img, caption, actions);
  return li;
}

function use(id: number): void {
  if (busy) return;
  vscode.postMessage({ type: 'use', id, alt: alt.value.trim(), hero: hero?.checked ?? false });
}

more.addEventListener('click', () => {
  if (!busy) vscode.postMessage({ type: 'more' });
});

window.addEventListener('message', (event: MessageEvent<GalleryHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'items':
      if (message.replace) grid.replaceChildren();
      grid.append(...message.items.map(card));
      break;
    case 'subtitle':
      subtitle.textContent = message.text;
      return;
    case 'status':
      setBusy(message.busy, message.text);
      break;
    case 'error':
      setBusy(false, message.message);
      status.classList.add('error');
      return;
    case 'used': {
      const li = grid.querySelector<HTMLElement>(`[data-id="${message.id}"]`);
      li?.classList.add('used');
      const button = li?.querySelector<HTMLButtonElement>('button.use');
      if (button) button.textContent = 'Inserted';
      status.textContent = `Inserted ${message.link}`;
      break;
    }
  }
  status.classList.remove('error');
});

vscode.postMessage({ type: 'ready' });
