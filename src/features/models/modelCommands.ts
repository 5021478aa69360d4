import * as vscode from 'vscode';
import { hasChatTemplate } from '../../generation/chatTemplate';
import { parseDtypeRequest, type DtypeRequest } from '../../generation/layout';
import { formatBytes } from '../../generation/modelFiles';
import type { ModelEntry } from '../../generation/modelRegistry';
import { formatParameters, summarizeTextModel } from '../../generation/modelSummary';
import { RuntimeError } from '../../runtime/runtimeError';
import type { ModelCheckResult } from '../../runtime/protocol';
import { signature } from './checkReport';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import type { ModelRegistry } from '../../services/modelRegistryService';
import type { ModelRuntime } from '../../services/modelRuntime';
import type { TextBackendService } from '../../services/textBackendService';
import { selectServerModel } from './remoteServer';
import { readConfig, writeSetting } from '../../util/config';

const sourceLabel = { workspace: 'workspace', user: 'user folder', shipped: 'shipped with Inkwell' } as const;

/**
 * One-line summary and a detailed report of a check, by model kind. Image
 * models report their own fields; unknown kinds fall back to the signature.
 */
export function describeCheck(check: ModelCheckResult): { summary: string; details: string } {
  const io = `inputs:\n${signature(check.inputs)}\noutputs:\n${signature(check.outputs)}`;
  const size = `${(check.bytes / 1e6).toFixed(1)} MB`;
  switch (check.kind) {
    case 'text': {
      const attention = check.kvHeads === check.heads ? `${check.heads} heads` : `${check.heads} heads / ${check.kvHeads} KV heads`;
      const summary =
        `${check.file} (${check.dtype}): ${check.modelType}, ${check.layers} layers, ${attention}, width ${check.hidden}, context ${check.contextLength}, ` +
        `${check.hasKvCache ? (check.cacheByPosition ? 'KV cache by position' : 'KV cache') : 'no KV cache (slower)'}, ${size}. Test: "${check.sample.prompt}" → ` +
        `${JSON.stringify(check.sample.text)} in ${check.sample.ms.toFixed(0)} ms.`;
      const tokens = `prompt prefix [${check.prefixIds.join(', ')}], end-of-text [${check.eosTokenIds.join(', ')}] (from ${check.eosSource})`;
      const byPosition = check.cacheByPosition
        ? '; run as Inkwell rewrote it at load: each past arrives by position (…by_position, [batch, length, …]) ' +
          'and each present leaves as the step’s new positions (…new), every operator the export’s own'
        : '';
      return {
        summary,
        details: `${check.model}\n${summary}\n${check.note}\nvocabulary ${check.vocabSize}, head dim ${check.headDim}, ${tokens}${byPosition}\n${io}`,
      };
    }
    case 'image': {
      const classes = check.classes ? `, ${check.classes} classes` : '';
      const encoder = check.canEncode ? 'encoder for variations and blends of any image' : 'no encoder';
      const summary =
        `${check.modelKind.toUpperCase()} "${check.displayName}" (${check.license}), ${check.imageSize}×${check.imageSize} px, ` +
        `latent ${check.latentSize}${classes}, ${encoder}, ${size}. Test image (seed ${check.sample.seed}) in ${check.sample.ms.toFixed(0)} ms.`;
      const enc = check.encoder
        ? `\nencoder inputs:\n${signature(check.encoder.inputs)}\nencoder outputs:\n${signature(check.encoder.outputs)}`
        : '';
      return { summary, details: `${check.model}\n${summary}\n${io}${enc}` };
    }
    default: {
      // A kind this build does not know yet (a newer process): show what there is.
      const unknown = check as { kind: string; model: string };
      const summary = `${unknown.kind} model, ${size}.`;
      return { summary, details: `${unknown.model}\n${summary}\n${io}` };
    }
  }
}

interface ModelPick extends vscode.QuickPickItem {
  entry?: ModelEntry;
  /** The setting the pick writes: `inkwell.models.text`, `.image` or `.chat` (writing help). */
  slot?: 'text' | 'image' | 'chat';
  /** The item that opens Download Model…. */
  download?: true;
}

