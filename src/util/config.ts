import * as vscode from 'vscode';
import type { GenerationSettings } from '../core/generationSettings';
import { isSetByUser, samplingNotSet } from './settingInspection';

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
    /** `rewrites`: Rewrite Selection's requests as `auto`, the others `off`. */
    speculativeDecoding: 'rewrites' | 'off' | 'auto' | 'prompt-lookup' | 'draft';
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

/**
 * The value the writer set for `inkwell.<section>.<key>` (in a folder, the workspace or the user
 * settings, in that order), or undefined where only the default applies: for settings whose
 * default is decided elsewhere (the site generator's folders, an image path it serves).
 */
export function userSetting<T>(section: string, key: string, scope?: vscode.ConfigurationScope): T | undefined {
  const i = vscode.workspace.getConfiguration(`inkwell.${section}`, scope).inspect<T>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

/** Whether the writer set `inkwell.<section>.<key>` anywhere (whatever the value), so that it, not a default decided elsewhere, applies. */
export function isUserSet(section: Section, key: string, scope?: vscode.ConfigurationScope): boolean {
  return isSetByUser(vscode.workspace.getConfiguration(`inkwell.${section}`, scope).inspect(key));
}

/**
 * `inkwell.<section>.<key>` from the user settings alone: for folders outside the workspace
 * (models, downloads), which a workspace must not choose.
 */
export function userLevelSetting<T>(section: string, key: string): T | undefined {
  return vscode.workspace.getConfiguration(`inkwell.${section}`).inspect<T>(key)?.globalValue;
}

/**
 * Writes `inkwell.<section>.<key>` in the user settings, or with `where: 'where-set'` in the
 * workspace when the workspace already sets it (a per-workspace choice stays per workspace).
 */
export async function writeSetting(section: Section, key: string, value: unknown, where: 'user' | 'where-set' = 'user'): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(`inkwell.${section}`);
  const inWorkspace = where === 'where-set' && cfg.inspect(key)?.workspaceValue !== undefined;
  await cfg.update(key, value, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}

/** One of VS Code's own settings (not Inkwell's), for a resource. */
export function editorSetting<T>(section: string, key: string, fallback: T, scope?: vscode.ConfigurationScope): T {
  return vscode.workspace.getConfiguration(section, scope).get<T>(key, fallback);
}

/** Fires `listener` when any setting under `inkwell.<section>` changes. */
export function onConfigChange(section: Section, listener: (e: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`inkwell.${section}`)) listener(e);
  });
}
