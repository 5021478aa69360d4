import type { MarkdownIt } from 'markdown-it';

/**
 * What `activate` returns. VS Code's Markdown preview calls `extendMarkdownIt`;
 * integration tests reach internal state through `testing`.
 */
export interface InkwellApi {
  extendMarkdownIt(md: MarkdownIt): MarkdownIt;
  /** Hooks for integration tests; not a stable API. */
  readonly testing: InkwellTestingHooks;
}

/** Internal hooks the integration suites use to observe the extension. */
export interface InkwellTestingHooks {
  /** Milliseconds `activate` took. */
  readonly activationMs: number;
  /** Named probes registered by features (for example the runtime's process id). */
  probe<T = unknown>(name: string): T | undefined;
}

/** Registry behind `InkwellTestingHooks.probe`. */
export class ProbeRegistry {
  private readonly probes = new Map<string, () => unknown>();
  /**
   * True only when the extension runs under its integration tests
   * (`ExtensionMode.Test`): features install test-only recorders behind it.
   */
  constructor(readonly testMode = false) {}
  register(name: string, read: () => unknown): void {
    this.probes.set(name, read);
  }
  read<T>(name: string): T | undefined {
    return this.probes.get(name)?.() as T | undefined;
  }
}
