import * as assert from 'assert';
import {
  checkRepoId,
  checkRevision,
  DEFAULT_HUB_ENDPOINT,
  HubInputError,
  resolveHubEndpoint,
  resolveUrl,
  revisionApiUrl,
  treeApiUrl,
} from '../../../src/core/hub/endpoint';
import { nextPageUrl, parseRevisionListing, parseTreePage, sha256FromEtag, type HubFile } from '../../../src/core/hub/listing';
import { modelFolderName } from '../../../src/core/hub/downloadManifest';
import { DTYPES, planDownload, SelectionError, type Dtype } from '../../../src/core/hub/select';

const sha = (c: string) => c.repeat(64);
const f = (path: string, size = 100, hash?: string): HubFile => ({ path, size, sha256: hash });
const aux = [
  f('config.json'),
  f('tokenizer.json', 2000, sha('1')),
  f('tokenizer_config.json'),
  f('special_tokens_map.json'),
  f('generation_config.json'),
];
const noise = [
  f('README.md'),
  f('.gitattributes'),
  f('model.safetensors', 9e8),
  f('onnx/encoder_model.onnx'),
  f('merges.txt'),
  f('vocab.json'),
];

/** A transformers.js v3 repository with every variant; the fp32 and q4 graphs have external data. */
const modern: HubFile[] = [
  ...aux,
  ...noise,
  f('onnx/model.onnx', 1000, sha('a')),
  f('onnx/model.onnx_data', 5000, sha('b')),
  f('onnx/model.onnx_data_1', 3000, sha('c')),
  f('onnx/model_fp16.onnx', 500),
  f('onnx/model_fp16.onnx_data', 2500),
  f('onnx/model_quantized.onnx', 300),
  f('onnx/model_int8.onnx', 300),
  f('onnx/model_uint8.onnx', 300),
  f('onnx/model_q4.onnx', 200, sha('d')),
  f('onnx/model_q4.onnx_data', 900, sha('e')),
  f('onnx/model_q4f16.onnx', 150),
  f('onnx/model_bnb4.onnx', 220),
];

const targets = (dtype: Dtype | 'auto', files = modern) => planDownload(files, dtype).files.map((p) => `${p.path} -> ${p.target}`);

