/**
 * Downloading a model from a Hugging Face-style hub into a models folder, for
 * the editor command and the CLI alike.
 *
 * The files are assembled in a hidden folder next to the model folders
 * (`.inkwell-download-<name>`): each one streams into `<file>.part` (resumed with
 * a Range request after an interruption), is hashed while it is written and
 * checked against the hub's SHA-256 and size, and only then gets its real
 * name. When every file is in, the folder is renamed into place in one step.
 * A cancelled or interrupted download leaves only resumable data in the hidden
 * folder; content that fails its check is deleted. A models folder never holds
 * half a model.
 */
import { createHash, type Hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { checkRepoId, checkRevision, redactUrl, resolveUrl, revisionApiUrl, treeApiUrl } from '../core/hub/endpoint';
import { asHubError, cancelledError, httpGet, HubError, readText, type HttpOptions } from './http';
import { nextPageUrl, parseRevisionListing, parseTreePage, sha256FromEtag, type HubFile, type HubListing } from '../core/hub/listing';
import {
  isValidFolderName,
  MANIFEST_FILE,
  modelFolderName,
  parseManifest,
  STAGING_PREFIX,
  type DownloadManifest,
  type ManifestFile,
} from '../core/hub/downloadManifest';
import { planDownload, SelectionError, type DownloadPlan, type Dtype, type PlannedFile } from '../core/hub/select';

export { HubError } from './http';

/** Progress of a model download. */
export interface DownloadProgress {
  /** Repository path of the file being downloaded. */
  file: string;
  /** 1-based position of the file and the number of files. */
  fileIndex: number;
  fileCount: number;
  fileBytes: number;
  fileTotal?: number;
  /** Bytes of the model present so far (resumed and verified data included). */
  bytes: number;
  total?: number;
  /** Transfer speed over the last few seconds. */
  bytesPerSecond: number;
}

export interface HubRequestOptions {
  signal?: AbortSignal;
  /** Fail a request that stays silent this long (default 60 s). */
  idleTimeoutMs?: number;
}

export interface DownloadModelOptions extends HubRequestOptions {
  /** Hub endpoint, e.g. from {@link resolveHubEndpoint}. */
  endpoint: string;
  repo: string;
  revision?: string;
  dtype: Dtype | 'auto';
  /** The models folder the model folder goes into. */
  modelsDir: string;
  /** Folder name (default: {@link modelFolderName}). */
  name?: string;
  /** Replace a folder of that name even when it is not an earlier download of this repository. */
  force?: boolean;
  /** Retries per file after a network failure, each resuming where the last stopped (default 2). */
  retries?: number;
  /** Called once the files to download are known, before any is fetched. */
  onPlan?(plan: DownloadPlan, listing: HubListing): void;
  onProgress?(progress: DownloadProgress): void;
  /** Least time between two progress calls (default 100 ms). */
  progressIntervalMs?: number;
  /** Space a download leaves free on the models folder's disk; it stops before taking more (default 256 MiB). */
  minFreeBytes?: number;
}

/** Default of `DownloadModelOptions.minFreeBytes`. */
export const MIN_FREE_BYTES = 256 * 2 ** 20;

/**
 * Largest file that is not an ONNX graph or its data (config, tokenizer, chat template) a
 * download accepts when neither the listing nor the headers give its size. The largest
 * real tokenizer.json files are about 35 MB.
 */
export const MAX_UNSIZED_SMALL_FILE = 64 * 2 ** 20;

/** Bytes written between two checks of the free space while a file arrives. */
const SPACE_CHECK_EVERY = 16 * 2 ** 20;

/** The most bytes `file` may have when nothing says its size, or undefined for ONNX files (bounded by free space). */
function unsizedLimit(file: string): number | undefined {
  return /\.onnx(_data|\.data)?$|\.onnx_data_\d+$/.test(file) ? undefined : MAX_UNSIZED_SMALL_FILE;
}

export interface DownloadResult {
  /** The model folder. */
  dir: string;
  /** Its name: what `inkwell.models.text` takes. */
  name: string;
  plan: DownloadPlan;
  manifest: DownloadManifest;
  /** The same revision and variant was already there; nothing was fetched. */
  alreadyPresent: boolean;
  /** Bytes fetched in this run, and bytes taken over from an earlier interrupted run. */
  fetchedBytes: number;
  resumedBytes: number;
}

const MAX_LISTING_BYTES = 16 * 1024 * 1024;
const MAX_TREE_PAGES = 200;

function statusError(status: number, what: string, repo: string): HubError {
  if (status === 401 || status === 403) {
    return new HubError(
      'unauthorized',
      `${what}: the hub answered ${status}. ${repo} does not exist, or it is private or gated; Inkwell downloads public repositories.`,
    );
  }
  if (status === 404) return new HubError('not-found', `${what}: not found (404). Check the repository id and revision.`);
  if (status === 429 || status >= 500) return new HubError('network', `${what}: the hub answered ${status}; try again later.`, true);
  return new HubError('http', `${what}: the hub answered ${status}.`);
}

/**
 * The files of `repo` at `revision`: from the model info API, or, when the hub
 * (a mirror, say) does not offer it, from the recursive tree API.
 */
export async function fetchListing(endpoint: string, repo: string, revision: string, options: HubRequestOptions = {}): Promise<HubListing> {
  repo = checkRepoId(repo);
  revision = checkRevision(revision);
  const http: HttpOptions = { signal: options.signal, idleTimeoutMs: options.idleTimeoutMs, headers: { Accept: 'application/json' } };
  const what = `Listing ${repo}@${revision} at ${redactUrl(endpoint)}`;
  let firstStatus: number;
  try {
    const res = await httpGet(revisionApiUrl(endpoint, repo, revision), http);
    firstStatus = res.status;
    const text = await readText(res.body, MAX_LISTING_BYTES);
    if (res.status === 200) {
      try {
        return parseRevisionListing(JSON.parse(text));
      } catch {
        // Not the model info shape: try the tree below.
      }
    } else if (res.status === 401 || res.status === 403 || res.status === 429 || res.status >= 500) {
      throw statusError(res.status, what, repo);
    }
    const files: HubFile[] = [];
    let url: string | undefined = treeApiUrl(endpoint, repo, revision);
    for (let page = 0; url; page++) {
      if (page >= MAX_TREE_PAGES) throw new HubError('listing', `${what}: the file tree has more than ${MAX_TREE_PAGES} pages.`);
      const tree = await httpGet(url, http);
      const body = await readText(tree.body, MAX_LISTING_BYTES);
      if (tree.status !== 200) throw statusError(page === 0 && firstStatus !== 200 ? firstStatus : tree.status, what, repo);
      try {
        files.push(...parseTreePage(JSON.parse(body)));
      } catch (err) {
        throw new HubError('listing', `${what}: the hub's answer is not a file listing (${(err as Error).message}).`);
      }
      const link = tree.headers.link;
      url = nextPageUrl(Array.isArray(link) ? link.join(',') : link, url);
    }
    return { files };
  } catch (err) {
    throw asHubError(err, what, options.signal);
  }
}

/** Download speed over a sliding window. */
class Meter {
  private samples: Array<[number, number]> = [];
  private transferred = 0;
  constructor(private readonly windowMs = 5000) {}
  add(n: number): void {
    this.transferred += n;
    const now = performance.now();
    this.samples.push([now, this.transferred]);
    while (this.samples.length > 2 && now - this.samples[0][0] > this.windowMs) this.samples.shift();
  }
  get bytesPerSecond(): number {
    if (this.samples.length < 2) return 0;
    const [t0, b0] = this.samples[0];
    const [t1, b1] = this.samples[this.samples.length - 1];
    return t1 > t0 ? ((b1 - b0) * 1000) / (t1 - t0) : 0;
  }
}

const inProcessLocks = new Set<string>();

/** Takes the lock of a staging folder; throws `busy` when another download holds it. */
function lock(staging: string): () => void {
  const file = path.join(staging, '.lock');
  if (inProcessLocks.has(file)) throw new HubError('busy', 'This model is already being downloaded.');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid !== process.pid && isAlive(pid)) throw new HubError('busy', `This model is already being downloaded (process ${pid}).`);
      fs.rmSync(file, { force: true });
    }
  }
  inProcessLocks.add(file);
  return () => {
    inProcessLocks.delete(file);
    fs.rmSync(file, { force: true });
  };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function hashFile(file: string, hash: Hash, signal?: AbortSignal): Promise<number> {
  let n = 0;
  for await (const chunk of fs.createReadStream(file, { signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    n += chunk.length;
  }
  return n;
}

async function sha256File(file: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const size = await hashFile(file, hash, signal);
  return { sha256: hash.digest('hex'), size };
}

interface FileJob {
  url: string;
  file: PlannedFile;
  /** Final path in the staging folder. */
  dest: string;
  options: DownloadModelOptions;
  /** Bytes already on disk from earlier runs. */
  onResumed(n: number): void;
  onBytes(n: number): void;
  /** The commit the hub says it served. */
  onCommit(commit: string): void;
}

/**
 * Fetches one file to `dest` via `dest.part`, resuming a partial file, and
 * checks it. Returns what went into the manifest.
 */
async function fetchFile(job: FileJob): Promise<ManifestFile> {
  const { file, dest, options } = job;
  const part = `${dest}.part`;
  const signal = options.signal;
  if (fs.existsSync(dest)) {
    // Finished in an earlier run: trust it only if it still checks out.
    const done = await sha256File(dest, signal);
    if ((file.sha256 === undefined || done.sha256 === file.sha256) && (file.size === undefined || done.size === file.size)) {
      job.onResumed(done.size);
      return { path: file.target, source: file.path, size: done.size, sha256: done.sha256, verified: !!file.sha256 };
    }
    fs.rmSync(dest, { force: true });
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  let hash = createHash('sha256');
  let have = fs.existsSync(part) ? await hashFile(part, hash, signal) : 0;
  if (file.size !== undefined && have > file.size) {
    hash = createHash('sha256');
    have = 0;
  }
  job.onResumed(have);
  const restart = () => {
    job.onResumed(-have);
    hash = createHash('sha256');
    have = 0;
  };
  let res = await httpGet(job.url, { signal, idleTimeoutMs: options.idleTimeoutMs, headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
  const commit = res.firstHeaders['x-repo-commit'];
  if (typeof commit === 'string' && /^[0-9a-f]{40}$/.test(commit)) job.onCommit(commit);
  const linkedSize = Number(res.firstHeaders['x-linked-size']);
  const expectedSize = file.size ?? (Number.isSafeInteger(linkedSize) && linkedSize >= 0 ? linkedSize : undefined);
  const expectedSha = file.sha256 ?? sha256FromEtag(header(res.firstHeaders['x-linked-etag']));
  const minFree = options.minFreeBytes ?? MIN_FREE_BYTES;
  if (res.status === 416 && have > 0) {
    res.body.resume();
    if (expectedSize !== undefined && have === expectedSize) {
      return finish();
    }
    restart();
    res = await httpGet(job.url, { signal, idleTimeoutMs: options.idleTimeoutMs });
  }
  let append = false;
  if (res.status === 206 && have > 0) {
    const start = /^bytes (\d+)-/.exec(header(res.headers['content-range']) ?? '');
    if (start && Number(start[1]) === have) append = true;
    else {
      // The server answered another range than asked: start over.
      res.body.resume();
      restart();
      res = await httpGet(job.url, { signal, idleTimeoutMs: options.idleTimeoutMs });
    }
  } else if (res.status === 200 && have > 0) {
    // The server ignored Range and sends the whole file.
    restart();
  }
  if (res.status !== 200 && !(res.status === 206 && append)) {
    res.body.resume();
    throw statusError(res.status, `Downloading ${file.path}`, options.repo);
  }
  // Every file has a bound: the size the listing or the headers give, else a maximum for its
  // kind; an ONNX file of unknown size is bounded by the free space, checked as it arrives.
  const contentLength = Number(header(res.headers['content-length']));
  const announced = Number.isSafeInteger(contentLength) && contentLength >= 0 ? (append ? have : 0) + contentLength : undefined;
  const limit = expectedSize ?? announced ?? unsizedLimit(file.path);
  let checkedSpaceAt = have;
  const out = await fs.promises.open(part, append ? 'a' : 'w');
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw cancelledError();
      hash.update(chunk);
      await out.write(chunk);
      have += chunk.length;
      job.onBytes(chunk.length);
      if (expectedSize !== undefined && have > expectedSize) break;
      if (limit !== undefined && have > limit) {
        throw new HubError(
          'integrity',
          `${file.path} is larger than the ${formatSize(limit)} ${(expectedSize ?? announced) ? 'the hub announced' : 'a file of its kind can be'}; the download was stopped and the file deleted.`,
        );
      }
      if (have - checkedSpaceAt >= SPACE_CHECK_EVERY) {
        checkedSpaceAt = have;
        const free = freeBytes(path.dirname(part));
        if (free !== undefined && free < minFree) {
          throw new HubError(
            'disk-space',
            `The disk holding ${options.modelsDir} is nearly full (${formatSize(free)} free) after ${formatSize(have)} of ${file.path}; the download was stopped and the partial file deleted.`,
          );
        }
      }
    }
  } catch (err) {
    res.body.destroy();
    if (err instanceof HubError && (err.code === 'integrity' || err.code === 'disk-space')) {
      await out.close();
      fs.rmSync(part, { force: true });
      throw err;
    }
    throw asHubError(err, `Downloading ${file.path}`, signal);
  } finally {
    await out.close().catch(() => undefined);
  }
  if (signal?.aborted) throw cancelledError();
  return finish();

  function finish(): ManifestFile {
    const sha256 = hash.digest('hex');
    const reject = (why: string) => {
      fs.rmSync(part, { force: true });
      return new HubError('integrity', `${file.path} ${why}; the file was deleted. The hub or a proxy served damaged content; try again.`);
    };
    if (expectedSize !== undefined && have !== expectedSize) {
      if (have < expectedSize)
        throw new HubError('network', `Downloading ${file.path} stopped after ${have} of ${expectedSize} bytes.`, true);
      throw reject(`is ${have} bytes, but the hub says ${expectedSize}`);
    }
    if (expectedSha !== undefined && sha256 !== expectedSha) throw reject(`has SHA-256 ${sha256}, but the hub says ${expectedSha}`);
    fs.renameSync(part, dest);
    return { path: file.target, source: file.path, size: have, sha256, verified: expectedSha !== undefined };
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function readManifest(dir: string): DownloadManifest | undefined {
  try {
    return parseManifest(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when `dir` holds every file of `manifest` at its recorded size. */
function complete(dir: string, manifest: DownloadManifest): boolean {
  return manifest.files.every((f) => {
    try {
      return fs.statSync(path.join(dir, f.path)).size === f.size;
    } catch {
      return false;
    }
  });
}

/** Bytes in a short human unit (`12 MB`, `1.5 GB`), for messages. */
function formatSize(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Bytes free on the file system of `dir`, when node can tell. */
function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Removes everything in `staging` but the lock. */
function clearStaging(staging: string): void {
  for (const entry of fs.readdirSync(staging)) {
    if (entry !== '.lock') fs.rmSync(path.join(staging, entry), { recursive: true, force: true });
  }
}

/** True when `staging` holds nothing worth resuming (only bookkeeping files). */
function emptyStaging(staging: string): boolean {
  const walk = (dir: string): boolean =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .every((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === '.lock' || e.name === '.state.json'));
  try {
    return walk(staging);
  } catch {
    return false;
  }
}

/** What a download fetches and where: the listing, the plan for it and the model folder. */
interface DownloadTarget {
  repo: string;
  revision: string;
  listing: HubListing;
  plan: DownloadPlan;
  name: string;
  modelsDir: string;
  dir: string;
}

/** Lists the repository, plans the files and names the folder, refusing a folder that holds something else. */
async function resolveTarget(options: DownloadModelOptions): Promise<DownloadTarget> {
  const repo = checkRepoId(options.repo);
  const revision = checkRevision(options.revision);
  if (options.signal?.aborted) throw cancelledError();
  const listing = await fetchListing(options.endpoint, repo, revision, options);
  let plan: DownloadPlan;
  try {
    plan = planDownload(listing.files, options.dtype);
  } catch (err) {
    if (err instanceof SelectionError) throw new HubError('selection', `${repo}: ${err.message}`);
    throw err;
  }
  options.onPlan?.(plan, listing);
  const name = options.name ?? modelFolderName(repo, plan.dtype);
  if (!isValidFolderName(name)) throw new HubError('input', `"${name}" cannot name a model folder: use letters, digits, '.', '_' and '-'.`);
  const modelsDir = path.resolve(options.modelsDir);
  return { repo, revision, listing, plan, name, modelsDir, dir: path.join(modelsDir, name) };
}

/** The manifest of an earlier, complete download of the same files into the target, if there is one and it may be kept. */
function keptDownload(t: DownloadTarget, force: boolean | undefined): DownloadManifest | undefined {
  const existing = fs.existsSync(t.dir) ? readManifest(t.dir) : undefined;
  const sameRevision = (m: DownloadManifest) => (t.listing.commit ? m.commit === t.listing.commit : m.revision === t.revision);
  if (
    existing &&
    existing.repo === t.repo &&
    existing.dtype === t.plan.dtype &&
    sameRevision(existing) &&
    complete(t.dir, existing) &&
    !force
  ) {
    return existing;
  }
  if (fs.existsSync(t.dir) && existing?.repo !== t.repo && !force) {
    throw new HubError(
      'exists',
      `${t.dir} already exists and is not a download of ${t.repo}. Choose another name for the model folder, or remove that folder.`,
    );
  }
  return undefined;
}

/** Empties `staging` unless what it holds is partial data of the same files (another revision or variant cannot be resumed). */
function prepareStaging(staging: string, t: DownloadTarget): string {
  const stateFile = path.join(staging, '.state.json');
  const state = JSON.stringify({
    repo: t.repo,
    revision: t.revision,
    commit: t.listing.commit,
    dtype: t.plan.dtype,
    files: t.plan.files.map((f) => [f.target, f.path, f.size, f.sha256]),
  });
  let previous: string | undefined;
  try {
    previous = fs.readFileSync(stateFile, 'utf8');
  } catch {
    previous = undefined;
  }
  if (previous !== state) {
    clearStaging(staging);
    fs.writeFileSync(stateFile, state);
  }
  return stateFile;
}

/** Refuses to start when the bytes still missing from `staging` exceed the free space. */
function checkFreeSpace(staging: string, t: DownloadTarget): void {
  const missingBytes = t.plan.files.reduce((n, f) => {
    const dest = path.join(staging, f.target);
    if (fs.existsSync(dest)) return n;
    let have = 0;
    try {
      have = fs.statSync(`${dest}.part`).size;
    } catch {
      have = 0;
    }
    return n + Math.max(0, (f.size ?? 0) - have);
  }, 0);
  const free = freeBytes(t.modelsDir);
  if (free !== undefined && missingBytes > free) {
    throw new HubError('disk-space', `${t.repo} needs ${missingBytes} more bytes, but ${t.modelsDir} has ${free} free.`);
  }
}

/** The byte counts of one download and its throttled progress reports. */
class DownloadTally {
  bytes = 0;
  fetchedBytes = 0;
  resumedBytes = 0;
  private readonly meter = new Meter();
  private lastReport = 0;
  constructor(
    private readonly options: DownloadModelOptions,
    private readonly total: number | undefined,
  ) {}
  fetched(n: number): void {
    this.bytes += n;
    this.fetchedBytes += n;
    this.meter.add(n);
  }
  report(p: Omit<DownloadProgress, 'bytes' | 'total' | 'bytesPerSecond'>, force = false): void {
    const now = performance.now();
    if (!this.options.onProgress || (!force && now - this.lastReport < (this.options.progressIntervalMs ?? 100))) return;
    this.lastReport = now;
    this.options.onProgress({ ...p, bytes: this.bytes, total: this.total, bytesPerSecond: this.meter.bytesPerSecond });
  }
}

/** Fetches every planned file into `staging`, each retried after a network failure from where it stopped. */
async function fetchAll(staging: string, t: DownloadTarget, options: DownloadModelOptions, tally: DownloadTally) {
  const files: ManifestFile[] = [];
  let commit = t.listing.commit;
  for (const [i, file] of t.plan.files.entries()) {
    const dest = path.join(staging, ...file.target.split('/'));
    let fileBytes = 0;
    const progress = (force = false) =>
      tally.report({ file: file.path, fileIndex: i + 1, fileCount: t.plan.files.length, fileBytes, fileTotal: file.size }, force);
    const retries = options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      // A retry starts from what is on disk: count this file afresh.
      tally.bytes -= fileBytes;
      fileBytes = 0;
      try {
        files.push(
          await fetchFile({
            url: resolveUrl(options.endpoint, t.repo, commit ?? t.revision, file.path),
            file,
            dest,
            options,
            onResumed: (n) => {
              fileBytes += n;
              tally.bytes += n;
              if (attempt === 0) tally.resumedBytes += n;
            },
            onBytes: (n) => {
              fileBytes += n;
              tally.fetched(n);
              progress();
            },
            onCommit: (c) => {
              commit ??= c;
            },
          }),
        );
        break;
      } catch (err) {
        const e = asHubError(err, `Downloading ${file.path}`, options.signal);
        if (e.code !== 'network' || attempt >= retries || options.signal?.aborted) throw e;
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
    progress(true);
  }
  return { files, commit };
}

/**
 * Downloads the files of `repo` that a text model needs (see {@link planDownload})
 * into `<modelsDir>/<name>`. Throws {@link HubError}; a resumable one kept its
 * partial data, so calling again with the same options continues.
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadResult> {
  const t = await resolveTarget(options);
  const { repo, revision, plan, name, dir: target } = t;
  const kept = keptDownload(t, options.force);
  if (kept) return { dir: target, name, plan, manifest: kept, alreadyPresent: true, fetchedBytes: 0, resumedBytes: 0 };

  const staging = path.join(t.modelsDir, `${STAGING_PREFIX}${name}`);
  fs.mkdirSync(staging, { recursive: true });
  const unlock = lock(staging);
  let failed: HubError | undefined;
  try {
    const stateFile = prepareStaging(staging, t);
    checkFreeSpace(staging, t);
    const tally = new DownloadTally(options, plan.totalBytes);
    const { files, commit } = await fetchAll(staging, t, options, tally);
    const manifest: DownloadManifest = {
      format: 1,
      repo,
      revision,
      commit,
      endpoint: redactUrl(options.endpoint),
      dtype: plan.dtype,
      layout: plan.layout,
      downloadedAt: new Date().toISOString(),
      files,
    };
    fs.writeFileSync(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    fs.rmSync(stateFile, { force: true });
    unlock();
    moveIntoPlace(staging, target);
    return { dir: target, name, plan, manifest, alreadyPresent: false, fetchedBytes: tally.fetchedBytes, resumedBytes: tally.resumedBytes };
  } catch (err) {
    failed = asHubError(err, `Downloading ${repo}`, options.signal);
    throw failed;
  } finally {
    unlock();
    // Keep resumable data (damaged files were already deleted); drop a staging folder with nothing in it.
    if (failed && fs.existsSync(staging) && emptyStaging(staging)) fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Renames `staging` to `target`; an existing `target` is swapped out and removed only once the new folder is in place. */
function moveIntoPlace(staging: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return;
  }
  const old = path.join(path.dirname(target), `${STAGING_PREFIX}old-${path.basename(target)}-${process.pid}-${Date.now()}`);
  fs.renameSync(target, old);
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    fs.renameSync(old, target);
    throw err;
  }
  fs.rmSync(old, { recursive: true, force: true });
}
