// WebAssembly SIMD (f32x4) float32 kernels of the fast path. src/core/kernels/fast.ts lays out
// the memory (a per-thread arena it grows and reuses) and calls these; it documents the tables.
//
// Every output element is the float32 sum, in one fixed order (input channel, then kernel taps in
// dim order), of the products that feed it, plus the bias once at the end. Each step is `madd`:
// the product rounded then added in the plain SIMD build, one fused multiply-add (rounded once)
// in the relaxed-SIMD build (esbuild.js compiles this file both ways; fast.ts picks one). The order depends only on the element's position in the output, never on the
// region a call computes or on the SIMD lane it lands in, so any split of an op gives the same
// bits, and the GEMM and the depthwise kernel agree.
//
// An "axis" table describes one spatial dim of one class of output coordinates (see fast.ts):
//   i32 nOut, i32 nK, i32 outX[nOut], i32 outOut[nOut], i32 kX[nK], i32 kW[nK]
// where an element's padded-input offset is the sum of its coordinates' outX and its taps' kX,
// its output offset the sum of the outOut, its weight offset the sum of the kW.

/** Rows of a packed weight panel; columns of a packed input panel. */
const MR: i32 = 4;
const NR: i32 = 8;

/** Where the arena may start: above AssemblyScript's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * s + a·b per lane, the kernels' one accumulation step. relaxed_madd is fused where the CPU has
 * FMA (every x86-64 since 2013, every arm64) and a product then a sum elsewhere: either way the
 * same on every thread of a machine, so splits of an op still agree bit for bit.
 */
function madd(a: v128, b: v128, s: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, s);
  return f32x4.add(s, f32x4.mul(a, b));
}

function at(table: usize, i: i32): i32 {
  return load<i32>(table + (<usize>i << 2));
}
function nOut(axis: usize): i32 {
  return load<i32>(axis);
}
function nK(axis: usize): i32 {
  return load<i32>(axis, 4);
}
function outX(axis: usize): usize {
  return axis + 8;
}
function outOut(axis: usize): usize {
  return axis + 8 + (<usize>nOut(axis) << 2);
}
function kX(axis: usize): usize {
  return axis + 8 + (<usize>nOut(axis) << 3);
}
function kW(axis: usize): usize {
  return kX(axis) + (<usize>nK(axis) << 2);
}

/**
 * Copies `planes` input planes (in0 × in1 × in2) into padded planes (p0 × p1 × p2): padded
 * coordinate c of dim d reads input coordinate map_d[c], or zero where that is −1. Along the last
 * dim, padded lo2 .. lo2+in2−1 are the input row itself (map2[c] = c − lo2), copied as a block.
 */
export function padInput(
  dst: usize, src: usize, planes: i32, in0: i32, in1: i32, in2: i32,
  p0: i32, p1: i32, p2: i32, map0: usize, map1: usize, map2: usize, lo2: i32,
): void {
  const inVolume = in0 * in1 * in2;
  const rowBytes = <usize>p2 << 2;
  for (let plane = 0; plane < planes; plane++) {
    const s = src + (<usize>(plane * inVolume) << 2);
    for (let a = 0; a < p0; a++) {
      const i0 = at(map0, a);
      for (let b = 0; b < p1; b++) {
        const i1 = at(map1, b);
        if (i0 < 0 || i1 < 0) {
          memory.fill(dst, 0, rowBytes);
        } else {
          const row = s + (<usize>((i0 * in1 + i1) * in2) << 2);
          for (let c = 0; c < lo2; c++) {
            const i2 = at(map2, c);
            store<f32>(dst + (<usize>c << 2), i2 < 0 ? <f32>0 : load<f32>(row + (<usize>i2 << 2)));
          }
          memory.copy(dst + (<usize>lo2 << 2), row, <usize>in2 << 2);
          for (let c = lo2 + in2; c < p2; c++) {
            const i2 = at(map2, c);
            store<f32>(dst + (<usize>c << 2), i2 < 0 ? <f32>0 : load<f32>(row + (<usize>i2 << 2)));
          }
        }
        dst += rowBytes;
      }
    }
  }
}

