import * as vscode from 'vscode';
import type { GenerationSettings } from '../core/generationSettings';
import { samplingNotSet } from './settingInspection';

/** Severity names accepted by `inkwell.validation.severity`. */
export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Every Inkwell setting, typed. Keys mirror `contributes.configuration` in package.json. */
export interface InkwellConfig {
  posts: { include: string[]; exclude: string[]; staticFolders: string[]; updateDateOnSave: boolean };
  site: { generator: 'auto' | 'none' | 'hugo' | 'jekyll' | 'astro' | 'eleventy' | 'hexo' | 'docusaurus' };
  validation: {
    enabled: boolean;
    schema: string;
    schemaMode: 'extend' | 'replace';
    flagUnknownKeys: boolean;
    severity: Record<string, SeveritySetting>;
    maxFileSizeKB: number;
    debounceMs: number;
  };
  preview: { allowHttpsImages: boolean; stylesheet: string; debounceMs: number };
  models: { paths: string[]; text: string; chat: string; image: string; dtype: string; draftModel: string };
  runtime: {
    threads: number;
    idleShutdownSeconds: number;
    maxMemoryMB: number;
    optimizedModelCacheMB: number;
    preloadModel: boolean;
    speculativeDecoding: 'off' | 'auto' | 'prompt-lookup' | 'draft';
  };
  text: { provider: 'local' | 'openaiCompatible' };
  remote: { baseUrl: string; model: string; apiKeyEnvironmentVariable: string };
  generation: GenerationSettings;
  inlineCompletion: { enabled: boolean; debounceMs: number; maxTokens: number };
  images: {
    count: number;
    pathTemplate: string;
    displaySize: number;
    upscale: 'nearest' | 'smooth';
    setFrontmatterImage: boolean;
  };
  newPost: { draft: boolean };
}

type Section = keyof InkwellConfig;

/**
 * Reads one section of Inkwell's settings for a resource (a post's URI, so
 * per-folder settings apply). Defaults come from package.json, so every key is present.
 */
export function readConfig<S extends Section>(section: S, scope?: vscode.ConfigurationScope): InkwellConfig[S] {
  const cfg = vscode.workspace.getConfiguration(`inkwell.${section}`, scope);
  const keys = Object.keys(defaultsOf(section));
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = cfg.get(key);
  return out as InkwellConfig[S];
}

/**
 * `inkwell.generation.*` for a resource, with the sampling settings nobody wrote marked `notSet`
 * (VS Code's inspect() finds no user, workspace or folder value), so that a model's
 * generation_config.json may choose them.
 */
export function readGenerationSettings(scope?: vscode.ConfigurationScope): GenerationSettings {
  const cfg = vscode.workspace.getConfiguration('inkwell.generation', scope);
  return { ...readConfig('generation', scope), notSet: samplingNotSet((key) => cfg.inspect(key)) };
}

let manifestDefaults: Record<string, unknown> | undefined;

/** The `inkwell.<section>.*` defaults declared in the extension manifest. */
function defaultsOf(section: Section): Record<string, unknown> {
  if (!manifestDefaults) {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'inkwell' && e.packageJSON?.publisher === 'inkwell');
    // The settings come in groups (a list of sections, as the Settings editor shows them).
    const configuration: unknown = ext?.packageJSON?.contributes?.configuration ?? [];
    const groups = (Array.isArray(configuration) ? configuration : [configuration]) as {
      properties?: Record<string, { default?: unknown }>;
    }[];
    manifestDefaults = {};
    for (const group of groups) for (const [key, value] of Object.entries(group.properties ?? {})) manifestDefaults[key] = value.default;
  }
  const prefix = `inkwell.${section}.`;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(manifestDefaults)) {
    if (key.startsWith(prefix)) result[key.slice(prefix.length)] = value;
  }
  return result;
}

/** Fires `listener` when any setting under `inkwell.<section>` changes. */
export function onConfigChange(section: Section, listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`inkwell.${section}`)) listener(e);
  });
}
