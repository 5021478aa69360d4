/**
 * Image benchmark: 16 candidates generated and PNG-encoded (goal: under 150 ms
 * for the shipped GAN), both as gallery thumbnails and at the display size.
 *
 * Uses the shipped `models/inkwell-gan` when present, else the tiny fixture
 * GAN, and says which. The reference, measured in the same run, is the naive
 * pipeline: one inference per candidate and pngjs' default PNG settings
 * (all five row filters tried, deflate level 9).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { loadImageModel } from '../src/runtime/process/handlers/image';
import { renderPng } from '../src/generation/image/render';
import { resizeImage } from '../src/generation/image/pixels';
import { candidateSeeds } from '../src/generation/image/random';

const COUNT = 16;
const SIZE = 256;
const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: first run pays for allocation and graph warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/** Runs the image benchmark and prints a table; returns the main number (ms per batch of 16). */
export async function benchImages(): Promise<number> {
  const root = path.join(__dirname, '..');
  const shipped = path.join(root, 'models', 'inkwell-gan');
  const dir = fs.existsSync(path.join(shipped, 'manifest.json')) ? shipped : path.join(root, 'test', 'fixtures', 'models', 'tiny-gan');
  const model = await loadImageModel(
    ort,
    (file) => ort.InferenceSession.create(file, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' }),
    dir,
  );
  const g = model.generator;
  const seeds = candidateSeeds(1000, COUNT);
  try {
    const inference = await time(RUNS, () => g.generate(seeds));
    // What one gallery batch costs: thumbnails at the model's own size (the webview scales them).
    const gallery = await time(RUNS, async () => {
      const images = await g.generate(seeds);
      return images.map((img) => renderPng(g, img, { size: g.manifest.imageSize, upscale: 'smooth' }));
    });
    const ours = await time(RUNS, async () => {
      const images = await g.generate(seeds);
      return images.map((img) => renderPng(g, img, { size: SIZE, upscale: 'smooth' }));
    });
    const oursNearest = await time(RUNS, async () => {
      const images = await g.generate(seeds);
      return images.map((img) => renderPng(g, img, { size: SIZE, upscale: 'nearest' }));
    });
    const reference = await time(Math.max(3, Math.floor(RUNS / 3)), async () => {
      const out: Buffer[] = [];
      for (const seed of seeds) {
        const [img] = await g.generate([seed]);
        const scaled = resizeImage(img!.image, SIZE, SIZE, 'smooth');
        const png = new PNG({ width: SIZE, height: SIZE });
        png.data = Buffer.from(scaled.data);
        out.push(PNG.sync.write(png));
      }
      return out;
    });
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `\nImages: ${COUNT} candidates, ${model.manifest.displayName} (${path.relative(root, dir)}), ${g.manifest.imageSize} px -> ${SIZE} px`,
    );
    // The load average matters on shared machines: say what else was running.
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(
      `Machine: ${cpu}, ${os.cpus().length} cores, load average ${load}, Node ${process.version}, ORT intra-op threads 1; median of ${RUNS} runs`,
    );
    const rows: [string, number][] = [
      ['inference only (batched)', inference],
      [`gallery batch: generate + PNG at ${g.manifest.imageSize} px`, gallery],
      ['generate + upscale smooth + PNG (ours)', ours],
      ['generate + upscale nearest + PNG (ours)', oursNearest],
      ['reference: one run per image, pngjs defaults', reference],
    ];
    console.log('| step | ms per batch | ms per image |');
    console.log('| --- | ---: | ---: |');
    for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / COUNT).toFixed(2)} |`);
    console.log(
      `Speed-up over the reference: ${(reference / ours).toFixed(2)}x; goal < 150 ms per batch of ${SIZE} px PNGs: ${ours < 150 ? 'met' : 'NOT met'}`,
    );
    return ours;
  } finally {
    await model.decoder.release();
  }
}

if (require.main === module) {
  benchImages().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
