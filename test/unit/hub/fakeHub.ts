/**
 * A model hub on 127.0.0.1 with the public hub's URL layout and headers, for
 * download tests (unit, CLI and in VS Code):
 *
 *   GET /api/models/{repo}/revision/{rev}[?blobs=true]   model info: sha, siblings (+ size, lfs)
 *   GET /api/models/{repo}/tree/{rev}?recursive=true      file entries (paged with Link headers)
 *   GET /{repo}/resolve/{rev}/{path}                      small files: 200 with ETag;
 *                                                         LFS files: 302 to /cdn/… with X-Linked-Size/-Etag
 *   GET /cdn/{sha256}                                     content, with Range (206) support
 *
 * Faults for tests: cut a file's connection after N bytes, serve corrupted
 * content, throttle a file, drop the model info API (a tree-only mirror).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

export interface FakeFile {
  content: Buffer;
  /** Stored in LFS: listed with lfs { sha256/oid, size } and served through the CDN redirect. */
  lfs: boolean;
}

export interface FakeRepo {
  commit: string;
  files: Map<string, FakeFile>;
}

export interface RequestRecord {
  method: string;
  url: string;
  range?: string;
}

export interface FakeHub {
  url: string;
  repos: Map<string, FakeRepo>;
  requests: RequestRecord[];
  /** One-shot: the next transfer of this path (from any offset) stops after this many bytes and the connection is destroyed. */
  cutAfter: Map<string, number>;
  /** Like cutAfter, but every time. */
  alwaysCutAfter: Map<string, number>;
  /** Paths served with one byte flipped (the listing keeps the true hash). */
  corrupt: Set<string>;
  /** Paths sent in small chunks with a pause between them. */
  slow: Set<string>;
  /** Paths listed without a size and served without one, as an endless stream of bytes. */
  endless: Set<string>;
  /** Answer 404 on the model info API, as a mirror that only has the tree API. */
  treeOnly: boolean;
  /** Entries per tree page. */
  treePageSize: number;
  close(): Promise<void>;
}

const repoRoot = path.join(__dirname, '..', '..', '..');

