/**
 * Conversions between model tensors and 8-bit RGBA pixels, and resizing.
 */
import type { ImageChannels, ImageLayout, ImageOutputSpec, ImageValueRange } from './manifest';

/** An 8-bit RGBA image, rows top to bottom, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** How an image is scaled to another size: blocky pixels or bilinear smoothing. */
export type UpscaleMode = 'nearest' | 'smooth';

/** What the tensor side of a conversion looks like. */
export interface TensorFormat {
  layout: ImageLayout;
  channels: ImageChannels;
  range: ImageValueRange;
}

function toByte(value: number, range: ImageValueRange): number {
  const unit = range === 'tanh' ? (value + 1) / 2 : value;
  // NaN (a broken model) becomes black rather than poisoning the PNG.
  if (!(unit > 0)) return 0;
  if (unit >= 1) return 255;
  return Math.round(unit * 255);
}

/**
 * Splits a batch output tensor into RGBA images. `dims` are the tensor's
 * actual dimensions; they must agree with the manifest's layout and channels.
 */
export function tensorToImages(data: ArrayLike<number>, dims: readonly number[], spec: ImageOutputSpec): RgbaImage[] {
  if (dims.length !== 4)
    throw new Error(
      `Output "${spec.name}" has ${dims.length} dimensions ${JSON.stringify(dims)}; an image batch needs 4 (${spec.layout}).`,
    );
  const [n, a, b, c] = dims as [number, number, number, number];
  const [channels, height, width] = spec.layout === 'NCHW' ? [a, b, c] : [c, a, b];
  if (channels !== spec.channels) {
    throw new Error(
      `Output "${spec.name}" has shape ${JSON.stringify(dims)}: ${channels} channels in ${spec.layout} order, but the manifest says ${spec.channels}. Check output.layout and output.channels.`,
    );
  }
  const plane = width * height;
  const images: RgbaImage[] = [];
  for (let k = 0; k < n; k++) {
    const base = k * plane * channels;
    const out = new Uint8Array(plane * 4);
    for (let p = 0; p < plane; p++) {
      const at = (ch: number) => (spec.layout === 'NCHW' ? base + ch * plane + p : base + p * channels + ch);
      const o = p * 4;
      if (channels === 1) {
        const v = toByte(data[at(0)]!, spec.range);
        out[o] = out[o + 1] = out[o + 2] = v;
        out[o + 3] = 255;
      } else {
        out[o] = toByte(data[at(0)]!, spec.range);
        out[o + 1] = toByte(data[at(1)]!, spec.range);
        out[o + 2] = toByte(data[at(2)]!, spec.range);
        out[o + 3] = channels === 4 ? toByte(data[at(3)]!, spec.range) : 255;
      }
    }
    images.push({ width, height, data: out });
  }
  return images;
}

/**
 * Packs images (already at the model's size) into one batch tensor, the
 * inverse of {@link tensorToImages}. Gray uses Rec. 601 luma; RGB drops alpha.
 */
export function imagesToTensor(images: readonly RgbaImage[], format: TensorFormat): { data: Float32Array; dims: number[] } {
  const first = images[0];
  if (!first) throw new Error('No images to encode.');
  const { width, height } = first;
  const plane = width * height;
  const { channels, layout, range } = format;
  const data = new Float32Array(images.length * plane * channels);
  const scale = (byte: number) => (range === 'tanh' ? (byte / 255) * 2 - 1 : byte / 255);
  images.forEach((img, k) => {
    if (img.width !== width || img.height !== height) throw new Error('Images in one batch must have the same size.');
    const base = k * plane * channels;
    for (let p = 0; p < plane; p++) {
      const i = p * 4;
      const values =
        channels === 1
          ? [0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!]
          : channels === 3
            ? [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!]
            : [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, img.data[i + 3]!];
      for (let ch = 0; ch < channels; ch++) {
        const at = layout === 'NCHW' ? base + ch * plane + p : base + p * channels + ch;
        data[at] = scale(values[ch]!);
      }
    }
  });
  return { data, dims: layout === 'NCHW' ? [images.length, channels, height, width] : [images.length, height, width, channels] };
}

/** The largest centred square of an image (models take square images; squashing would distort). */
export function cropToSquare(img: RgbaImage): RgbaImage {
  if (img.width === img.height) return img;
  const side = Math.min(img.width, img.height);
  const left = Math.floor((img.width - side) / 2);
  const top = Math.floor((img.height - side) / 2);
  const out = new Uint8Array(side * side * 4);
  for (let y = 0; y < side; y++) {
    const from = ((top + y) * img.width + left) * 4;
    out.set(img.data.subarray(from, from + side * 4), y * side * 4);
  }
  return { width: side, height: side, data: out };
}

/**
 * Resizes to `width` x `height`. `nearest` repeats pixels (crisp pixel art);
 * `smooth` interpolates bilinearly when enlarging and averages boxes when
 * shrinking. Colour is interpolated premultiplied by alpha so transparent
 * pixels do not bleed dark fringes into their neighbours.
 */
export function resizeImage(img: RgbaImage, width: number, height: number, mode: UpscaleMode): RgbaImage {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`Cannot resize to ${width}x${height}.`);
  }
  if (width === img.width && height === img.height) return { width, height, data: img.data.slice() };
  if (mode === 'nearest') return resizeNearest(img, width, height);
  if (width >= img.width && height >= img.height) return resizeBilinear(img, width, height);
  return resizeBox(img, width, height);
}