/**
 * One group's slice of a transposed convolution's weight, [ipg, count, kVolume] (`count` output
 * channels), as [kVolume, ipg, width] (width ≥ count): the rows one output class reads are then
 * a few contiguous blocks, where in PyTorch's layout they are kVolume apart (with large kernels
 * every read was a cache miss). `scratch` holds 16 · count floats.
 */
export function transposeWeights(dst: usize, src: usize, ipg: i32, count: i32, kVolume: i32, width: i32, scratch: usize): void {
  // Tiles of 16 taps × every output channel: the tile's source rows (kVolume apart, so often
  // in one cache set) are first copied to `scratch` whole, then written out a destination row
  // of `count` neighbouring values at a time.
  for (let i = 0; i < ipg; i++) {
    const from = src + (<usize>(i * count * kVolume) << 2);
    for (let k0 = 0; k0 < kVolume; k0 += 16) {
      const taps = min(16, kVolume - k0);
      for (let o = 0; o < count; o++) {
        memory.copy(scratch + (<usize>(o * 16) << 2), from + (<usize>(o * kVolume + k0) << 2), <usize>taps << 2);
      }
      for (let t = 0; t < taps; t++) {
        const to = dst + (<usize>(((k0 + t) * ipg + i) * width) << 2);
        for (let o = 0; o < count; o++) {
          store<f32>(to + (<usize>o << 2), load<f32>(scratch + (<usize>(o * 16 + t) << 2)));
        }
      }
    }
  }
}

/**
 * One class of output coordinates of one group as a GEMM: C[M × N] = A[M × K] · B[K × N] with
 * M the group's output channels in the region, K = icCount × the class's taps (rows in the order
 * ic, k0, k1, k2), N = nB batch entries × the class's output coordinates. A is packed from the
 * weight, B gathered from the padded input (im2col), both into panels; the result plus bias is
 * scattered into `out`. Offsets are in elements; `scratch` holds the tables and panels (fast.ts
 * sizes it). With `samePanels` the caller vouches that the previous call packed the same input
 * panels (same rows and columns of the same padded input, all in one chunk): they are reused.
 */
