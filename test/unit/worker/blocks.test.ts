// Block planning and assembly: every output element is computed exactly once whatever the split.
import * as assert from 'node:assert/strict';
import { contiguousStart, copyInto, copyRegionInto, planRegions, sharedTensor, toShared } from '../../../src/worker/blocks';
import { numel, tensor, zeros } from '../../../src/core/tensor';

describe('worker blocks', () => {
  const extents = [[1, 1, 1], [2, 3, 5], [1, 4, 7], [3, 2, 2], [1, 1, 9]] as const;

  for (const [n, c, r] of extents) {
    for (const count of [1, 2, 3, 6, 7, 24]) {
      it(`planRegions covers batch ${n} × channels ${c} × rows ${r} exactly once with ${count} blocks`, () => {
        const regions = planRegions({ batch: n, channels: c, rows: r }, count);
        assert.ok(regions.length >= Math.min(count, n * c * r), `${regions.length} blocks`);
        const hits = new Array<number>(n * c * r).fill(0);
        for (const { batch, channels, rows } of regions) {
          assert.ok(batch[0] < batch[1] && channels[0] < channels[1] && rows[0] < rows[1], 'no empty block');
          for (let b = batch[0]; b < batch[1]; b++) {
            for (let ch = channels[0]; ch < channels[1]; ch++) {
              for (let row = rows[0]; row < rows[1]; row++) hits[(b * c + ch) * r + row]! += 1;
            }
          }
        }
        assert.deepEqual(hits, new Array<number>(n * c * r).fill(1));
      });
    }
  }

  it('copyRegionInto places each block at its batch, channel and row offsets', () => {
    // Output [2, 2, 3, 2] filled with its own flat index, cut into 5 blocks; each block is
    // built from the same formula, so the reassembled output must equal the original.
    const shape = [2, 2, 3, 2];
    const whole = tensor(Array.from({ length: numel(shape) }, (_, i) => i), shape, 'float64');
    const out = zeros(shape, 'float64');
    const extent = { batch: 2, channels: 2, rows: 3 };
    for (const region of planRegions(extent, 5)) {
      const [b0, b1] = region.batch, [c0, c1] = region.channels, [r0, r1] = region.rows;
      const values: number[] = [];
      for (let b = b0; b < b1; b++) {
        for (let c = c0; c < c1; c++) {
          for (let r = r0; r < r1; r++) for (let w = 0; w < 2; w++) values.push(((b * 2 + c) * 3 + r) * 2 + w);
        }
      }
      copyRegionInto(out, tensor(values, [b1 - b0, c1 - c0, r1 - r0, 2], 'float64'), region, extent);
    }
    assert.deepEqual(out.data, whole.data);
  });

  it('copyRegionInto refuses a block of the wrong shape or dtype', () => {
    const out = zeros([1, 2, 2], 'float32');
    const extent = { batch: 1, channels: 2, rows: 2 };
    const region = { batch: [0, 1], channels: [0, 1], rows: [0, 2] } as const;
    assert.throws(() => copyRegionInto(out, zeros([1, 1, 3], 'float32'), region, extent),
      /block float32\[1, 1, 3\] does not fit float32 region batch \[0, 1\) channels \[0, 1\) rows \[0, 2\) of \[1, 2, 2\]/);
    assert.throws(() => copyRegionInto(out, zeros([1, 1, 2], 'float64'), region, extent), /does not fit/);
  });

  it('contiguousStart finds where a block is one run of the output, and only then', () => {
    const rest = 3;
    for (const [n, c, r] of extents) {
      const extent = { batch: n, channels: c, rows: r };
      for (const count of [1, 2, 3, 6, 7, 24]) {
        for (const region of [...planRegions(extent, count), ...planRegions(extent, count, true)]) {
          // The block's elements in the output, in block order, found one by one.
          const at: number[] = [];
          for (let b = region.batch[0]; b < region.batch[1]; b++) {
            for (let ch = region.channels[0]; ch < region.channels[1]; ch++) {
              for (let row = region.rows[0]; row < region.rows[1]; row++) {
                for (let e = 0; e < rest; e++) at.push(((b * c + ch) * r + row) * rest + e);
              }
            }
          }
          const contiguous = at.every((v, i) => v === (at[0] ?? 0) + i);
          assert.equal(contiguousStart(region, extent, rest), contiguous ? at[0] : undefined, JSON.stringify({ extent, region }));
        }
      }
    }
  });

  it('toShared copies onto a SharedArrayBuffer once and keeps shared tensors as they are', async () => {
    const t = tensor([1, 2, 3], [3], 'float32');
    const shared = await toShared(t);
    assert.ok(shared.data.buffer instanceof SharedArrayBuffer);
    assert.ok(shared.data instanceof Float32Array);
    assert.deepEqual([...shared.data], [1, 2, 3]);
    assert.equal(await toShared(shared), shared);
  });

  it('toShared copies a tensor larger than one chunk exactly', async () => {
    // 6 M float64 = 48 MB: twelve 4 MB chunks with event-loop turns between them.
    const data = new Float64Array(6_000_000).map((_, i) => i * 0.5);
    const shared = await toShared({ shape: [2, 3_000_000], dtype: 'float64', data });
    assert.ok(shared.data instanceof Float64Array && shared.data.buffer instanceof SharedArrayBuffer);
    assert.ok(Buffer.from(shared.data.buffer).equals(Buffer.from(data.buffer)));
  });

  it('sharedTensor views a SharedArrayBuffer as each dtype, and copyInto copies it out exactly, in chunks', async () => {
    for (const [dtype, Ctor] of [['float32', Float32Array], ['float64', Float64Array], ['int64', BigInt64Array], ['int32', Int32Array], ['bool', Uint8Array]] as const) {
      const shared = sharedTensor([2, 3], dtype, new SharedArrayBuffer(64));
      assert.ok(shared.data instanceof Ctor && shared.data.length === 6 && shared.data.buffer instanceof SharedArrayBuffer, dtype);
    }
    // 3 M float32 over a 12 MB buffer: three chunks.
    const from = sharedTensor([3_000_000], 'float32', new SharedArrayBuffer(12_000_000));
    from.data.forEach((_, i) => { from.data[i] = i - 7.5; });
    const to = zeros([3_000_000], 'float32');
    await copyInto(to, from);
    assert.ok(Buffer.from(to.data.buffer).equals(Buffer.from(from.data.buffer)));
    await assert.rejects(copyInto(zeros([2], 'float32'), from), /cannot copy float32\[3000000\] into float32\[2\]/);
  });
});
