/**
 * Caches the promise of an expensive async load on first use. A rejected load
 * is dropped so the next call retries it (a failed model load must not stick).
 */
export function memoizePromise<T>(load: () => Promise<T>): { get(): Promise<T>; reset(): void } {
  let pending: Promise<T> | undefined;
  return {
    get() {
      if (!pending) {
        const attempt = load();
        pending = attempt;
        attempt.catch(() => {
          if (pending === attempt) pending = undefined;
        });
      }
      return pending;
    },
    reset() {
      pending = undefined;
    },
  };
}
