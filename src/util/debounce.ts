import type { IDisposable } from './dispose';

/** Delays `fn` until `delayMs` have passed without another call; disposable. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, delayMs: () => number): ((...args: A) => void) & IDisposable {
  let timer: NodeJS.Timeout | undefined;
  const run = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, delayMs());
  };
  run.dispose = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return run;
}