export function convGemm(
  out: usize, xp: usize, w: usize, bias: usize, hasBias: bool, scratch: usize,
  M: i32, wBase: i32, ocWStride: i32, outBase: i32, ocOutStride: i32, biasBase: i32,
  icCount: i32, xBase: i32, icXStride: i32, icWStride: i32,
  nB: i32, bXStride: i32, bOutStride: i32,
  axis0: usize, axis1: usize, axis2: usize, chunk: i32, samePanels: bool,
): void {
  const n0 = nOut(axis0), n1 = nOut(axis1), n2 = nOut(axis2);
  const k0 = nK(axis0), k1 = nK(axis1), k2 = nK(axis2);
  const K = icCount * k0 * k1 * k2;
  const N = nB * n0 * n1 * n2;
  if (M == 0 || N == 0) return;
  const rowX = scratch;
  const rowW = rowX + (<usize>K << 2);
  const colX = rowW + (<usize>K << 2);
  const colOut = colX + (<usize>N << 2);
  const panelsM = (M + MR - 1) / MR;
  const ap = (colOut + (<usize>N << 2) + 63) & ~<usize>63;
  const bp = ap + (<usize>(panelsM * MR * K) << 2);
  const tile = bp + (<usize>(chunk * K) << 2);

  let r = 0;
  for (let ic = 0; ic < icCount; ic++) {
    for (let a = 0; a < k0; a++) {
      for (let b = 0; b < k1; b++) {
        const x01 = xBase + ic * icXStride + at(kX(axis0), a) + at(kX(axis1), b);
        const w01 = ic * icWStride + at(kW(axis0), a) + at(kW(axis1), b);
        for (let c = 0; c < k2; c++) {
          store<i32>(rowX + (<usize>r << 2), x01 + at(kX(axis2), c));
          store<i32>(rowW + (<usize>r << 2), w01 + at(kW(axis2), c));
          r++;
        }
      }
    }
  }
  let j = 0;
  for (let bb = 0; bb < nB; bb++) {
    for (let a = 0; a < n0; a++) {
      for (let b = 0; b < n1; b++) {
        const x01 = bb * bXStride + at(outX(axis0), a) + at(outX(axis1), b);
        const o01 = outBase + bb * bOutStride + at(outOut(axis0), a) + at(outOut(axis1), b);
        for (let c = 0; c < n2; c++) {
          store<i32>(colX + (<usize>j << 2), x01 + at(outX(axis2), c));
          store<i32>(colOut + (<usize>j << 2), o01 + at(outOut(axis2), c));
          j++;
        }
      }
    }
  }
  packWeights(ap, w, M, K, wBase, ocWStride, rowW);
  for (let j0 = 0; j0 < N; j0 += chunk) {
    const jn = min(chunk, N - j0);
    const panelsN = (jn + NR - 1) / NR;
    for (let q = 0; q < panelsN && !samePanels; q++) {
      packColumns(bp + (<usize>(q * K * NR) << 2), xp, K, rowX, colX, j0 + q * NR, min(NR, jn - q * NR));
    }
    for (let p = 0; p < panelsM; p++) {
      const apPanel = ap + (<usize>(p * K * MR) << 2);
      const rows = min(MR, M - p * MR);
      for (let q = 0; q < panelsN; q++) {
        microKernel(apPanel, bp + (<usize>(q * K * NR) << 2), K, tile);
        const first = j0 + q * NR;
        const cols = min(NR, N - first);
        // Columns that are 8 neighbouring outputs (most convolutions) are stored as two vectors.
        const o0 = at(colOut, first);
        let contiguous = cols == NR;
        for (let jj = 1; jj < NR && contiguous; jj++) contiguous = at(colOut, first + jj) == o0 + jj;
        for (let i = 0; i < rows; i++) {
          const m = p * MR + i;
          const outChannel = out + (<usize>(m * ocOutStride) << 2);
          const bv = hasBias ? load<f32>(bias + (<usize>(biasBase + m) << 2)) : <f32>0;
          if (contiguous) {
            const o = outChannel + (<usize>o0 << 2);
            const lo = v128.load(tile + (<usize>(i * NR) << 2));
            const hi = v128.load(tile + (<usize>(i * NR) << 2), 16);
            const b4 = f32x4.splat(bv);
            v128.store(o, hasBias ? f32x4.add(lo, b4) : lo);
            v128.store(o, hasBias ? f32x4.add(hi, b4) : hi, 16);
            continue;
          }
          for (let jj = 0; jj < cols; jj++) {
            const v = load<f32>(tile + (<usize>(i * NR + jj) << 2));
            store<f32>(outChannel + (<usize>at(colOut, first + jj) << 2), hasBias ? v + bv : v);
          }
        }
      }
    }
  }
}

/** Weight rows m of the GEMM, MR at a time, k-major within a panel; rows past M are zeros. */
function packWeights(ap: usize, w: usize, M: i32, K: i32, wBase: i32, ocWStride: i32, rowW: usize): void {
  const panels = (M + MR - 1) / MR;
  for (let p = 0; p < panels; p++) {
    for (let i = 0; i < MR; i++) {
      const m = p * MR + i;
      let dst = ap + (<usize>(p * K * MR + i) << 2);
      if (m >= M) {
        for (let r = 0; r < K; r++) {
          store<f32>(dst, 0);
          dst += MR << 2;
        }
        continue;
      }
      const src = w + (<usize>(wBase + m * ocWStride) << 2);
      for (let r = 0; r < K; r++) {
        store<f32>(dst, load<f32>(src + (<usize>at(rowW, r) << 2)));
        dst += MR << 2;
      }
    }
  }
}

