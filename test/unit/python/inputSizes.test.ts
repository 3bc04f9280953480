// The input-size solver's engine on probes written by hand (what each size gives is worked out in
// the comments), its rule text, and the solver on real files through the analysis (unet_small.py,
// conv_autoencoder.py, the seed's cell 92): sizes, rules, budget refusal, unknowns.
import * as assert from 'node:assert/strict';
import { nearestAccepted, padToAccepted, ruleHolds, SizeSweepError, sizeChart, sizeRule, solveInputSizes, type SizeProbe } from '../../../src/python/features/inputSizes';
import { solveFixture } from './sizesFixture';

/** Membership of 1..n by a predicate. */
function members(n: number, test: (v: number) => boolean | undefined): (boolean | undefined)[] {
  return Array.from({ length: n }, (_, i) => test(i + 1));
}

describe('input-size rules', () => {
  it('states multiples of 16 from 16 as a periodic rule, checked on 1..256', () => {
    const rule = sizeRule('H', members(256, (v) => v % 16 === 0));
    assert.equal(rule.text, 'H ≥ 16 and H ≡ 0 (mod 16)');
    assert.equal(rule.words, 'multiples of 16 from 16');
    assert.deepEqual(rule.periodic, { threshold: 16, period: 16, residues: [0] });
    assert.equal(rule.max, 256);
    assert.equal(rule.members.length, 16);
  });

  it('states a threshold alone, every size, a residue other than 0, and several residues', () => {
    assert.equal(sizeRule('W', members(100, (v) => v >= 25)).text, 'W ≥ 25');
    assert.equal(sizeRule('W', members(100, (v) => v >= 25)).words, 'every size from 25');
    assert.equal(sizeRule('H', members(100, () => true)).text, 'every H');
    // The seed's cell 92: H ≡ 1 (mod 3) from 1.
    assert.equal(sizeRule('H', members(256, (v) => v % 3 === 1)).text, 'H ≡ 1 (mod 3)');
    assert.equal(sizeRule('H', members(256, (v) => v % 3 === 1)).words, 'sizes ≡ 1 (mod 3) from 1');
    assert.equal(sizeRule('H', members(256, (v) => v >= 8 && v % 4 !== 1)).text, 'H ≥ 8 and H mod 4 ∈ {0, 2, 3}');
  });

  it('lists the set when no rule fits, or when the sweep is too short for two periods past the threshold', () => {
    // Accepted only in 33..64 (a flattened size a Linear layer fixes): no periodic rule.
    assert.equal(sizeRule('H', members(80, (v) => v >= 33 && v <= 64)).text, 'H ∈ {33–64}');
    // Multiples of 256 on 1..256: one member, no two periods to check a rule on.
    assert.equal(sizeRule('H', members(256, (v) => v === 256)).text, 'H ∈ {256}');
    assert.equal(sizeRule('H', members(10, () => false)).text, 'no size of 1..10');
  });

  it('states no rule while some size is not known, and names those sizes', () => {
    const rule = sizeRule('H', members(12, (v) => (v === 5 || v === 6 ? undefined : v % 2 === 0)));
    assert.equal(rule.text, 'H ∈ {2, 4, 8, 10, 12}; not known: 5–6');
    assert.equal(rule.periodic, undefined);
    assert.deepEqual(rule.unknown, [5, 6]);
  });

  it('checks a rule against every size', () => {
    const sizes = members(64, (v) => v % 4 === 0);
    assert.equal(ruleHolds({ threshold: 4, period: 4, residues: [0] }, sizes), true);
    assert.equal(ruleHolds({ threshold: 8, period: 4, residues: [0] }, sizes), false);
  });

  it('finds the nearest accepted sizes below and above', () => {
    const rule = sizeRule('H', members(256, (v) => v % 16 === 0));
    assert.deepEqual(nearestAccepted(rule, 100), { below: 96, above: 112 });
    assert.deepEqual(nearestAccepted(rule, 8), { below: undefined, above: 16 });
  });
});

