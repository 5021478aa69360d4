/** `T` without its falsy members. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` (sync or async) until it returns a truthy value or `timeoutMs` passes; returns
 * the value. Tests wait on conditions, never on fixed sleeps. Used by the unit and the
 * integration tests alike.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15000, everyMs = 25): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last value: ${String(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
