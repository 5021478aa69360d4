/**
 * What a downloaded model folder records about its origin, how such a folder is
 * named, and the repositories Inkwell suggests.
 */
import type { DecoderLayout, Dtype } from './select';

/** Written into each downloaded model folder. */
export const MANIFEST_FILE = 'inkwell-download.json';

/** The prefix of the hidden folder a download is assembled in, next to the model folders. */
export const STAGING_PREFIX = '.inkwell-download-';

/** A file of a downloaded model. */
export interface ManifestFile {
  /** Path in the model folder. */
  path: string;
  /** Path in the repository. */
  source: string;
  size: number;
  /** SHA-256 of the content as downloaded (checked against the hub's when it gave one). */
  sha256: string;
  /** The hub gave a SHA-256 and the content matched it. */
  verified: boolean;
}

/** `inkwell-download.json`. */
export interface DownloadManifest {
  format: 1;
  repo: string;
  revision: string;
  /** The commit downloaded, when the hub said. */
  commit?: string;
  /** The hub's address, without any user name or password. */
  endpoint: string;
  dtype: Dtype;
  layout: DecoderLayout;
  /** ISO 8601. */
  downloadedAt: string;
  files: ManifestFile[];
}

/** Parses a manifest; undefined when the text is not one. */
export function parseManifest(text: string): DownloadManifest | undefined {
  try {
    const m = JSON.parse(text) as Partial<DownloadManifest>;
    if (m && m.format === 1 && typeof m.repo === 'string' && typeof m.dtype === 'string' && Array.isArray(m.files))
      return m as DownloadManifest;
  } catch {
    // not a manifest
  }
  return undefined;
}

/**
 * The folder (and so the model name in `inkwell.models.text`) a download goes
 * to: the repository's name and the variant, e.g. `SmolLM2-135M-Instruct-q4`.
 */
export function modelFolderName(repo: string, dtype: Dtype): string {
  const name = repo.slice(repo.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_.-]/g, '-');
  return `${name}-${dtype}`;
}

/** Checks a folder name given by the user: one plain path segment. */
export function isValidFolderName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(name) && !name.startsWith(STAGING_PREFIX);
}

/** The variants whose size the picker gives for a recommended repository. */
export type RecommendedDtype = 'q4' | 'q8' | 'fp16' | 'fp32';

/** A repository suggested in the download picker. */
export interface RecommendedRepo {
  repo: string;
  /** What it is, in a few words. */
  description: string;
  /** The licence of its weights, as the model card names it. */
  license: string;
  /** What it is good for in Inkwell, in a few words. */
  goodFor: string;
  /** An instruct model with a chat template: it serves writing help (inkwell.models.chat) as well as continuation. */
  chat: boolean;
  /** Approximate download in bytes of each variant it has (the variant picker shows exact ones). */
  sizes: Readonly<Partial<Record<RecommendedDtype, number>>>;
  /** The variant `auto` picks on a CPU. */
  auto: RecommendedDtype;
}

const MB = 1000 * 1000;

/** Small instruction-tuned decoders with ONNX exports, smallest first, then a plain one. Sizes are approximate. */
export const RECOMMENDED_REPOS: readonly RecommendedRepo[] = [
  {
    repo: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    description: 'SmolLM2 135M Instruct, English',
    license: 'Apache-2.0',
    goodFor: 'tags and titles on any laptop; rewrites are rough',
    chat: true,
    sizes: { q4: 120 * MB, q8: 140 * MB, fp16: 270 * MB, fp32: 540 * MB },
    auto: 'q4',
  },
  {
    repo: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    description: 'SmolLM2 360M Instruct, English',
    license: 'Apache-2.0',
    goodFor: 'titles, descriptions and short rewrites; fast on a CPU',
    chat: true,
    sizes: { q4: 300 * MB, q8: 370 * MB, fp16: 725 * MB, fp32: 1450 * MB },
    auto: 'q4',
  },
  {
    repo: 'onnx-community/Qwen2.5-0.5B-Instruct',
    description: 'Qwen2.5 0.5B Instruct, 29 languages',
    license: 'Apache-2.0',
    goodFor: 'posts not in English; summaries and rewrites',
    chat: true,
    sizes: { q4: 480 * MB, q8: 500 * MB, fp16: 990 * MB, fp32: 1980 * MB },
    auto: 'q4',
  },
  {
    repo: 'onnx-community/Llama-3.2-1B-Instruct',
    description: 'Llama 3.2 1B Instruct, 8 languages',
    license: 'Llama 3.2 Community License',
    goodFor: 'the best rewrites and summaries of the list; needs 2 GB of memory',
    chat: true,
    sizes: { q4: 1100 * MB, q8: 1250 * MB, fp16: 2500 * MB, fp32: 4950 * MB },
    auto: 'q4',
  },
  {
    repo: 'Xenova/distilgpt2',
    description: 'DistilGPT-2 82M, English',
    license: 'Apache-2.0',
    goodFor: 'continuing text only (no chat template)',
    chat: false,
    sizes: { q8: 85 * MB, fp32: 330 * MB },
    auto: 'q8',
  },
];

/** Bytes in a human unit (decimal, like download sizes are usually given). */
export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}
