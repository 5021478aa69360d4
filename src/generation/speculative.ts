/**
 * Speculative decoding: drafts of the next tokens, checked by the model in one step. Drafts come
 * from prompt lookup (text that repeats itself — a quoted passage, a list of similar items, a
 * rewrite of the writer's own words — is continued by copying: the last few tokens are looked up
 * earlier in the sequence and the tokens that followed them there are proposed) or from a smaller
 * draft model with the same tokenizer (draftModel.ts), which decodes them greedily. One model step
 * over the last token and the k drafts gives k + 1 logits rows; the drafts the model accepts are
 * kept, with the model's own token after them, so each step yields 1 to k + 1 tokens. Under greedy
 * decoding the output is, token for token, what plain decoding gives; under sampling a draft is
 * kept by the speculative-sampling rule (TokenSampler.judge), so the text has the distribution
 * plain sampling gives. Both hold for any drafts that depend only on the accepted text.
 *
 * The pieces: {@link DraftSource} ({@link PromptLookup}, the draft model), {@link nextDraftLength}
 * (how many to propose), {@link nextSwitchState} (when acceptance is too low for speculation to
 * pay, plain steps for a while), and {@link Speculator}, which the decode loop (decoder.ts) asks
 * for a batch of tokens.
 */
import type { LogitsProcessor } from './logitsProcessors';
import type { DraftStats, SpeculativeMode } from './textRequest';

export type { DraftStats, SpeculativeMode } from './textRequest';

export const SPECULATIVE_MODES: readonly SpeculativeMode[] = ['off', 'auto', 'prompt-lookup', 'draft'];

/** Where drafts come from: it follows the accepted sequence and proposes what may follow it. */
export interface DraftSource {
  /** A token joined the accepted sequence. */
  accept(id: number): void;
  /** Up to `k` tokens that may follow the accepted sequence (none: []). */
  draft(k: number): number[] | Promise<number[]>;
}

export interface SpeculativeOptions {
  /** `prompt-lookup`: lookup drafts; `draft`: the draft model's; `auto`: lookup where it finds one, else the draft model's (when there is one), pausing while few are accepted. */
  mode: Exclude<SpeculativeMode, 'off'>;
  /** The longest n-gram looked up (then shorter ones, down to 1). Default 3. */
  maxNgram?: number;
  /** Makes the draft model's source for a request's prompt ids (`draft` and `auto`). */
  draftModel?: (promptIds: readonly number[]) => DraftSource;
}

/** The bounds and start of the draft length. */
export const DRAFT_LENGTH = { min: 1, max: 16, start: 4 } as const;

/**
 * An index of the sequence's n-grams (n = 1..maxNgram), each mapped to the position of the token
 * that followed its most recent occurrence. An n-gram enters the index once its follower is known,
 * so looking up the sequence's own last n tokens finds an earlier occurrence, never itself.
 * Each appended token costs O(maxNgram²) (maxNgram keys of up to maxNgram ids); memory is
 * O(maxNgram · length). A lookup costs O(maxNgram² + k): no rescan of the sequence.
 */
export class PromptLookup implements DraftSource {
  private readonly ids: number[] = [];
  /** Key: the n-gram's ids joined with commas (n is the number of ids, so keys of different n differ). */
  private readonly followers = new Map<string, number>();

  constructor(
    readonly maxNgram: number,
    ids: readonly number[] = [],
  ) {
    if (!Number.isInteger(maxNgram) || maxNgram < 1) throw new RangeError(`maxNgram must be a whole number >= 1 (got ${maxNgram})`);
    for (const id of ids) this.push(id);
  }

  get length(): number {
    return this.ids.length;
  }

  accept(id: number): void {
    this.push(id);
  }

  push(id: number): void {
    const end = this.ids.length;
    // The n-grams ending just before `id` now have a follower: `id`, at position `end`.
    for (let n = 1; n <= this.maxNgram && n <= end; n++) this.followers.set(this.key(end - n, end), end);
    this.ids.push(id);
  }

  /** Up to `k` tokens that followed the most recent earlier occurrence of the longest suffix found (n from maxNgram down to 1); none: []. */
  draft(k: number): number[] {
    const length = this.ids.length;
    for (let n = Math.min(this.maxNgram, length); n >= 1; n--) {
      const at = this.followers.get(this.key(length - n, length));
      if (at !== undefined) return this.ids.slice(at, Math.min(at + k, length));
    }
    return [];
  }

  private key(start: number, end: number): string {
    return this.ids.slice(start, end).join(',');
  }
}

/**
 * The next draft length after a verification: two more when every draft was accepted, one fewer
 * otherwise (transformers' "heuristic" schedule), within {@link DRAFT_LENGTH}.
 */
export function nextDraftLength(k: number, result: DraftStats): number {
  const next = result.accepted >= result.proposed ? k + 2 : k - 1;
  return Math.max(DRAFT_LENGTH.min, Math.min(DRAFT_LENGTH.max, next));
}

