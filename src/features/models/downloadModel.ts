import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { downloadModel, fetchListing, HubError, type DownloadProgress, type DownloadResult } from '../../hub/download';
import { isUnreachable } from '../../hub/http';
import { checkRepoId, HubInputError, redactUrl, resolveHubEndpoint, type ResolvedEndpoint } from '../../core/hub/endpoint';
import type { HubListing } from '../../core/hub/listing';
import { formatSize, RECOMMENDED_REPOS, type RecommendedDtype, type RecommendedRepo } from '../../core/hub/downloadManifest';
import { autoVariant, GPU_DTYPES, isDtype, listVariants, planDownload, type Dtype } from '../../core/hub/select';
import { hasChatTemplate } from '../../generation/chatTemplate';
import { abortOnCancel } from '../../util/cancellation';
import { setContext } from '../../util/contextKeys';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import type { ModelRegistry } from '../../services/modelRegistryService';
import { userLevelSetting, userSetting, writeSetting } from '../../util/config';

/** Arguments that skip the pickers (tests, keybindings). */
export interface DownloadModelArgs {
  repo?: string;
  dtype?: Dtype | 'auto';
  revision?: string;
  /** Set `inkwell.models.text` to the model afterwards (true) or do not ask (false); unset: ask. */
  use?: boolean;
  /** Set `inkwell.models.chat` to it afterwards when it is an instruct model (true); unset: asked with `use`. */
  useForChat?: boolean;
}

export type DownloadModelOutcome =
  | {
      ok: true;
      name: string;
      dir: string;
      dtype: Dtype;
      alreadyPresent: boolean;
      /** Whether it has a chat template (an instruct model). */
      chat: boolean;
      used: boolean;
      usedForChat: boolean;
    }
  | { ok: false; reason: 'untrusted' | 'dismissed' | 'cancelled' | 'failed'; message?: string };

/**
 * Where downloads go: the first models folder the user configured (user
 * settings, absolute or under the home folder), else `downloadsDir` in the
 * extension's global storage, which the model registry also searches.
 */
export function downloadTarget(downloadsDir: string): string {
  const configured = userLevelSetting<string[]>('models', 'paths') ?? [];
  for (const dir of configured) {
    const expanded = dir === '~' || dir.startsWith('~/') ? path.join(os.homedir(), dir.slice(1)) : dir;
    if (path.isAbsolute(expanded)) return expanded;
  }
  return downloadsDir;
}

/**
 * The hub endpoint: `inkwell.models.hubEndpoint` when the user set it, else
 * the `HF_ENDPOINT` environment variable, else the public hub.
 */
export function hubEndpoint(): ResolvedEndpoint {
  const explicit = userSetting<string>('models', 'hubEndpoint') || undefined;
  return resolveHubEndpoint({ explicit, explicitSource: 'setting', env: process.env });
}

interface RepoPick extends vscode.QuickPickItem {
  repo?: string;
}

/** A recommended repository as the picker shows it: its size for CPUs and licence beside it, the rest below. */
function recommendedItem(r: RecommendedRepo): RepoPick {
  const others = (Object.keys(r.sizes) as RecommendedDtype[]).filter((d) => d !== r.auto);
  return {
    label: r.repo,
    description: `${r.auto} ≈ ${formatSize(r.sizes[r.auto] ?? 0)} · ${r.license}`,
    detail: `${r.description}: ${r.goodFor}. ${others.map((d) => `${d} ≈ ${formatSize(r.sizes[d] ?? 0)}`).join(', ')}`,
    repo: r.repo,
  };
}

