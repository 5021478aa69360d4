/**
 * Drafts from a smaller model with the same tokenizer: it decodes the next tokens greedily over
 * the accepted sequence, and the model it drafts for checks them in one step (speculative.ts).
 *
 * The draft model keeps its own run (and KV cache) of the sequence. Between two drafts the
 * verifier accepted some of the previous drafts and added its own token: the run is cut back to
 * what it shares with the accepted sequence and fed the rest in one step, so a draft of k tokens
 * costs k draft-model steps, the first over the few tokens it had not seen.
 */
import { DecoderRun, type DecoderModel } from './decoder';
import { GenerationError } from './generationError';
import { argmax } from './sampling';
import type { DraftSource } from './speculative';
import type { TextTokenizer } from './tokenizer';

/** A loaded draft model: the decoder, and its tokenizer for the same-vocabulary check. */
export interface DraftModel extends DecoderModel {
  tokenizer: TextTokenizer;
  /** Its folder, for messages. */
  dir: string;
}

/**
 * Refuses a draft model whose tokenizer differs from the verifier's (a `bad-request`
 * GenerationError naming both): its ids would mean other text.
 */
export function checkDraftModel(draft: DraftModel, target: { dir: string; tokenizer: TextTokenizer }): void {
  const a = draft.tokenizer.vocabularyKey;
  const b = target.tokenizer.vocabularyKey;
  if (!a || !b || a !== b) {
    throw new GenerationError(
      'bad-request',
      `${draft.dir} cannot draft for ${target.dir}: their tokenizers differ (a draft model must share the model's vocabulary, e.g. a smaller model of the same family).`,
    );
  }
}

export class DraftModelSource implements DraftSource {
  private readonly run: DecoderRun | undefined;
  /** The accepted ids after the prompt. */
  private readonly accepted: number[] = [];
  /** The ids after the prompt in the draft run's sequence (accepted ones, then its last drafts). */
  private readonly inRun: number[] = [];

  constructor(
    private readonly model: DraftModel,
    promptIds: readonly number[],
  ) {
    // A prompt longer than the draft model's context: it cannot draft for this request.
    this.run = promptIds.length < model.spec.contextLength ? new DecoderRun(model, promptIds) : undefined;
  }

  accept(id: number): void {
    this.accepted.push(id);
  }

  async draft(k: number): Promise<number[]> {
    const run = this.run;
    if (!run || k < 1) return [];
    this.catchUp(run);
    const drafts: number[] = [];
    while (drafts.length < k && !run.full) {
      const row = await run.next();
      const id = argmax(row.length > this.model.spec.vocabSize ? row.subarray(0, this.model.spec.vocabSize) : row);
      run.append(id);
      this.inRun.push(id);
      drafts.push(id);
    }
    return drafts;
  }

  /** Cuts the run back to the part it shares with the accepted sequence and appends the rest (fed by the next step). */
  private catchUp(run: DecoderRun): void {
    let shared = 0;
    while (shared < this.inRun.length && shared < this.accepted.length && this.inRun[shared] === this.accepted[shared]) shared++;
    const extra = this.inRun.length - shared;
    if (extra > 0) {
      run.rollback(extra);
      this.inRun.length = shared;
    }
    for (let i = shared; i < this.accepted.length && !run.full; i++) {
      run.append(this.accepted[i]);
      this.inRun.push(this.accepted[i]);
    }
  }
}
