/**
 * Small scanners that find the spans of values in TOML and JSON source. The
 * real parsers (smol-toml, JSON.parse) decide what the values are; these only
 * say where each one is, so problems can be underlined exactly.
 */

/** Skips spaces, line breaks and (TOML) comments from `i`. */
export function skipSpace(src: string, i: number, lang: 'toml' | 'json'): number {
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (lang === 'toml' && c === '#') {
      const lf = src.indexOf('\n', i);
      i = lf < 0 ? src.length : lf + 1;
    } else break;
  }
  return i;
}

/** Offset just past the string starting at `i` (any TOML or JSON quote style). */
function stringEnd(src: string, i: number, lang: 'toml' | 'json'): number {
  const q = src[i];
  if (lang === 'toml' && (src.startsWith('"""', i) || src.startsWith("'''", i))) {
    const fence = src.slice(i, i + 3);
    let j = src.indexOf(fence, i + 3);
    if (j < 0) return src.length;
    // A closing fence may be followed by up to two more quotes that belong to the string.
    while (src[j + 3] === q) j++;
    return j + 3;
  }
  for (let j = i + 1; j < src.length; j++) {
    const c = src[j];
    if (c === '\\' && q === '"') j++;
    else if (c === q) return j + 1;
    else if (c === '\n') return j;
  }
  return src.length;
}

/**
 * Offset just past the value starting at `i`: a string, a bracketed array or
 * table, or a bare token that ends at a separator, comment or line break.
 */
export function scanValueEnd(src: string, i: number, lang: 'toml' | 'json'): number {
  const c = src[i];
  if (c === '"' || (lang === 'toml' && c === "'")) return stringEnd(src, i, lang);
  if (c === '[' || c === '{') {
    let depth = 0;
    let j = i;
    while (j < src.length) {
      const d = src[j];
      if (d === '"' || (lang === 'toml' && d === "'")) {
        j = stringEnd(src, j, lang);
        continue;
      }
      if (lang === 'toml' && d === '#') {
        const lf = src.indexOf('\n', j);
        j = lf < 0 ? src.length : lf;
        continue;
      }
      if (d === '[' || d === '{') depth++;
      else if (d === ']' || d === '}') {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return src.length;
  }
  let j = i;
  while (j < src.length) {
    const d = src[j];
    if (d === ',' || d === ']' || d === '}' || d === '\n' || d === '\r' || (lang === 'toml' && d === '#')) break;
    j++;
  }
  // Trailing spaces are not part of the value.
  while (j > i && (src[j - 1] === ' ' || src[j - 1] === '\t')) j--;
  return j;
}

/** Spans `[start, end)` of the items of the array whose `[` is at `open`. */
export function scanArrayItems(src: string, open: number, lang: 'toml' | 'json'): Array<[number, number]> {
  const items: Array<[number, number]> = [];
  let i = open + 1;
  for (let guard = 0; guard < src.length + 1; guard++) {
    i = skipSpace(src, i, lang);
    if (i >= src.length || src[i] === ']') break;
    const end = scanValueEnd(src, i, lang);
    if (end <= i) break;
    items.push([i, end]);
    i = skipSpace(src, end, lang);
    if (src[i] !== ',') break;
    i++;
  }
  return items;
}