/** When speculation pauses: acceptance below `minAcceptance` over the last `window` verifications pauses it for `pause` plain steps. */
export interface SwitchPolicy {
  window: number;
  minAcceptance: number;
  pause: number;
}

/**
 * A verification step costs about one plain step (decode is bound by reading the weights) plus a
 * little per extra position, and yields accepted + 1 tokens: below about one accepted draft in
 * four the extra positions and cache cuts cost more than they save on CPU.
 */
export const DEFAULT_SWITCH_POLICY: SwitchPolicy = { window: 8, minAcceptance: 0.25, pause: 32 };

export interface SwitchState {
  /** The last verifications (at most `policy.window`), oldest first. */
  recent: readonly DraftStats[];
  /** Plain steps left before speculation is tried again; 0: speculating. */
  paused: number;
}

export const SPECULATING: SwitchState = { recent: [], paused: 0 };

/**
 * The switch after a step: a verification joins the window, and a full window whose acceptance is
 * too low pauses speculation (emptying the window, so a retry is judged afresh); a plain step
 * counts a pause down. Pure.
 */
export function nextSwitchState(state: SwitchState, step: DraftStats | 'plain', policy: SwitchPolicy = DEFAULT_SWITCH_POLICY): SwitchState {
  if (step === 'plain') return state.paused > 0 ? { recent: state.recent, paused: state.paused - 1 } : state;
  const recent = [...state.recent, step].slice(-policy.window);
  if (recent.length < policy.window) return { recent, paused: 0 };
  const proposed = recent.reduce((n, r) => n + r.proposed, 0);
  const accepted = recent.reduce((n, r) => n + r.accepted, 0);
  return accepted < policy.minAcceptance * proposed ? { recent: [], paused: policy.pause } : { recent, paused: 0 };
}

/**
 * What steps cost, in milliseconds per token yielded: exponential averages over the recent plain
 * steps and the recent speculative ones (drafting included: a draft model's steps cost time even
 * when its drafts are turned down). Acceptance alone cannot say whether speculation pays: a
 * draft model that agrees half the time pays when it is ten times cheaper than the model, not
 * when it is two times.
 */
export interface StepCosts {
  plain: number;
  plainSteps: number;
  speculative: number;
  speculativeSteps: number;
}

export const NO_COSTS: StepCosts = { plain: 0, plainSteps: 0, speculative: 0, speculativeSteps: 0 };

/** Weight of the newest step in the averages. */
const COST_SMOOTHING = 0.3;
/** Steps of each kind measured before the costs are compared. */
export const COST_SAMPLES = { plain: 2, speculative: 4 } as const;

/** The costs after a step of `ms` that yielded `tokens` tokens. Pure. */
export function nextCosts(costs: StepCosts, kind: 'plain' | 'speculative', ms: number, tokens: number): StepCosts {
  const perToken = ms / Math.max(1, tokens);
  const average = (old: number, n: number) => (n === 0 ? perToken : old + COST_SMOOTHING * (perToken - old));
  return kind === 'plain'
    ? { ...costs, plain: average(costs.plain, costs.plainSteps), plainSteps: costs.plainSteps + 1 }
    : { ...costs, speculative: average(costs.speculative, costs.speculativeSteps), speculativeSteps: costs.speculativeSteps + 1 };
}

/** Whether speculation yields tokens faster than plain steps; undefined until both kinds were measured enough. */
export function speculationPays(costs: StepCosts): boolean | undefined {
  if (costs.plainSteps < COST_SAMPLES.plain || costs.speculativeSteps < COST_SAMPLES.speculative) return undefined;
  return costs.speculative < costs.plain;
}

/** What verification needs of the decoder run (`DecoderRun` in decoder.ts, which drives the speculator). */
export interface VerifiableRun {
  /** Adds a token to the sequence without running the model. */
  append(id: number): void;
  /** Runs the tokens not yet fed and returns the logits rows of the last `rows` positions. */
  forward(rows: number): Promise<Float32Array[]>;
  /** Takes the last `k` ids back (KV cache included) and appends `id`, to be fed next. */
  replaceTail(k: number, id: number): void;
}

/** What the speculator needs of the decode loop besides the run: its processors, its pick and its judge of a draft. */
export interface VerifyContext {
  run: VerifiableRun;
  processors: LogitsProcessor & { readonly length: number; forbids?(id: number): boolean };
  /** The token plain decoding takes from a processed row (the argmax, under greedy; else a draw). */
  pick(row: Float32Array): number;
  /** The token kept where `draft` was proposed: `draft` itself, or another (TokenSampler.judge). */
  judge(row: Float32Array, draft: number): number;
}

/**
 * Proposes drafts and verifies them against the model. It follows the accepted sequence (the loop
 * calls {@link accept} for every token that joins it) and never sees rejected drafts.
 */