describe('hub: choosing the files of a model', () => {
  it('takes the config and tokenizer files and exactly the chosen variant with its external data', () => {
    assert.deepStrictEqual(targets('fp32'), [
      'config.json -> config.json',
      'tokenizer.json -> tokenizer.json',
      'generation_config.json -> generation_config.json',
      'tokenizer_config.json -> tokenizer_config.json',
      'special_tokens_map.json -> special_tokens_map.json',
      'onnx/model.onnx -> onnx/model.onnx',
      'onnx/model.onnx_data -> onnx/model.onnx_data',
      'onnx/model.onnx_data_1 -> onnx/model.onnx_data_1',
    ]);
    // Every file keeps the hub's name, so the folder loads in transformers.js as it is.
    assert.deepStrictEqual(targets('q4').slice(5), [
      'onnx/model_q4.onnx -> onnx/model_q4.onnx',
      'onnx/model_q4.onnx_data -> onnx/model_q4.onnx_data',
    ]);
    assert.deepStrictEqual(targets('fp16').slice(5), [
      'onnx/model_fp16.onnx -> onnx/model_fp16.onnx',
      'onnx/model_fp16.onnx_data -> onnx/model_fp16.onnx_data',
    ]);
    const suffixes: Record<Dtype, string> = {
      fp32: '',
      fp16: '_fp16',
      q8: '_quantized',
      int8: '_int8',
      uint8: '_uint8',
      q4: '_q4',
      q4f16: '_q4f16',
      bnb4: '_bnb4',
    };
    for (const d of DTYPES) assert.strictEqual(planDownload(modern, d).files[5].path, `onnx/model${suffixes[d]}.onnx`, d);
  });

  it('sums the sizes, keeps the hashes and never takes anything else', () => {
    const plan = planDownload(modern, 'q4');
    assert.strictEqual(plan.totalBytes, 100 + 2000 + 100 + 100 + 100 + 200 + 900);
    assert.strictEqual(plan.files.find((p) => p.path === 'onnx/model_q4.onnx')?.sha256, sha('d'));
    for (const p of plan.files) assert.ok(!noise.some((n) => n.path === p.path), p.path);
    assert.strictEqual(
      planDownload(
        modern.map((x) => (x.path === 'config.json' ? { path: x.path } : x)),
        'q4',
      ).totalBytes,
      undefined,
    );
  });

  it('auto picks the fastest CPU variant the repository has and says so, never a float16 one', () => {
    const without = (...names: string[]) => modern.filter((x) => !names.some((n) => x.path.startsWith(`onnx/model${n}.onnx`)));
    assert.strictEqual(planDownload(modern, 'auto').dtype, 'q4');
    assert.match(planDownload(modern, 'auto').notes[0], /Chose q4/);
    assert.strictEqual(planDownload(without('_q4'), 'auto').dtype, 'q8');
    assert.strictEqual(planDownload(without('_q4', '_quantized'), 'auto').dtype, 'int8');
    assert.strictEqual(planDownload(without('_q4', '_quantized', '_int8'), 'auto').dtype, 'uint8');
    assert.strictEqual(planDownload(without('_q4', '_quantized', '_int8', '_uint8', '_bnb4'), 'auto').dtype, 'fp32');
    const gpuOnly = [...aux, f('onnx/model_fp16.onnx'), f('onnx/model_q4f16.onnx')];
    assert.throws(
      () => planDownload(gpuOnly, 'auto'),
      (e: Error) => e instanceof SelectionError && /only variants made for GPUs \(fp16, q4f16\)/.test(e.message),
    );
    // Asked for by name, a GPU variant is downloaded with a note.
    assert.match(planDownload(gpuOnly, 'fp16').notes.join(' '), /made for GPUs/);
  });

  it('downloads older Optimum layouts: a merged decoder, or a decoder and decoder-with-past pair', () => {
    const merged = [
      ...aux,
      f('onnx/decoder_model_merged.onnx'),
      f('onnx/decoder_model_merged_quantized.onnx'),
      f('onnx/decoder_model.onnx'),
      f('onnx/decoder_with_past_model.onnx'),
    ];
    assert.deepStrictEqual(targets('auto', merged).slice(5), [
      'onnx/decoder_model_merged_quantized.onnx -> onnx/decoder_model_merged_quantized.onnx',
    ]);
    assert.deepStrictEqual(targets('fp32', merged).slice(5), ['onnx/decoder_model_merged.onnx -> onnx/decoder_model_merged.onnx']);
    const split = [
      ...aux,
      f('decoder_model.onnx'),
      f('decoder_model.onnx_data'),
      f('decoder_with_past_model.onnx'),
      f('decoder_with_past_model.onnx_data'),
      f('decoder_model_quantized.onnx'),
      f('decoder_with_past_model_quantized.onnx'),
    ];
    assert.deepStrictEqual(targets('fp32', split).slice(5), [
      'decoder_model.onnx -> decoder_model.onnx',
      'decoder_with_past_model.onnx -> decoder_with_past_model.onnx',
      'decoder_model.onnx_data -> decoder_model.onnx_data',
      'decoder_with_past_model.onnx_data -> decoder_with_past_model.onnx_data',
    ]);
    const q8 = planDownload(split, 'auto');
    assert.strictEqual(q8.dtype, 'q8');
    assert.strictEqual(q8.layout, 'split');
    assert.deepStrictEqual(
      q8.files.slice(5).map((p) => p.path),
      ['decoder_model_quantized.onnx', 'decoder_with_past_model_quantized.onnx'],
    );
    // The current layout wins over an older one of the same variant.
    assert.strictEqual(planDownload([...merged, f('onnx/model.onnx')], 'fp32').files[5].path, 'onnx/model.onnx');
  });

  it('explains a repository that lacks the variant, a tokenizer or any decoder', () => {
    assert.throws(
      () =>
        planDownload(
          modern.filter((x) => !x.path.includes('_int8')),
          'int8',
        ),
      /no int8 variant\. It has fp32, fp16, q8, uint8, q4, q4f16, bnb4\./,
    );
    assert.throws(
      () =>
        planDownload(
          modern.filter((x) => x.path !== 'tokenizer.json'),
          'q4',
        ),
      /no tokenizer\.json/,
    );
    assert.throws(
      () => planDownload([...aux, f('onnx/encoder_model.onnx'), f('model.safetensors')], 'auto'),
      /no ONNX decoder Inkwell can run/,
    );
  });

  it('names the model folder after the repository and variant', () => {
    assert.strictEqual(modelFolderName('HuggingFaceTB/SmolLM2-135M-Instruct', 'q4'), 'SmolLM2-135M-Instruct-q4');
    assert.strictEqual(modelFolderName('distilgpt2', 'fp32'), 'distilgpt2-fp32');
  });
});