function resizeNearest(img: RgbaImage, width: number, height: number): RgbaImage {
  const out = new Uint8Array(width * height * 4);
  const src = new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width));
      dst[y * width + x] = src[sy * img.width + sx]!;
    }
  }
  return { width, height, data: out };
}

/** Source image as premultiplied float RGBA, so interpolation respects alpha. */
function premultiplied(img: RgbaImage): Float32Array {
  const f = new Float32Array(img.data.length);
  for (let i = 0; i < img.data.length; i += 4) {
    const a = img.data[i + 3]! / 255;
    f[i] = img.data[i]! * a;
    f[i + 1] = img.data[i + 1]! * a;
    f[i + 2] = img.data[i + 2]! * a;
    f[i + 3] = img.data[i + 3]!;
  }
  return f;
}

function writeUnpremultiplied(out: Uint8Array, o: number, r: number, g: number, b: number, a: number): void {
  const inv = a > 0 ? 255 / a : 0;
  out[o] = Math.min(255, Math.round(r * inv));
  out[o + 1] = Math.min(255, Math.round(g * inv));
  out[o + 2] = Math.min(255, Math.round(b * inv));
  out[o + 3] = Math.min(255, Math.round(a));
}

/** Bilinear, separable: a horizontal pass over source rows, then a vertical pass (cheap enough for 16 x 256 px per batch). */
function resizeBilinear(img: RgbaImage, width: number, height: number): RgbaImage {
  const src = premultiplied(img);
  const sw = img.width;
  const sh = img.height;
  const taps = (target: number, source: number) => {
    const i0 = new Int32Array(target);
    const i1 = new Int32Array(target);
    const w = new Float32Array(target);
    for (let t = 0; t < target; t++) {
      const f = Math.min(source - 1, Math.max(0, ((t + 0.5) * source) / target - 0.5));
      i0[t] = Math.floor(f);
      i1[t] = Math.min(source - 1, i0[t]! + 1);
      w[t] = f - i0[t]!;
    }
    return { i0, i1, w };
  };
  const h = taps(width, sw);
  const rows = new Float32Array(sh * width * 4);
  for (let y = 0; y < sh; y++) {
    const srcRow = y * sw * 4;
    const dstRow = y * width * 4;
    for (let x = 0; x < width; x++) {
      const a = srcRow + h.i0[x]! * 4;
      const b = srcRow + h.i1[x]! * 4;
      const wb = h.w[x]!;
      const wa = 1 - wb;
      const o = dstRow + x * 4;
      rows[o] = src[a]! * wa + src[b]! * wb;
      rows[o + 1] = src[a + 1]! * wa + src[b + 1]! * wb;
      rows[o + 2] = src[a + 2]! * wa + src[b + 2]! * wb;
      rows[o + 3] = src[a + 3]! * wa + src[b + 3]! * wb;
    }
  }
  const v = taps(height, sh);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const r0 = v.i0[y]! * width * 4;
    const r1 = v.i1[y]! * width * 4;
    const wb = v.w[y]!;
    const wa = 1 - wb;
    const o0 = y * width * 4;
    for (let i = 0; i < width * 4; i += 4) {
      const alpha = rows[r0 + i + 3]! * wa + rows[r1 + i + 3]! * wb;
      const inv = alpha > 0 ? 255 / alpha : 0;
      const o = o0 + i;
      // Uint8Array stores clamp-free, so clamp before rounding; +0.5 then truncation rounds.
      out[o] = Math.min(255, (rows[r0 + i]! * wa + rows[r1 + i]! * wb) * inv + 0.5);
      out[o + 1] = Math.min(255, (rows[r0 + i + 1]! * wa + rows[r1 + i + 1]! * wb) * inv + 0.5);
      out[o + 2] = Math.min(255, (rows[r0 + i + 2]! * wa + rows[r1 + i + 2]! * wb) * inv + 0.5);
      out[o + 3] = Math.min(255, alpha + 0.5);
    }
  }
  return { width, height, data: out };
}

/** Area average: each target pixel is the mean of the source pixels it covers (fractionally weighted). */
function resizeBox(img: RgbaImage, width: number, height: number): RgbaImage {
  const src = premultiplied(img);
  const out = new Uint8Array(width * height * 4);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const top = y * sy;
    const bottom = top + sy;
    for (let x = 0; x < width; x++) {
      const left = x * sx;
      const right = left + sx;
      let r = 0,
        g = 0,
        b = 0,
        a = 0,
        total = 0;
      for (let yy = Math.floor(top); yy < Math.min(img.height, Math.ceil(bottom)); yy++) {
        const wy = Math.min(bottom, yy + 1) - Math.max(top, yy);
        for (let xx = Math.floor(left); xx < Math.min(img.width, Math.ceil(right)); xx++) {
          const w = wy * (Math.min(right, xx + 1) - Math.max(left, xx));
          const i = (yy * img.width + xx) * 4;
          r += src[i]! * w;
          g += src[i + 1]! * w;
          b += src[i + 2]! * w;
          a += src[i + 3]! * w;
          total += w;
        }
      }
      writeUnpremultiplied(out, (y * width + x) * 4, r / total, g / total, b / total, a / total);
    }
  }
  return { width, height, data: out };
}
