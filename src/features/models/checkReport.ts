import type { TensorSignature } from '../../runtime/protocol';

/**
 * Tensors in a few readable lines: the per-layer key/value cache tensors
 * (`past_key_values.0.key` … `present.11.value`) become one line per family.
 */
export function signature(list: TensorSignature[]): string {
  const lines: string[] = [];
  const families = new Map<string, { count: number; layers: Set<string>; type: string; shape: string; index: number }>();
  for (const t of list) {
    const shape = `${t.type}[${t.shape.join(', ')}]`;
    const m = /^(.*?)\.(\d+)\.(.+)$/.exec(t.name);
    if (!m) {
      lines.push(`  ${t.name}: ${shape}`);
      continue;
    }
    // A cache taken by position (`….key.by_position`, `….value.new`) keeps its suffix on the family's line.
    const family = `${m[1]}.*.${m[3].replace(/^(key|value)(\.by_position|\.new)?$/, '{key,value}$2')}`;
    const key = family.includes('{key,value}') ? `${m[1]}.*.kv` : family;
    let f = families.get(key);
    if (!f) {
      f = { count: 0, layers: new Set(), type: t.type, shape, index: lines.length };
      families.set(key, f);
      lines.push(family);
    }
    f.count++;
    f.layers.add(m[2]);
  }
  for (const f of families.values()) {
    const family = lines[f.index]!;
    lines[f.index] = `  ${family} (${f.count} tensors, ${f.layers.size} layers): ${f.shape}`;
  }
  return lines.join('\n');
}