/** Columns first .. first+cols−1 of the im2col matrix as one k-major panel of NR (zeros past cols). */
function packColumns(dst: usize, xp: usize, K: i32, rowX: usize, colX: usize, first: i32, cols: i32): void {
  if (cols == NR) {
    // Neighbouring output columns reading input elements 1 or 2 apart (stride-1 or stride-2
    // convolutions): each row of the panel is 8 loaded, or 16 loaded and every other one kept.
    const c0 = at(colX, first);
    const step = at(colX, first + 1) - c0;
    let regular = step == 1 || step == 2;
    for (let jj = 2; jj < NR; jj++) regular = regular && at(colX, first + jj) == c0 + jj * step;
    if (regular) {
      const base = xp + (<usize>c0 << 2);
      if (step == 1) {
        for (let r = 0; r < K; r++) {
          const src = base + (<usize>at(rowX, r) << 2);
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          dst += NR << 2;
        }
      } else {
        for (let r = 0; r < K; r++) {
          const src = base + (<usize>at(rowX, r) << 2);
          // 15 elements are read (the last column's is the 15th): the 16th may lie past the
          // padded input, so the last load starts one element early and keeps lanes 1 and 3.
          v128.store(dst, v128.shuffle<f32>(v128.load(src), v128.load(src, 16), 0, 2, 4, 6));
          v128.store(dst, v128.shuffle<f32>(v128.load(src, 32), v128.load(src, 44), 0, 2, 5, 7), 16);
          dst += NR << 2;
        }
      }
      return;
    }
  }
  for (let jj = 0; jj < NR; jj++) {
    let d = dst + (<usize>jj << 2);
    if (jj >= cols) {
      for (let r = 0; r < K; r++) {
        store<f32>(d, 0);
        d += NR << 2;
      }
      continue;
    }
    const base = xp + (<usize>at(colX, first + jj) << 2);
    for (let r = 0; r < K; r++) {
      store<f32>(d, load<f32>(base + (<usize>at(rowX, r) << 2)));
      d += NR << 2;
    }
  }
}

/** tile[MR × NR] = Σ_k a[k][0..MR) ⊗ b[k][0..NR), k in order, one madd per step. */
function microKernel(a: usize, b: usize, K: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    a += MR << 2;
    b += NR << 2;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
}

/**
 * Depthwise-style convolution (one input channel per output channel, stride 1 along the last
 * dim): direct loops, f32x4 over neighbouring outputs of the last dim. Same arguments and sums as
 * convGemm with icCount 1 (taps in k0, k1, k2 order), so the two agree bit for bit.
 */
export function depthwise(
  out: usize, xp: usize, w: usize, bias: usize, hasBias: bool, scratch: usize,
  M: i32, wBase: i32, ocWStride: i32, outBase: i32, ocOutStride: i32, biasBase: i32,
  xBase: i32, nB: i32, bXStride: i32, bOutStride: i32,
  axis0: usize, axis1: usize, axis2: usize,
): void {
  const n0 = nOut(axis0), n1 = nOut(axis1), n2 = nOut(axis2);
  const k0 = nK(axis0), k1 = nK(axis1), k2 = nK(axis2);
  const T = k0 * k1 * k2;
  if (M == 0 || n0 * n1 * n2 * nB == 0) return;
  const tapX = scratch;
  const tapW = tapX + (<usize>T << 2);
  let t = 0;
  for (let a = 0; a < k0; a++) {
    for (let b = 0; b < k1; b++) {
      for (let c = 0; c < k2; c++) {
        store<i32>(tapX + (<usize>t << 2), at(kX(axis0), a) + at(kX(axis1), b) + at(kX(axis2), c));
        store<i32>(tapW + (<usize>t << 2), at(kW(axis0), a) + at(kW(axis1), b) + at(kW(axis2), c));
        t++;
      }
    }
  }
  const x2 = at(outX(axis2), 0);
  const o2 = at(outOut(axis2), 0);
  for (let bb = 0; bb < nB; bb++) {
    for (let m = 0; m < M; m++) {
      const wm = w + (<usize>(wBase + m * ocWStride) << 2);
      const bv = hasBias ? load<f32>(bias + (<usize>(biasBase + m) << 2)) : <f32>0;
      for (let a = 0; a < n0; a++) {
        for (let b = 0; b < n1; b++) {
          const xRow = xp + (<usize>(xBase + bb * bXStride + at(outX(axis0), a) + at(outX(axis1), b) + x2) << 2);
          const oRow = out + (<usize>(outBase + bb * bOutStride + m * ocOutStride + at(outOut(axis0), a) + at(outOut(axis1), b) + o2) << 2);
          depthwiseRow(xRow, oRow, wm, n2, T, tapX, tapW, hasBias, bv);
        }
      }
    }
  }
}