describe('input-size sweep', () => {
  // A model of two stride-2 pools then two ×2 upsamplings concatenated with the skips, worked out
  // by hand: H accepted iff H ≥ 4 and H ≡ 0 (mod 4); W any size ≥ 1; the output is the input's size.
  const unetLike: SizeProbe = ([h, w]) => ((h as number) >= 4 && (h as number) % 4 === 0 && (w as number) >= 1
    ? { verdict: 'accepted', output: [h as number, w as number] }
    : { verdict: 'rejected', message: 'RuntimeError: Sizes of tensors must match' });

  it('sweeps each axis with the others at the given size, and says whether they are alike', async () => {
    const solved = await solveInputSizes(unetLike, [64, 64], { max: 32, budgetMs: 10_000 });
    assert.deepEqual(solved.axes.map((a) => [a.name, a.accepted.text, a.restored.text]), [['H', 'H ≥ 4 and H ≡ 0 (mod 4)', 'H ≥ 4 and H ≡ 0 (mod 4)'], ['W', 'every W', 'every W']]);
    assert.deepEqual(solved.axes[0]?.fixed, [64, 64]);
    assert.equal(solved.alike, false);
    assert.equal(solved.axes[0]?.points[4]?.message, 'RuntimeError: Sizes of tensors must match');
  });

  it('holds the other axes at the smallest size accepted on all of them when the given one fails', async () => {
    const solved = await solveInputSizes(unetLike, [10, 10], { max: 32, budgetMs: 10_000 });
    assert.deepEqual(solved.axes[1]?.fixed, [4, 4]);
  });

  it('pads a rejected input to the nearest accepted sizes only when the padded input itself is accepted', async () => {
    // 10×7: H grows to 12 (the next multiple of 4), W 7 is accepted as it is; F.pad lists W first.
    const solved = await solveInputSizes(unetLike, [10, 7], { max: 32, budgetMs: 10_000 });
    assert.deepEqual(padToAccepted(unetLike, [10, 7], solved), { spatial: [12, 7], pads: [0, 0, 0, 2] });
    // Accepted when both sizes are even and one of them is 2: with the other axis at 2 every even size
    // passes, but 3×5 grown to 4×6 does not, so no padding is offered.
    const coupled: SizeProbe = ([h, w]) => ((h as number) % 2 === 0 && (w as number) % 2 === 0 && (h === 2 || w === 2) ? { verdict: 'accepted', output: [h as number, w as number] } : { verdict: 'rejected', message: 'no' });
    const coupledSizes = await solveInputSizes(coupled, [3, 5], { max: 16, budgetMs: 10_000 });
    assert.deepEqual(coupledSizes.axes[0]?.fixed, [2, 2]);
    assert.equal(padToAccepted(coupled, [3, 5], coupledSizes), undefined);
  });

  it('keeps sizes the probe is not sure of unknown, and charts them so', async () => {
    const probe: SizeProbe = ([h]) => ((h as number) > 20 ? { verdict: 'unknown', message: 'a branch' } : { verdict: 'accepted', output: [1] });
    const solved = await solveInputSizes(probe, [8], { max: 24, budgetMs: 10_000 });
    assert.deepEqual(solved.axes[0]?.accepted.unknown, [21, 22, 23, 24]);
    assert.deepEqual(solved.axes[0]?.accepted.members, Array.from({ length: 20 }, (_, i) => i + 1));
    // Output size 1: only L = 1 comes back unchanged.
    assert.deepEqual(sizeChart(solved.axes[0] as never).status.slice(0, 2), ['restored', 'accepted']);
    assert.equal(sizeChart(solved.axes[0] as never).status[23], 'unknown');
  });

  it('refuses past its time budget, and when no size is surely accepted', async () => {
    let clock = 0;
    const slow: SizeProbe = () => {
      clock += 100;
      return { verdict: 'accepted', output: undefined };
    };
    await assert.rejects(solveInputSizes(slow, [8, 8], { max: 256, budgetMs: 1_000, now: () => clock }), (e: unknown) => e instanceof SizeSweepError && /took longer than its budget of 1 s; try a smaller --max/.test(e.message));
    await assert.rejects(solveInputSizes(() => ({ verdict: 'unknown', message: 'a call Conv Lab does not follow' }), [8], { max: 4, budgetMs: 10_000 }),
      (e: unknown) => e instanceof SizeSweepError && /the input 8 is not known: a call Conv Lab does not follow/.test(e.message));
  });
});

describe('input-size solver on files', function () {
  this.timeout(60_000);

  it('the seed\'s cell 92: every size is accepted, and tconv(conv(X)) has X\'s size exactly when H ≡ 1 (mod 3)', async () => {
    // conv k5 p2 s3: (H + 4 - 5)//3 + 1; tconv k5 p2 s3 back: 3·((H - 1)//3) + 1, which is H iff H ≡ 1 (mod 3); 16 = 3·5 + 1.
    const solved = await solveFixture('sizes/d2l_conv_tconv.py', 'pair', [1, 10, 16, 16], 64);
    assert.equal(solved.alike, true);
    assert.equal(solved.axes[0]?.accepted.text, 'every H');
    assert.equal(solved.axes[0]?.restored.text, 'H ≡ 1 (mod 3)');
  });

  it('the small U-Net: multiples of 4 from 4, restored alike', async () => {
    // Two 2×2 max pools (H → H//2 → H//4, at least 1) and two ×2 transposed convs concatenated with
    // the skips: 2·(H//4) must be H//2 and 2·(H//2) must be H, so H ≡ 0 (mod 4), H ≥ 4.
    const solved = await solveFixture('summary/unet_small.py', 'model', [1, 3, 64, 64], 64);
    assert.equal(solved.axes[1]?.accepted.text, 'W ≥ 4 and W ≡ 0 (mod 4)');
    assert.equal(solved.axes[1]?.restored.text, 'W ≥ 4 and W ≡ 0 (mod 4)');
    assert.match(solved.axes[0]?.points[4]?.message ?? '', /^RuntimeError: Sizes of tensors must match except in dimension 1/);
  });

  it('LeNet-5 (an nn.Sequential called directly): only the sizes its Linear(400) takes, with PyTorch\'s message for the others', async () => {
    // conv k5 p2 keeps H; pool → H//2; conv k5 → H//2 - 4; pool → (H//2 - 4)//2, which must be 5: H ∈ 28..31.
    const solved = await solveFixture('summary/lenet5.py', 'model', [4, 1, 28, 28], 40);
    assert.equal(solved.axes[0]?.accepted.text, 'H ∈ {28–31}');
    assert.equal(solved.axes[0]?.points[0]?.message, 'RuntimeError: Given input size: (6x1x28). Calculated output size: (6x0x14). Output size is too small');
  });
});
