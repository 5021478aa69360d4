/**
 * Import cycles in src/ and in training/'s Python. In src/, type-only imports count: `import-x/no-cycle` in eslint skips
 * `import type`, so a cycle made of type imports (or half of them) would pass it. Reads each
 * module's imports with TypeScript's own pre-processor (no type checking, so it is quick), keeps
 * the relative ones and reports every strongly connected group of modules with more than one
 * member. Exit code 1 when there is one. Run by `npm run lint`.
 */
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
import ts from 'typescript';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(repo, 'src');

function modules(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return modules(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function resolve(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Cycles known and not yet taken apart, each with what removes it. A cycle listed here that is
 * gone makes the check fail too, so the list cannot go stale.
 */
const KNOWN = [];

const files = modules(src);
const edges = new Map(files.map((f) => [f, []]));
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const target = resolve(file, fileName);
    if (target && edges.has(target)) edges.get(file).push(target);
  }
}

// Tarjan's strongly connected components: every group of modules that import each other.
function stronglyConnected(nodes, edges) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const groups = [];
  function visit(v) {
    state.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of edges.get(v)) {
      if (!state.has(w)) {
        visit(w);
        state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
      } else if (state.get(w).onStack) {
        state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
      }
    }
    if (state.get(v).low === state.get(v).index) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  }
  for (const n of nodes) if (!state.has(n)) visit(n);
  return groups;
}

/**
 * training/'s Python modules and what each imports (at the top or inside a function: a lazy
 * import closes a circle just the same). The scripts run with training/ on the path, so `import
 * data` is training/data.py and `from corpus import build` is training/corpus/build.py; relative
 * imports resolve inside their package.
 */
function pythonGraph() {
  const root = path.join(repo, 'training');
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'data' || e.name.startsWith('.') ? [] : walk(p);
      return p.endsWith('.py') ? [p] : [];
    });
  const files = walk(root);
  const known = new Set(files);
  const moduleFile = (base, dotted) => {
    const p = path.join(base, ...dotted.split('.'));
    for (const candidate of [`${p}.py`, path.join(p, '__init__.py')]) if (known.has(candidate)) return candidate;
    return undefined;
  };
  const edges = new Map(files.map((f) => [f, []]));
  for (const file of files) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const from = /^\s*from\s+(\.*)([\w.]*)\s+import\s+(.+)$/.exec(line);
      const plain = /^\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)/.exec(line);
      const targets = [];
      if (from) {
        let base = root;
        if (from[1]) {
          base = path.dirname(file);
          for (let i = 1; i < from[1].length; i++) base = path.dirname(base);
        }
        const names = from[3]
          .replace(/[()]/g, '')
          .split(',')
          .map((n) => n.trim().split(/\s+/)[0]);
        const pkg = from[2];
        // `from pkg import mod` names a module when pkg/mod.py exists, else something inside pkg.
        for (const name of names)
          targets.push(moduleFile(base, pkg ? `${pkg}.${name}` : name) ?? (pkg ? moduleFile(base, pkg) : undefined));
      } else if (plain) {
        for (const name of plain[1].split(',')) targets.push(moduleFile(root, name.trim()));
      }
      for (const t of targets) if (t && t !== file) edges.get(file).push(t);
    }
  }
  return { files, edges };
}

const groups = [...stronglyConnected(files, edges)];
const python = pythonGraph();
for (const g of stronglyConnected(python.files, python.edges)) groups.push(g);

const key = (list) => [...list].sort().join(' ');
const known = new Map(KNOWN.map((k) => [key(k.modules), k]));
const found = new Set();
let failed = false;
for (const group of groups) {
  const names = group.map((f) => path.relative(repo, f).split(path.sep).join('/'));
  if (known.has(key(names))) {
    found.add(key(names));
    console.log(`Known import cycle: ${names.join(' <-> ')} (${known.get(key(names)).fix})`);
    continue;
  }
  failed = true;
  console.error(
    `Import cycle (type-only imports included in src/, lazy imports in training/) among:\n${names.map((n) => `  ${n}`).join('\n')}`,
  );
}
for (const [k] of known) {
  if (!found.has(k)) {
    failed = true;
    console.error(`The known import cycle ${k} is gone: remove it from KNOWN in scripts/importCycles.mjs.`);
  }
}
if (failed) process.exitCode = 1;
else console.log(`No other import cycles among ${files.length} modules in src/ and ${python.files.length} in training/.`);
