import * as assert from 'assert';
import * as path from 'path';
import { continueText, describeContinuation, type ContinuationInput } from '../../../src/generation/continueText';
import { mulberry32 } from '../../../src/generation/sampling';
import { sentenceWindowStart } from '../../../src/generation/sentenceEnd';
import {
  TextBackendError,
  type GenerateOptions,
  type TextBackend,
  type TextBackendModel,
  type TextBackendRequest,
  type TextBackendResult,
  type TextBackendState,
} from '../../../src/generation/textBackend';
import { GENERATION_DEFAULTS } from '../../../src/generation/textRequest';
import { TextStreamer } from '../../../src/generation/textStream';
import { LocalTextBackend } from '../../../src/runtime/localTextBackend';
import { RuntimeClient } from '../../../src/runtime/client';
import { runtimeScript } from '../runtime/buildRuntime';
import { greedy, modelsDir } from './fixtures';
import { backendFailure } from '../../support/backendFailure';

/**
 * A second text backend, entirely in memory: a word-bigram chain learned from a few sentences,
 * one word per token. It honours stop sequences, the token limit, sentence ends and cancellation
 * through the same TextStreamer the ONNX decode uses, so it answers requests as a backend must.
 */
class BigramBackend implements TextBackend {
  readonly label = 'Bigram chain';
  state: TextBackendState = 'idle';
  private readonly listeners = new Set<(state: TextBackendState) => void>();
  private readonly words: string[] = [];
  private readonly next = new Map<number, number[]>();

  constructor(
    readonly name: string,
    corpus: string,
  ) {
    const ids = corpus.split(/(?<=\s)/).map((w) => this.id(w));
    for (let i = 0; i + 1 < ids.length; i++) {
      const list = this.next.get(ids[i]) ?? [];
      list.push(ids[i + 1]);
      this.next.set(ids[i], list);
    }
  }

  private id(word: string): number {
    const at = this.words.indexOf(word);
    if (at >= 0) return at;
    this.words.push(word);
    return this.words.length - 1;
  }

  private setState(state: TextBackendState): void {
    this.state = state;
    for (const l of this.listeners) l(state);
  }