/**
 * What to tell a writer about a text model shipped with Inkwell: it is a tiny demonstration
 * model, and Download Model… has better ones. Undefined for any other model.
 */
export function demonstrationNote(entry: ModelEntry): string | undefined {
  if (entry.source !== 'shipped' || entry.kind !== 'text') return undefined;
  let parameters: number | undefined;
  try {
    parameters = summarizeTextModel(entry.dir, parseDtypeRequest('auto')).parameters;
  } catch {
    parameters = undefined;
  }
  const size = parameters !== undefined ? ` (${formatParameters(parameters)} parameters)` : '';
  return `${entry.name} is a tiny demonstration model${size}: it writes sketches, not prose. Download Model… has better ones, from SmolLM2 to Llama 3.2.`;
}

/**
 * The picker's line about a text model: architecture, parameters, the variant that would load
 * (`inkwell.models.dtype`) and its size, or why it cannot load.
 */
export function textModelLine(dir: string, dtype: string): string {
  let request: DtypeRequest;
  try {
    request = parseDtypeRequest(dtype);
  } catch (err) {
    return `cannot load: inkwell.models.dtype: ${(err as Error).message}`;
  }
  const s = summarizeTextModel(dir, request);
  const about = [s.architecture, s.parameters !== undefined ? `≈${formatParameters(s.parameters)} parameters` : undefined]
    .filter(Boolean)
    .join(', ');
  if (s.problem) return `${about ? `${about}; ` : ''}cannot load: ${s.problem}`;
  return [about, `${s.dtype} (${s.file})`, s.bytes !== undefined ? formatBytes(s.bytes) : undefined].filter(Boolean).join(' · ');
}

function picks(entries: ModelEntry[], current: Record<string, string>): ModelPick[] {
  const items: ModelPick[] = [];
  const isCurrent = (slot: string, entry: ModelEntry) => current[slot] === entry.name || current[slot] === entry.dir;
  for (const kind of ['text', 'image'] as const) {
    const ofKind = entries.filter((e) => e.kind === kind);
    if (!ofKind.length) continue;
    items.push({ label: kind === 'text' ? 'Text models' : 'Image models', kind: vscode.QuickPickItemKind.Separator });
    for (const entry of ofKind) {
      const note = demonstrationNote(entry);
      items.push({
        label: entry.name,
        description: `${note ? 'tiny demonstration model · ' : ''}${sourceLabel[entry.source]}${isCurrent(kind, entry) ? ' · current' : ''}`,
        detail:
          kind === 'text'
            ? `${note ? 'Writes sketches, not prose: Download Model… has better ones. ' : ''}${textModelLine(entry.dir, current.dtype)} · ${entry.dir}`
            : entry.dir,
        entry,
        slot: kind,
      });
    }
    if (kind === 'text') {
      // The same folders again where they have a chat template: picking one there sets the writing-help model.
      const instruct = ofKind.filter((e) => hasChatTemplate(e.dir));
      items.push({ label: 'Writing help: instruct models (inkwell.models.chat)', kind: vscode.QuickPickItemKind.Separator });
      for (const entry of instruct) {
        items.push({
          label: entry.name,
          description: `for Suggest…, Rewrite Selection and Summarize${isCurrent('chat', entry) ? ' · current' : ''}`,
          detail: `${sourceLabel[entry.source]} · ${entry.dir}`,
          entry,
          slot: 'chat',
        });
      }
      items.push({
        label: '$(cloud-download) Download a better model…',
        detail: `Models that write real prose${instruct.length ? '' : ' and instruct models for writing help'} (SmolLM2, Qwen2.5, Llama 3.2), from the model hub: Download Model….`,
        download: true,
      });
    }
  }
  return items;
}

/** What Select Model and Check Model use. Text from a server lists the server's models. */
export interface ModelCommandDeps {
  readonly runtime: ModelRuntime;
  readonly registry: ModelRegistry;
  readonly log: Logger;
  readonly views: Views;
  readonly text: TextBackendService;
}

