import * as assert from 'assert';
import { blendSteps, lerpLatent, perturbLatent, slerpLatent } from '../../../src/generation/image/latentMath';
import { candidateSeeds, gaussian, mulberry32, seededLatent } from '../../../src/generation/image/random';

describe('seeded latents', () => {
  it('mulberry32 gives the published sequence for seed 0', () => {
    const next = mulberry32(0);
    // First outputs of the reference mulberry32 implementation (a = 0).
    const first = [next(), next(), next()].map((x) => Math.round(x * 4294967296));
    assert.deepStrictEqual(first, [1144304738, 1416247, 958946056]);
  });

  it('the same seed gives the same latent; another seed a different one', () => {
    assert.deepStrictEqual(seededLatent(1234, 64), seededLatent(1234, 64));
    assert.notDeepStrictEqual(seededLatent(1234, 64), seededLatent(1235, 64));
  });

  it('latents are standard normal', () => {
    const z = seededLatent(7, 20000);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
    assert.ok(z.every(Number.isFinite));
    const g = gaussian(0);
    for (let i = 0; i < 1000; i++) assert.ok(Number.isFinite(g()));
  });

  it('candidate seeds count up from the base and wrap at 2^32', () => {
    assert.deepStrictEqual(candidateSeeds(10, 3), [10, 11, 12]);
    assert.deepStrictEqual(candidateSeeds(0xffffffff, 2), [0xffffffff, 0]);
  });
});

describe('latent math', () => {
  const a = Float32Array.from([1, 0, 0, 0]);
  const b = Float32Array.from([0, 1, 0, 0]);

  it('interpolations start and end at their parents', () => {
    for (const f of [lerpLatent, slerpLatent]) {
      assert.deepStrictEqual(
        Array.from(f(a, b, 0)).map((x) => Math.round(x * 1e6) / 1e6),
        [1, 0, 0, 0],
      );
      assert.deepStrictEqual(
        Array.from(f(a, b, 1)).map((x) => Math.round(x * 1e6) / 1e6),
        [0, 1, 0, 0],
      );
    }
  });

  it('slerp keeps the norm where lerp shrinks it', () => {
    const norm = (v: Float32Array) => Math.hypot(...v);
    assert.ok(Math.abs(norm(slerpLatent(a, b, 0.5)) - 1) < 1e-6);
    assert.ok(norm(lerpLatent(a, b, 0.5)) < 0.75);
  });

  it('refuses latents of different sizes', () => {
    assert.throws(() => slerpLatent(a, Float32Array.from([1]), 0.5), /differ in size/);
  });

  it('perturbation is seeded, scaled by strength and by the posterior spread', () => {
    const z = seededLatent(3, 32);
    assert.deepStrictEqual(perturbLatent(z, 5, 0.5), perturbLatent(z, 5, 0.5));
    assert.deepStrictEqual(perturbLatent(z, 5, 0), z);
    const far = perturbLatent(z, 5, 1);
    const near = perturbLatent(z, 5, 1, new Float32Array(32).fill(Math.log(0.01)));
    const dist = (u: Float32Array) => Math.hypot(...u.map((x, i) => x - z[i]!));
    assert.ok(Math.abs(dist(near) - dist(far) * 0.1) < 1e-4, 'sigma 0.1 moves a tenth as far');
  });

  it('blend steps lie strictly between the parents', () => {
    assert.deepStrictEqual(blendSteps(3), [0.25, 0.5, 0.75]);
  });
});