/** The tiny Llama fixture as a repository: every file a real one has, and some that must not be downloaded. */
export function tinyLlamaRepo(root = repoRoot): FakeRepo {
  const dir = path.join(root, 'test', 'fixtures', 'models', 'tiny-llama');
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  const onnx = read('onnx/model.onnx');
  const files = new Map<string, FakeFile>([
    ['.gitattributes', { content: Buffer.from('*.onnx filter=lfs diff=lfs merge=lfs -text\n'), lfs: false }],
    ['README.md', { content: Buffer.from('# tiny llama\n'), lfs: false }],
    ['config.json', { content: read('config.json'), lfs: false }],
    ['generation_config.json', { content: Buffer.from('{"bos_token_id": 50256, "eos_token_id": 50256}\n'), lfs: false }],
    ['tokenizer.json', { content: read('tokenizer.json'), lfs: true }],
    ['tokenizer_config.json', { content: read('tokenizer_config.json'), lfs: false }],
    ['model.safetensors', { content: Buffer.alloc(4096, 7), lfs: true }],
    // The fixture is float32; it stands in for every variant (the bytes differ so a mix-up shows).
    ['onnx/model.onnx', { content: onnx, lfs: true }],
    ['onnx/model_q4.onnx', { content: onnx, lfs: true }],
    ['onnx/model_quantized.onnx', { content: Buffer.concat([onnx, Buffer.from('q8')]), lfs: true }],
    ['onnx/model_fp16.onnx', { content: Buffer.alloc(2048, 16), lfs: true }],
    ['onnx/model_q4f16.onnx', { content: Buffer.alloc(1024, 41), lfs: true }],
  ]);
  return { commit: 'a'.repeat(40), files };
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function gitBlobSha1(b: Buffer): string {
  return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
}

/** Starts the hub; `repos` maps ids (`owner/name`) to repositories. */
export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const hub: FakeHub = {
    url: '',
    repos: new Map(Object.entries(repos)),
    requests: [],
    cutAfter: new Map(),
    alwaysCutAfter: new Map(),
    corrupt: new Set(),
    slow: new Set(),
    endless: new Set(),
    treeOnly: false,
    treePageSize: 1000,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const byHash = new Map<string, { repo: FakeRepo; path: string }>();
  const index = () => {
    byHash.clear();
    for (const repo of hub.repos.values()) for (const [p, f] of repo.files) if (f.lfs) byHash.set(sha256(f.content), { repo, path: p });
  };

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  /** Finds `{owner}/{name}` (or a bare name) at the start of `segments`. */
  const findRepo = (segments: string[]): { id: string; repo: FakeRepo; rest: string[] } | undefined => {
    for (const n of [2, 1]) {
      const id = segments.slice(0, n).join('/');
      const repo = hub.repos.get(id);
      if (repo) return { id, repo, rest: segments.slice(n) };
    }
    return undefined;
  };

  const serveContent = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    repoPath: string,
    content: Buffer,
    headers: http.OutgoingHttpHeaders,
  ) => {
    let body = content;
    if (hub.corrupt.has(repoPath)) {
      body = Buffer.from(content);
      body[body.length >> 1] ^= 0xff;
    }
    let start = 0;
    let end = body.length - 1;
    let status = 200;
    const range = req.headers.range;
    if (range) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m || Number(m[1]) >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
        res.end();
        return;
      }
      start = Number(m[1]);
      if (m[2]) end = Math.min(end, Number(m[2]));
      status = 206;
    }
    const slice = body.subarray(start, end + 1);
    res.writeHead(status, {
      ...headers,
      'Accept-Ranges': 'bytes',
      'Content-Length': slice.length,
      'Content-Type': 'application/octet-stream',
      ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cut = hub.cutAfter.get(repoPath) ?? hub.alwaysCutAfter.get(repoPath);
    if (cut !== undefined) {
      hub.cutAfter.delete(repoPath);
      res.write(slice.subarray(0, Math.max(0, cut - start)), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (hub.slow.has(repoPath)) {
      let at = 0;
      const step = Math.max(1024, Math.ceil(slice.length / 200));
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const next = slice.subarray(at, at + step);
        at += step;
        if (!next.length) {
          clearInterval(timer);
          res.end();
        } else res.write(next);
      }, 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.end(slice);
  };

  const server = http.createServer((req, res) => {
    hub.requests.push({ method: req.method ?? 'GET', url: req.url ?? '', range: req.headers.range });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    index();
    if (segments[0] === 'api' && segments[1] === 'models') {
      const found = findRepo(segments.slice(2));
      if (!found) return json(res, 401, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
      const [kind, revision] = found.rest;
      if (revision !== 'main' && revision !== found.repo.commit)
        return json(res, 404, { error: `Invalid rev id: ${revision}` }, { 'X-Error-Code': 'RevisionNotFound' });
      if (kind === 'revision') {
        if (hub.treeOnly) return json(res, 404, { error: 'Not Found' });
        const blobs = url.searchParams.get('blobs') === 'true';
        const siblings = [...found.repo.files].map(([p, f]) => ({
          rfilename: p,
          ...(blobs && !hub.endless.has(p) ? { size: f.content.length, blobId: gitBlobSha1(f.content) } : {}),
          ...(blobs && f.lfs && !hub.endless.has(p)
            ? { lfs: { sha256: sha256(f.content), size: f.content.length, pointerSize: 134 } }
            : {}),
        }));
        return json(res, 200, { _id: 'x', id: found.id, sha: found.repo.commit, siblings });
      }
      if (kind === 'tree') {
        const entries: object[] = [];
        const dirs = new Set<string>();
        for (const [p, f] of found.repo.files) {
          const parts = p.split('/');
          for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
          entries.push({
            type: 'file',
            oid: gitBlobSha1(f.content),
            ...(hub.endless.has(p) ? {} : { size: f.content.length }),
            path: p,
            ...(f.lfs && !hub.endless.has(p) ? { lfs: { oid: sha256(f.content), size: f.content.length, pointerSize: 134 } } : {}),
          });
        }
        for (const d of dirs) entries.push({ type: 'directory', oid: 'd'.repeat(40), size: 0, path: d });
        const cursor = Number(url.searchParams.get('cursor') ?? 0);
        const page = entries.slice(cursor, cursor + hub.treePageSize);
        const next = cursor + hub.treePageSize < entries.length ? cursor + hub.treePageSize : undefined;
        const link =
          next !== undefined
            ? { Link: `<${hub.url}/api/models/${found.id}/tree/${revision}?recursive=true&cursor=${next}>; rel="next"` }
            : {};
        return json(res, 200, page, link);
      }
      return json(res, 404, { error: 'Not Found' });
    }
    if (segments[0] === 'cdn') {
      const hit = byHash.get(segments[1] ?? '');
      if (!hit) return json(res, 404, { error: 'Not Found' });
      return serveContent(req, res, hit.path, hit.repo.files.get(hit.path)!.content, { ETag: `"${segments[1]}"` });
    }
    const found = findRepo(segments);
    if (!found || found.rest[0] !== 'resolve') return json(res, 401, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
    const revision = found.rest[1];
    const file = found.rest.slice(2).join('/');
    const entry = found.repo.files.get(file);
    if (revision !== 'main' && revision !== found.repo.commit)
      return json(res, 404, { error: 'Revision Not Found' }, { 'X-Error-Code': 'RevisionNotFound' });
    if (!entry) return json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
    const common = { 'X-Repo-Commit': found.repo.commit };
    if (hub.endless.has(file)) {
      // No length anywhere, and the bytes never stop: only the client's own bound ends it.
      res.writeHead(200, { ...common, 'Content-Type': 'application/octet-stream' });
      const block = Buffer.alloc(256 * 1024, 0x7b);
      const pump = () => {
        while (!res.destroyed && res.write(block));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    if (entry.lfs) {
      const hash = sha256(entry.content);
      res.writeHead(302, {
        ...common,
        Location: `/cdn/${hash}?response-content-disposition=attachment`,
        ETag: `"${gitBlobSha1(entry.content)}"`,
        'X-Linked-Size': entry.content.length,
        'X-Linked-Etag': `"${hash}"`,
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    serveContent(req, res, file, entry.content, { ...common, ETag: `"${gitBlobSha1(entry.content)}"` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hub;
}