/** The model settings, as the picker and Check Model read them. */
function current() {
  const { text, image, chat, dtype } = readConfig('models');
  return { text, image, chat, dtype };
}

/** "Inkwell: Select Model": writes `inkwell.models.text`, `.image` or `.chat` (a server's: `inkwell.remote.model`). */
export async function selectModel(deps: ModelCommandDeps, kind?: 'text' | 'image'): Promise<ModelEntry | string | undefined> {
  const { registry, log, views, text } = deps;
  // Text from a server: its models, not the local folders.
  if (kind !== 'image' && text.usesServer) return selectServerModel(text, log, views);
  const entries = registry.list(kind);
  if (!entries.length) {
    void vscode.window.showWarningMessage(
      `Inkwell found no ${kind ?? ''} models. Add a folder with model folders to "inkwell.models.paths".`.replace('  ', ' '),
    );
    return undefined;
  }
  const chosen = await views.showQuickPick(picks(entries, current()), { title: 'Inkwell: Select Model', matchOnDetail: true });
  if (chosen?.download) {
    void vscode.commands.executeCommand('inkwell.downloadModel');
    return undefined;
  }
  const entry = chosen?.entry;
  if (!entry) return undefined;
  const key = chosen.slot ?? (entry.kind === 'text' ? 'text' : 'image');
  // Keep a per-workspace choice per workspace; otherwise the choice is global.
  // Names resolve through the same roots the list came from (earlier roots shadow later ones).
  await writeSetting('models', key, entry.name, 'where-set');
  return entry;
}

/** "Inkwell: Check Model": the model's signature plus a test inference, by model kind. */
export async function checkModel(
  deps: ModelCommandDeps,
  arg?: string | { model?: string; kind?: 'text' | 'image' },
): Promise<ModelCheckResult | { error: string; code: string }> {
  const { runtime, registry, log, views } = deps;
  let entry: ModelEntry;
  let options: { model?: string; kind?: 'text' | 'image' } = typeof arg === 'string' ? { model: arg } : (arg ?? {});
  if (arg === undefined) {
    // From the Command Palette: either configured model can be checked.
    const models = current();
    const pick = await vscode.window.showQuickPick(
      [
        { label: `Text model: ${models.text}`, modelKind: 'text' as const },
        { label: `Image model: ${models.image}`, modelKind: 'image' as const },
      ],
      { title: 'Inkwell: Check Model' },
    );
    if (!pick) return { error: 'No model was chosen.', code: 'cancelled' };
    options = { kind: pick.modelKind };
  }
  try {
    try {
      entry = registry.resolve(options.kind ?? 'text', options.model);
    } catch (err) {
      // A model named without a kind may be an image model (a GAN or VAE folder).
      if (options.kind || !options.model) throw err;
      entry = registry.resolve('image', options.model);
    }
  } catch (err) {
    const message = (err as Error).message;
    void vscode.window.showErrorMessage(`Inkwell: ${message}`);
    return { error: message, code: 'model-not-found' };
  }
  try {
    const check = await views.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Inkwell: checking ${entry.name}…` },
      () => runtime.request('model.check', { model: entry.dir, ...(entry.kind === 'text' ? { dtype: current().dtype } : {}) }),
    );
    const { summary, details } = describeCheck(check);
    log.info(`Check Model: ${details}`);
    void vscode.window.showInformationMessage(`Inkwell: ${entry.name} works. ${summary}`, 'Show Details').then((c) => c && log.show());
    return check;
  } catch (err) {
    const error = RuntimeError.from(err);
    log.error(`Check Model failed for ${entry.dir}: ${error.message}${error.detail ? `\n${error.detail}` : ''}`);
    void vscode.window
      .showErrorMessage(`Inkwell: ${entry.name} does not work. ${error.message}`, 'Show Log')
      .then((c) => c && log.show());
    return { error: error.message, code: error.code };
  }
}