  onDidChangeState(listener: (state: TextBackendState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async listModels(): Promise<TextBackendModel[]> {
    return [{ name: this.name, detail: `${this.words.length} words in memory` }];
  }

  async generate(request: TextBackendRequest, options: GenerateOptions = {}): Promise<TextBackendResult> {
    if (request.model !== undefined && request.model !== this.name) {
      throw new TextBackendError('model-not-found', `No model named "${request.model}"; this backend has "${this.name}".`);
    }
    if (!request.prompt.trim()) throw new TextBackendError('bad-request', 'The prompt is empty.');
    this.setState('busy');
    try {
      const random = mulberry32(request.sampling.seed);
      const lastWord = request.prompt.split(/(?<=\s)/).pop() ?? '';
      let current = this.words.indexOf(lastWord.endsWith(' ') ? lastWord : `${lastWord} `);
      const streamer = new TextStreamer(
        (ids) => ids.map((i) => this.words[i]).join(''),
        request.stop,
        request.endAtSentence ? sentenceWindowStart(request.maxTokens) : undefined,
      );
      let count = 0;
      while (count < request.maxTokens && !streamer.stopped) {
        // Yield between tokens like a real backend, so that a cancel can come in.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) throw new TextBackendError('cancelled', 'Cancelled.');
        const choices = this.next.get(current) ?? [...this.next.keys()];
        current = request.sampling.temperature <= 0 ? choices[0] : choices[Math.floor(random() * choices.length)];
        count++;
        const text = streamer.push(current);
        if (text || count === 1) options.onChunk?.({ text, generatedTokens: count });
      }
      const rest = streamer.finish(!streamer.stopped);
      if (rest) options.onChunk?.({ text: rest, generatedTokens: count });
      return { model: this.name, text: streamer.text, tokenCount: count, stopReason: streamer.stopReason ?? 'max-tokens' };
    } finally {
      this.setState('idle');
    }
  }

  /** A word chain continues text; it has no turns to answer in. */
  async chat(): Promise<TextBackendResult> {
    throw new TextBackendError('model-invalid', `${this.name} is not an instruct model: it continues text, it does not answer.`);
  }
}

const corpus =
  'The lamp was lit. The lamp burned low and the room grew dark. The room was quiet until the rain came. ' +
  'The rain came down on the roof and the lamp went out. Then the morning came.';

const post = '---\ntitle: A night\n---\n\nThe lamp';

const input = (overrides: ContinuationInput['overrides'] = {}): ContinuationInput => ({
  text: post,
  offset: post.length,
  settings: { ...GENERATION_DEFAULTS, stop: [] },
  overrides,
});

describe('TextBackend: continuations over any backend', () => {
  it('an in-memory backend continues a post: chunks stream in order, phases go loading → generating, the result adds them up', async () => {
    const backend = new BigramBackend('bigram', corpus);
    const phases: string[] = [];
    const pieces: string[] = [];
    const states: TextBackendState[] = [];
    const sub = backend.onDidChangeState((s) => states.push(s));
    const result = await continueText(backend, input({ maxTokens: 30, sampling: { temperature: 0 } }), {
      onPhase: (p) => phases.push(p),
      onText: (text) => pieces.push(text),
    });
    sub.dispose();
    assert.deepStrictEqual(phases, ['loading', 'generating']);
    assert.strictEqual(pieces.join(''), result.text);
    // Greedy over the chain: each word is followed by the first word seen after it.
    assert.ok(result.text.startsWith('was lit. The lamp '), result.text);
    assert.ok(result.tokenCount <= 30);
    assert.deepStrictEqual(states, ['busy', 'idle']);
    assert.match(describeContinuation(result), /^Continuation: \d+ tokens \(\S+\), model bigram$/);
  });

  it('the request built from settings reaches the backend: stop sequences, the token limit and the sentence end', async () => {
    const backend = new BigramBackend('bigram', corpus);
    const stopped = await continueText(backend, input({ maxTokens: 40, sampling: { temperature: 0 }, stop: ['lit.'] }));
    assert.strictEqual(stopped.stopReason, 'stop-sequence');
    assert.strictEqual(stopped.text, 'was ');
    // Sampled with a token limit: the continuation ends at a sentence end near it, or at the limit.
    const sampled = await continueText(backend, input({ maxTokens: 12, sampling: { seed: 7, temperature: 1 } }));
    assert.ok(sampled.tokenCount <= 12);
    assert.ok(['sentence-end', 'max-tokens'].includes(sampled.stopReason), sampled.stopReason);
    if (sampled.stopReason === 'sentence-end') assert.match(sampled.text, /[.!?]\s*$/);
  });

  it('cancelling stops the chunks and reports `cancelled`; an unknown model is `model-not-found`', async () => {
    const backend = new BigramBackend('bigram', corpus);
    const cancel = new AbortController();
    let seen = 0;
    const cancelled = await backendFailure(
      continueText(backend, input({ maxTokens: 200, sampling: { temperature: 1, seed: 1 } }), {
        signal: cancel.signal,
        onText: (_text, n) => {
          seen = n;
          if (n === 3) cancel.abort();
        },
      }),
    );
    assert.strictEqual(cancelled.code, 'cancelled');
    assert.strictEqual(seen, 3, 'no chunk after the cancel');

    const missing = await backendFailure(continueText(backend, input({ model: 'gpt-17' })));
    assert.strictEqual(missing.code, 'model-not-found');
    assert.match(missing.message, /gpt-17/);
  });

  describe('the local runtime as a TextBackend', () => {
    let client: RuntimeClient;
    let backend: LocalTextBackend;
    const models = [{ name: 'tiny-gpt2', dir: path.join(modelsDir, 'tiny-gpt2') }];

    before(async () => {
      client = new RuntimeClient({ scriptPath: await runtimeScript(), options: () => ({ threads: 1 }), idleShutdownMs: () => 0 });
      backend = new LocalTextBackend({
        client,
        resolveModel: (name) => {
          const found = models.find((m) => m.name === (name ?? 'tiny-gpt2'));
          if (!found) throw new Error(`No text model named "${name}".`);
          return found;
        },
        resolveChatModel: () => {
          throw new Error('No chat model is set.');
        },
        listModels: () => models,
        dtype: () => 'auto',
      });
    });
    after(() => client.dispose());

    it('continues the same post through the same code, with timings, and maps its errors to the neutral codes', async () => {
      assert.deepStrictEqual(await backend.listModels(), [{ name: 'tiny-gpt2', detail: models[0].dir }]);
      const pieces: string[] = [];
      const result = await continueText(backend, input({ maxTokens: 16, sampling: greedy }), { onText: (t) => pieces.push(t) });
      assert.strictEqual(pieces.join(''), result.text);
      assert.ok(result.tokenCount > 0 && result.tokenCount <= 16);
      assert.ok((result.timing?.tokensPerSecond ?? 0) >= 0 && (result.timing?.firstTokenMs ?? 0) > 0);
      assert.strictEqual(backend.state, 'idle');

      assert.strictEqual((await backendFailure(continueText(backend, input({ model: 'nothing-here' })))).code, 'model-not-found');
      const cancel = new AbortController();
      cancel.abort();
      assert.strictEqual(
        (await backendFailure(continueText(backend, input({ maxTokens: 16 }), { signal: cancel.signal }))).code,
        'cancelled',
      );
    });
  });
});
