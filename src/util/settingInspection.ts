/**
 * Whether someone wrote a setting, from what VS Code's `WorkspaceConfiguration.inspect()`
 * reports. Kept apart from config.ts (which reads through the vscode API) so it runs in plain Node.
 */
import { MODEL_SAMPLING_KEYS, type ModelSamplingKey } from '../core/generationSettings';

/**
 * The values of one setting VS Code's `WorkspaceConfiguration.inspect()` reports that someone
 * wrote: user, workspace and folder settings, plain or for a language. (The default, and a
 * language default another extension contributes, are nobody's choice.)
 */
export interface SettingInspection {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

/** Whether anyone wrote the setting, whatever the value: `"temperature": 0.8`, the default, written down, is a choice. */
export function isSetByUser(inspection: SettingInspection | undefined): boolean {
  if (!inspection) return false;
  return [
    inspection.globalValue,
    inspection.workspaceValue,
    inspection.workspaceFolderValue,
    inspection.globalLanguageValue,
    inspection.workspaceLanguageValue,
    inspection.workspaceFolderLanguageValue,
  ].some((v) => v !== undefined);
}

/** The model-defaultable `inkwell.generation.*` settings nobody wrote, from `inspect` of that section. */
export function samplingNotSet(inspect: (key: ModelSamplingKey) => SettingInspection | undefined): ModelSamplingKey[] {
  return MODEL_SAMPLING_KEYS.filter((key) => !isSetByUser(inspect(key)));
}