export class Speculator {
  /** Asked in order; the first with drafts proposes them. */
  private readonly sources: DraftSource[];
  private k: number = DRAFT_LENGTH.start;
  private switch: SwitchState = SPECULATING;
  private costs: StepCosts = NO_COSTS;
  readonly stats: DraftStats = { proposed: 0, accepted: 0 };

  constructor(
    private readonly options: SpeculativeOptions,
    promptIds: readonly number[],
    private readonly policy: SwitchPolicy = DEFAULT_SWITCH_POLICY,
  ) {
    const lookup = () => new PromptLookup(options.maxNgram ?? 3, promptIds);
    const model = options.draftModel?.(promptIds);
    if (options.mode === 'draft' && !model) throw new RangeError('speculative mode "draft" needs a draft model');
    this.sources = options.mode === 'prompt-lookup' || !model ? [lookup()] : options.mode === 'draft' ? [model] : [lookup(), model];
  }

  /** A token joined the sequence. */
  accept(id: number): void {
    for (const source of this.sources) source.accept(id);
  }

  /** The decode loop took a plain step of `ms` (`auto` weighs it against speculative steps). */
  notePlain(ms: number): void {
    if (this.options.mode === 'auto') this.costs = nextCosts(this.costs, 'plain', ms, 1);
  }

  /**
   * One verification step when there are drafts to verify and room for them (`room`: most drafts
   * the token limit and the context leave): the tokens plain greedy decoding would give next, the
   * accepted drafts then the model's own token, with the run and the processors already holding
   * them (the caller's criteria still decide where the text ends). Undefined: take a plain step.
   */
  async step(ctx: VerifyContext, room: number): Promise<number[] | undefined> {
    const auto = this.options.mode === 'auto';
    // `auto` first times a few plain steps, to have something to weigh speculative ones against.
    const measuring = auto && this.costs.plainSteps < COST_SAMPLES.plain;
    const started = performance.now();
    const drafts = measuring ? [] : allowedDrafts(ctx.processors, await this.drafts(room));
    if (!drafts.length) {
      if (auto) this.switch = nextSwitchState(this.switch, 'plain', this.policy);
      return undefined;
    }
    const out = await verify(ctx, drafts);
    const result = { proposed: drafts.length, accepted: out.length - 1 };
    this.stats.proposed += result.proposed;
    this.stats.accepted += result.accepted;
    this.k = nextDraftLength(this.k, result);
    if (auto) {
      this.switch = nextSwitchState(this.switch, result, this.policy);
      this.costs = nextCosts(this.costs, 'speculative', performance.now() - started, out.length);
      if (speculationPays(this.costs) === false) {
        // Slower than plain steps: pause, and judge a retry afresh.
        this.switch = { recent: [], paused: this.policy.pause };
        this.costs = { ...this.costs, speculative: 0, speculativeSteps: 0 };
      }
    }
    return out;
  }

  private async drafts(room: number): Promise<number[]> {
    if (room < 1 || this.switch.paused > 0) return [];
    for (const source of this.sources) {
      const drafts = await source.draft(Math.min(this.k, room));
      if (drafts.length) return drafts.slice(0, Math.min(this.k, room));
    }
    return [];
  }
}

/**
 * The drafts up to the first one the processors forbid (an n-gram ban, a choice list): its logit
 * is -Infinity whatever the model says, so neither greedy decoding nor the speculative-sampling
 * rule could keep it, and verifying it would only cost a step. Exactness does not rest on this:
 * the kept drafts still depend on the accepted text alone, which is all speculation needs (see the
 * top of this file); it only spares steps. Each draft is judged with the ones before it pushed to
 * the processors, which end as they began.
 */
export function allowedDrafts(
  processors: Pick<VerifyContext['processors'], 'forbids' | 'push' | 'rollback'>,
  drafts: readonly number[],
): number[] {
  if (!processors.forbids || !drafts.length) return [...drafts];
  let n = 0;
  while (n < drafts.length && !processors.forbids(drafts[n])) processors.push?.(drafts[n++]);
  processors.rollback?.(n);
  return drafts.slice(0, n);
}

/**
 * Feeds the drafts after the run's last token in one step and keeps the longest prefix the model
 * accepts (greedy: agrees with; sampling: by the speculative-sampling rule), then its own token: each row goes through the processors as plain decoding would
 * have run them, with the drafts before it already in the sequence. The run ends holding the
 * accepted drafts and that token; the processors have seen them all.
 */
async function verify({ run, processors, pick, judge }: VerifyContext, drafts: readonly number[]): Promise<number[]> {
  for (const id of drafts) run.append(id);
  const rows = await run.forward(drafts.length + 1);
  const out: number[] = [];
  for (const row of rows) {
    if (processors.length) processors.process(row);
    const draft = out.length < drafts.length ? drafts[out.length] : undefined;
    const id = draft === undefined ? pick(row) : judge(row, draft);
    out.push(id);
    if (processors.length) processors.push?.(id);
    if (id !== draft) break;
  }
  run.replaceTail(drafts.length - (out.length - 1), out[out.length - 1]);
  return out;
}