async function pickRepo(): Promise<string | undefined> {
  const items: RepoPick[] = [
    { label: 'Instruct models: writing help and continuation', kind: vscode.QuickPickItemKind.Separator },
    ...RECOMMENDED_REPOS.filter((r) => r.chat).map(recommendedItem),
    { label: 'Text models: continuation only', kind: vscode.QuickPickItemKind.Separator },
    ...RECOMMENDED_REPOS.filter((r) => !r.chat).map(recommendedItem),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(edit) Another repository…', detail: 'Type the id of any repository with an ONNX export of a text model (owner/name).' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Download Model',
    placeHolder: 'Pick a model to download (sizes are approximate; the next step shows exact ones)',
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.repo) return picked.repo;
  return vscode.window.showInputBox({
    title: 'Download Model',
    prompt: 'Repository id on the model hub',
    placeHolder: 'owner/name, e.g. onnx-community/Qwen2.5-0.5B-Instruct',
    validateInput: (v) => {
      try {
        checkRepoId(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
}

interface DtypePick extends vscode.QuickPickItem {
  dtype: Dtype | 'auto';
}

async function pickDtype(repo: string, listing: HubListing): Promise<Dtype | 'auto' | undefined> {
  const size = (d: Dtype | 'auto') => {
    try {
      const bytes = planDownload(listing.files, d).totalBytes;
      return bytes !== undefined ? formatSize(bytes) : 'size unknown';
    } catch {
      return undefined;
    }
  };
  const auto = autoVariant(listing.files);
  const items: DtypePick[] = [];
  if (auto)
    items.push({
      label: 'auto',
      description: `${auto.dtype}, ${size(auto.dtype)}`,
      detail: 'The fastest variant on a CPU that this repository has.',
      dtype: 'auto',
    });
  for (const v of listVariants(listing.files)) {
    const s = size(v.dtype);
    if (!s) continue;
    items.push({
      label: v.dtype,
      description: s,
      detail: GPU_DTYPES.has(v.dtype) ? 'Made for GPUs: slow or unsupported on a CPU.' : undefined,
      dtype: v.dtype,
    });
  }
  if (!items.length) {
    planDownload(listing.files, 'auto'); // throws the reason
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: `Download ${repo}`, placeHolder: 'Which ONNX variant?' });
  return picked?.dtype;
}

function describeProgress(p: DownloadProgress): string {
  const of = p.total !== undefined ? ` of ${formatSize(p.total)}` : '';
  return `${formatSize(p.bytes)}${of} · ${formatSize(p.bytesPerSecond)}/s · file ${p.fileIndex} of ${p.fileCount}`;
}

/** A download in a cancellable notification: the variant and size, then bytes, speed and file. */
function downloadWithProgress(
  request: { endpoint: string; repo: string; revision: string | undefined; dtype: Dtype | 'auto'; modelsDir: string },
  controller: AbortController,
  log: Logger,
  views: Views,
  onFirstBytes: () => void,
): Thenable<DownloadResult> {
  return views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${request.repo}`, cancellable: true },
    (progress, token) => {
      const link = abortOnCancel(token, controller);
      let shown = 0;
      const downloading = downloadModel({
        ...request,
        signal: controller.signal,
        progressIntervalMs: 250,
        onPlan: (plan) => {
          for (const note of plan.notes) log.info(`Download Model: ${note}`);
          log.info(`Download Model: ${plan.files.map((f) => `${f.path} → ${f.target}`).join(', ')}`);
          progress.report({
            message: `${plan.dtype}${plan.auto ? ' (auto)' : ''}${plan.totalBytes !== undefined ? `, ${formatSize(plan.totalBytes)}` : ''}`,
          });
        },
        onProgress: (p) => {
          if (p.bytes > 0) onFirstBytes();
          const percent = p.total ? Math.min(100, (p.bytes / p.total) * 100) : 0;
          progress.report({ message: describeProgress(p), increment: Math.max(0, percent - shown) });
          shown = Math.max(shown, percent);
        },
      });
      return downloading.finally(() => link.dispose());
    },
  );
}

/**
 * After a download: says what landed and sets the model for continuation or (an instruct model)
 * writing help, as `args` say or as the writer picks from the message.
 */
async function offerUse(
  result: DownloadResult,
  repo: string,
  args: DownloadModelArgs,
  registry: ModelRegistry,
  log: Logger,
  views: Views,
): Promise<{ chat: boolean; used: boolean; usedForChat: boolean }> {
  const summary = result.alreadyPresent
    ? `${result.name} is already downloaded (${result.dir}).`
    : `Downloaded ${repo} (${result.plan.dtype}, ${formatSize(result.manifest.files.reduce((n, f) => n + f.size, 0))}) to ${result.dir}.`;
  log.info(`Download Model: ${summary}`);
  // The setting takes the name when the registry finds the folder by it, else the folder itself.
  const value = registry.list('text').some((m) => m.dir === result.dir) ? result.name : result.dir;
  const chat = hasChatTemplate(result.dir);
  const used = { text: false, chat: false };
  const use = async (key: 'text' | 'chat') => {
    await writeSetting('models', key, value);
    used[key] = true;
  };
  if (args.use === true) await use('text');
  if (args.useForChat === true && chat) await use('chat');
  if (args.use === undefined && args.useForChat === undefined) {
    const buttons = chat ? ['Use for writing help', 'Use for continuation', 'Check Model'] : ['Use this model', 'Check Model'];
    const instruct = chat ? ' It is an instruct model: it can answer Suggest…, Rewrite Selection and Summarize, and continue text.' : '';
    void views.showMessage('info', summary + instruct, ...buttons).then(async (choice) => {
      if (choice === 'Use for writing help') await use('chat');
      if (choice === 'Use this model' || choice === 'Use for continuation') await use('text');
      if (choice === 'Check Model') await vscode.commands.executeCommand('inkwell.checkModel', { model: value });
    });
  }
  return { chat, used: used.text, usedForChat: used.chat };
}

/** A failed or cancelled download in words (whether it can continue, where a mirror goes), said once. */
function explainFailure(err: unknown, started: boolean, where: string, log: Logger, views: Views): DownloadModelOutcome {
  if (err instanceof HubError && err.code === 'cancelled') {
    const message = started
      ? 'Download cancelled. Run Download Model again with the same choices to continue where it stopped.'
      : 'Download cancelled.';
    log.info(`Download Model: ${message}`);
    void views.showMessage('info', message);
    return { ok: false, reason: 'cancelled', message };
  }
  const detail = err instanceof HubError || err instanceof HubInputError ? err.message : `Download failed: ${(err as Error).message}`;
  log.error(`Download Model: ${detail}`);
  if (isUnreachable(err)) {
    // No answer at all: say so in words, and where a mirror would go.
    const message =
      `Inkwell cannot reach the model hub at ${where} (${err.errno}). Check the network connection; ` +
      `to use a mirror, set inkwell.models.hubEndpoint.` +
      (started ? ' Run Download Model again to continue where it stopped.' : '');
    void views.showMessage('error', message, 'Open Setting', 'Show Log').then((c) => {
      if (c === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', 'inkwell.models.hubEndpoint');
      if (c === 'Show Log') void vscode.commands.executeCommand('inkwell.showLog');
    });
    return { ok: false, reason: 'failed', message };
  }
  const hint = started && err instanceof HubError && err.resumable ? ' Run Download Model again to continue where it stopped.' : '';
  void views.showMessage('error', detail + hint, 'Show Log').then((c) => c && vscode.commands.executeCommand('inkwell.showLog'));
  return { ok: false, reason: 'failed', message: detail + hint };
}

/**
 * "Inkwell: Download Model…": picks a repository (recommended ones with their
 * size, or any id) and an ONNX variant, downloads it with a cancellable
 * progress notification, and offers to use it. The only network access
 * Inkwell makes, only on this command, and never in an untrusted workspace.
 * "Inkwell: Cancel Download" (in the palette while one runs) aborts it as the
 * notification's Cancel does.
 */
export function createModelDownloads(registry: ModelRegistry, downloadsDir: string, log: Logger, views: Views): ModelDownloads {
  /** The controllers of the downloads in flight (listing or fetching); Cancel and Cancel Download abort them. */
  const running = new Set<AbortController>();
  const track = async <T>(task: (controller: AbortController) => Thenable<T>): Promise<T> => {
    const controller = new AbortController();
    running.add(controller);
    setContext('inkwell.downloading', true);
    try {
      return await task(controller);
    } finally {
      running.delete(controller);
      setContext('inkwell.downloading', running.size > 0);
    }
  };

  const run = async (args: DownloadModelArgs): Promise<DownloadModelOutcome> => {
    if (!vscode.workspace.isTrusted) {
      const message =
        'Inkwell downloads models only in a trusted workspace: the workspace could point the download at another server. Trust the workspace, then run Download Model again.';
      void vscode.window
        .showErrorMessage(message, 'Manage Workspace Trust')
        .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
      return { ok: false, reason: 'untrusted', message };
    }
    let endpoint: ResolvedEndpoint;
    let repo: string | undefined;
    try {
      endpoint = hubEndpoint();
      repo = args.repo !== undefined ? checkRepoId(args.repo) : await pickRepo();
    } catch (err) {
      void vscode.window.showErrorMessage((err as Error).message);
      return { ok: false, reason: 'failed', message: (err as Error).message };
    }
    if (!repo) return { ok: false, reason: 'dismissed' };
    const revision = args.revision;
    let dtype: Dtype | 'auto' | undefined = args.dtype;
    if (dtype !== undefined && dtype !== 'auto' && !isDtype(dtype)) {
      const message = `"${String(dtype)}" is not an ONNX variant; use auto, fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4.`;
      void vscode.window.showErrorMessage(message);
      return { ok: false, reason: 'failed', message };
    }
    const modelsDir = downloadTarget(downloadsDir);
    const where = redactUrl(endpoint.url);
    log.info(`Download Model: ${repo}${revision ? `@${revision}` : ''} from ${where} (${endpoint.source}) into ${modelsDir}`);
    // Whether any bytes arrived: only then is there anything to continue.
    let started = false;
    try {
      if (dtype === undefined) {
        const listing = await track((controller) =>
          views.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Listing the files of ${repo}…`, cancellable: true },
            async (_p, token) => {
              const link = abortOnCancel(token, controller);
              try {
                return await fetchListing(endpoint.url, repo, revision ?? 'main', { signal: controller.signal });
              } finally {
                link.dispose();
              }
            },
          ),
        );
        dtype = await pickDtype(repo, listing);
        if (!dtype) return { ok: false, reason: 'dismissed' };
      }
      const request = { endpoint: endpoint.url, repo, revision, dtype, modelsDir };
      const result = await track((controller) =>
        downloadWithProgress(request, controller, log, views, () => {
          started = true;
        }),
      );
      registry.refresh();
      const used = await offerUse(result, repo, args, registry, log, views);
      return { ok: true, name: result.name, dir: result.dir, dtype: result.plan.dtype, alreadyPresent: result.alreadyPresent, ...used };
    } catch (err) {
      return explainFailure(err, started, where, log, views);
    }
  };

  return {
    download: (args) => run(args && typeof args === 'object' ? args : {}),
    cancel: () => {
      for (const controller of running) controller.abort();
    },
  };
}

/** "Download Model…" and "Cancel Download". */
export interface ModelDownloads {
  /** Downloads a model; `args` skip the pickers (anything but an object is ignored). */
  download(args?: DownloadModelArgs): Promise<DownloadModelOutcome>;
  /** Aborts every download in flight, as the notification's Cancel does. */
  cancel(): void;
}