function depthwiseRow(
  xRow: usize, oRow: usize, wm: usize, n: i32, T: i32, tapX: usize, tapW: usize, hasBias: bool, bv: f32,
): void {
  const bias4 = f32x4.splat(bv);
  let c = 0;
  // 32 outputs a step: each output's sum is a chain of T dependent multiply-adds, and eight
  // independent chains keep both SIMD pipes busy through their latency (four left them half idle).
  for (; c + 32 <= n; c += 32) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
    const xc = xRow + (<usize>c << 2);
    for (let t = 0; t < T; t++) {
      const wv = v128.load32_splat(wm + (<usize>at(tapW, t) << 2));
      const xt = xc + (<usize>at(tapX, t) << 2);
      s0 = madd(wv, v128.load(xt), s0);
      s1 = madd(wv, v128.load(xt, 16), s1);
      s2 = madd(wv, v128.load(xt, 32), s2);
      s3 = madd(wv, v128.load(xt, 48), s3);
      s4 = madd(wv, v128.load(xt, 64), s4);
      s5 = madd(wv, v128.load(xt, 80), s5);
      s6 = madd(wv, v128.load(xt, 96), s6);
      s7 = madd(wv, v128.load(xt, 112), s7);
    }
    const oc = oRow + (<usize>c << 2);
    v128.store(oc, hasBias ? f32x4.add(s0, bias4) : s0);
    v128.store(oc, hasBias ? f32x4.add(s1, bias4) : s1, 16);
    v128.store(oc, hasBias ? f32x4.add(s2, bias4) : s2, 32);
    v128.store(oc, hasBias ? f32x4.add(s3, bias4) : s3, 48);
    v128.store(oc, hasBias ? f32x4.add(s4, bias4) : s4, 64);
    v128.store(oc, hasBias ? f32x4.add(s5, bias4) : s5, 80);
    v128.store(oc, hasBias ? f32x4.add(s6, bias4) : s6, 96);
    v128.store(oc, hasBias ? f32x4.add(s7, bias4) : s7, 112);
  }
  for (; c + 16 <= n; c += 16) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    const xc = xRow + (<usize>c << 2);
    for (let t = 0; t < T; t++) {
      const wv = v128.load32_splat(wm + (<usize>at(tapW, t) << 2));
      const xt = xc + (<usize>at(tapX, t) << 2);
      s0 = madd(wv, v128.load(xt), s0);
      s1 = madd(wv, v128.load(xt, 16), s1);
      s2 = madd(wv, v128.load(xt, 32), s2);
      s3 = madd(wv, v128.load(xt, 48), s3);
    }
    const oc = oRow + (<usize>c << 2);
    v128.store(oc, hasBias ? f32x4.add(s0, bias4) : s0);
    v128.store(oc, hasBias ? f32x4.add(s1, bias4) : s1, 16);
    v128.store(oc, hasBias ? f32x4.add(s2, bias4) : s2, 32);
    v128.store(oc, hasBias ? f32x4.add(s3, bias4) : s3, 48);
  }
  for (; c + 4 <= n; c += 4) {
    let s = f32x4.splat(0);
    const xc = xRow + (<usize>c << 2);
    for (let t = 0; t < T; t++) {
      s = madd(v128.load32_splat(wm + (<usize>at(tapW, t) << 2)), v128.load(xc + (<usize>at(tapX, t) << 2)), s);
    }
    v128.store(oRow + (<usize>c << 2), hasBias ? f32x4.add(s, bias4) : s);
  }
  // The last columns one at a time, in lane 0, so they take the same madd as the others.
  for (; c < n; c++) {
    let s = f32x4.splat(0);
    const xc = xRow + (<usize>c << 2);
    for (let t = 0; t < T; t++) {
      s = madd(v128.load32_splat(wm + (<usize>at(tapW, t) << 2)), v128.load32_splat(xc + (<usize>at(tapX, t) << 2)), s);
    }
    const v = f32x4.extract_lane(s, 0);
    store<f32>(oRow + (<usize>c << 2), hasBias ? v + bv : v);
  }
}

