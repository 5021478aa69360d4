import type * as vscode from 'vscode';
import { DEFAULT_FIELDS, FieldSpec } from '../core/frontmatter/schema';
import type { PostValidation } from '../services/postValidation';

/** Fields of the schema in force for a post: the default fields, the custom ones, or both. */
export async function fieldsFor(validation: PostValidation, uri: vscode.Uri): Promise<FieldSpec[]> {
  const { options } = await validation.options(uri);
  const custom = options.customSchema?.fields ?? [];
  const base = options.customSchema && options.schemaMode === 'replace' ? [] : DEFAULT_FIELDS;
  const required = new Set(options.customSchema?.required ?? []);
  const byName = new Map<string, FieldSpec>();
  for (const f of base) byName.set(f.name, f);
  // The site generator's fields, with its documentation, come before the custom schema's.
  for (const f of options.site?.schema?.fields ?? []) {
    const known = byName.get(f.name);
    byName.set(f.name, {
      ...known,
      ...f,
      type: known && f.type === 'any' ? known.type : f.type,
      enum: f.enum ?? known?.enum,
      required: known?.required || options.site!.schema!.required.includes(f.name),
    });
  }
  for (const f of custom)
    byName.set(f.name, { ...byName.get(f.name), ...f, required: required.has(f.name) || byName.get(f.name)?.required });
  return [...byName.values()];
}

/** A field's type and whether it is required, as completions and hovers show it: `string, required`. */
export function fieldDetail(field: FieldSpec): string {
  return `${field.type}${field.required ? ', required' : ''}`;
}