describe('hub: listings', () => {
  it('reads model info siblings (lfs.sha256) and tree entries (lfs.oid), skipping unsafe paths and folders', () => {
    const info = parseRevisionListing({
      sha: 'f'.repeat(40),
      siblings: [
        { rfilename: 'config.json', size: 10, blobId: 'x' },
        { rfilename: 'onnx/model.onnx', size: 99, lfs: { sha256: 'A'.repeat(64), size: 1234, pointerSize: 134 } },
        { rfilename: '../escape.onnx' },
        { rfilename: 'onnx//x' },
      ],
    });
    assert.deepStrictEqual(info, {
      commit: 'f'.repeat(40),
      files: [
        { path: 'config.json', size: 10, sha256: undefined },
        { path: 'onnx/model.onnx', size: 1234, sha256: 'a'.repeat(64) },
      ],
    });
    const tree = parseTreePage([
      { type: 'directory', path: 'onnx', oid: 'd', size: 0 },
      { type: 'file', path: 'onnx/model.onnx', oid: 'e'.repeat(40), size: 134, lfs: { oid: 'b'.repeat(64), size: 5000, pointerSize: 134 } },
      { type: 'file', path: 'config.json', oid: 'e'.repeat(40), size: 7 },
    ]);
    assert.deepStrictEqual(tree, [
      { path: 'onnx/model.onnx', size: 5000, sha256: 'b'.repeat(64) },
      { path: 'config.json', size: 7, sha256: undefined },
    ]);
    assert.throws(() => parseRevisionListing({ id: 'x' }), /siblings/);
  });

  it('follows Link rel="next" and reads SHA-256 ETags', () => {
    assert.strictEqual(
      nextPageUrl('<https://hub.example/api/models/a/b/tree/main?cursor=xyz>; rel="next"', 'https://hub.example/'),
      'https://hub.example/api/models/a/b/tree/main?cursor=xyz',
    );
    assert.strictEqual(
      nextPageUrl('</api/x?cursor=2>; rel="next", </api/x?cursor=0>; rel="prev"', 'http://127.0.0.1:9/api/x'),
      'http://127.0.0.1:9/api/x?cursor=2',
    );
    assert.strictEqual(nextPageUrl(undefined, 'http://h/'), undefined);
    assert.strictEqual(sha256FromEtag(`"${'C'.repeat(64)}"`), 'c'.repeat(64));
    assert.strictEqual(sha256FromEtag(`W/"${'c'.repeat(64)}"`), 'c'.repeat(64));
    assert.strictEqual(sha256FromEtag(`"${'c'.repeat(40)}"`), undefined);
  });
});

describe('hub: endpoint and URLs', () => {
  it('a setting (or option) wins over HF_ENDPOINT, which wins over the public hub', () => {
    const env = { HF_ENDPOINT: 'https://mirror.example/' };
    assert.deepStrictEqual(resolveHubEndpoint({ explicit: 'http://127.0.0.1:8080/hf/', env }), {
      url: 'http://127.0.0.1:8080/hf',
      source: 'setting',
    });
    assert.deepStrictEqual(resolveHubEndpoint({ explicit: '  ', env }), { url: 'https://mirror.example', source: 'HF_ENDPOINT' });
    assert.deepStrictEqual(resolveHubEndpoint({ explicit: 'https://x.example', explicitSource: 'option', env }), {
      url: 'https://x.example',
      source: 'option',
    });
    assert.deepStrictEqual(resolveHubEndpoint({ env: {} }), { url: DEFAULT_HUB_ENDPOINT, source: 'default' });
    assert.throws(() => resolveHubEndpoint({ explicit: 'ftp://x' }), HubInputError);
    assert.throws(() => resolveHubEndpoint({ env: { HF_ENDPOINT: 'not a url' } }), /not a URL/);
  });

  it('builds the hub URLs with the revision and path segments encoded', () => {
    const e = 'https://hub.example/prefix';
    assert.strictEqual(
      resolveUrl(e, 'org/m', 'refs/pr/1', 'onnx/model q4.onnx'),
      'https://hub.example/prefix/org/m/resolve/refs%2Fpr%2F1/onnx/model%20q4.onnx',
    );
    assert.strictEqual(revisionApiUrl(e, 'org/m', 'main'), 'https://hub.example/prefix/api/models/org/m/revision/main?blobs=true');
    assert.strictEqual(treeApiUrl(e, 'gpt2', 'v1.0'), 'https://hub.example/prefix/api/models/gpt2/tree/v1.0?recursive=true');
  });

  it('accepts repository ids and revisions the hub accepts, nothing that could leave a URL path or folder', () => {
    for (const ok of ['HuggingFaceTB/SmolLM2-135M-Instruct', 'distilgpt2', 'onnx-community/Qwen2.5-0.5B-Instruct', 'a_b/c.d'])
      assert.strictEqual(checkRepoId(` ${ok} `), ok);
    for (const bad of ['', 'a/b/c', '../x', 'a/..', 'a/b?c', 'a/b#c', 'a b/c', '-a/b', 'a--b/c', 'a/b.', 'a\\b'])
      assert.throws(() => checkRepoId(bad), HubInputError, bad);
    assert.strictEqual(checkRevision(undefined), 'main');
    assert.strictEqual(checkRevision('refs/pr/3'), 'refs/pr/3');
    for (const bad of ['..', 'a/../b', 'x\ny', 'a\\b']) assert.throws(() => checkRevision(bad), HubInputError, bad);
  });
});
