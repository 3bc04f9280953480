// `conv-lab sizes` as users run it (dist/cli.js): the text and JSON answers, an input the model
// rejects (PyTorch's message first, then the accepted sizes and the nearest ones), and the usage
// errors (exit 2, one line, no stack trace). Expected sizes are worked out by hand in the comments
// and agree with scripts/golden/gen_input_sizes.py's PyTorch sweep.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from '../helpers';
import { assertUsageError, subcommand } from './subcommand';

const unet = fixturePath('python', 'summary', 'unet_small.py');
const pair = fixturePath('python', 'sizes', 'd2l_conv_tconv.py');

const convLab = subcommand('sizes');

describe('conv-lab sizes', function () {
  this.timeout(60_000);

  it('prints the accepted and restored sizes of a U-Net as rules, alike on H and W', () => {
    // Two 2×2 max pools and two ×2 transposed convs whose outputs are concatenated with the skips: H ≡ 0 (mod 4), H ≥ 4.
    const run = convLab(unet, '--max', '64');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^model, input \(1, 3, 64, 64\): sizes 1\.\.64 swept per spatial axis$/m);
    assert.match(run.stdout, /^H, W \(each alike; rules in H\) \(the other axes fixed at 64\):$/m);
    assert.match(run.stdout, /^ {2}accepted: H ≥ 4 and H ≡ 0 \(mod 4\) {2}\(multiples of 4 from 4\)$/m);
    assert.match(run.stdout, /^ {2}restored \(output size = input size\): H ≥ 4 and H ≡ 0 \(mod 4\)/m);
    assert.match(run.stdout, /nothing is claimed past 64\.$/m);
  });

  it('prints JSON with the sets, the rule and a chart status per size', () => {
    // The seed's cell 92: conv k5 p2 s3 then its transpose give 3·((H - 1)//3) + 1, H again iff H ≡ 1 (mod 3).
    const run = convLab(pair, '--max', '12', '--json');
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as { model: string; input: number[]; max: number; alike: boolean; axes: { axis: string; fixed: number[]; accepted: { rule: string; members: number[]; unknown: number[] }; restored: { rule: string; members: number[]; periodic: unknown }; chart: string[] }[] };
    assert.equal(answer.model, 'pair');
    assert.deepEqual(answer.input, [1, 10, 16, 16]);
    assert.equal(answer.alike, true);
    assert.deepEqual(answer.axes.map((a) => a.axis), ['H', 'W']);
    assert.equal(answer.axes[0]?.accepted.rule, 'every H');
    assert.deepEqual(answer.axes[0]?.restored.members, [1, 4, 7, 10]);
    assert.deepEqual(answer.axes[0]?.restored.periodic, { threshold: 1, period: 3, residues: [1] });
    assert.deepEqual(answer.axes[0]?.chart.slice(0, 4), ['restored', 'accepted', 'accepted', 'restored']);
  });

  it('says why an input the model rejects fails, and the accepted sizes nearest it', () => {
    // 100×150 through the U-Net: W 150 pools to 75 then 37, whose ×2 transposed conv gives 74 against the skip's 75 (H 100 → 50 → 25 → 50 → 100 passes).
    const run = convLab(unet, '--input-size', '1,3,100,150', '--max', '160');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^the input \(1, 3, 100, 150\): RuntimeError: Sizes of tensors must match except in dimension 1\. Expected size 74 but got size 75 for tensor number 1 in the list\.; fails for this 100×150 input; accepted sizes \(each axis with the others at 8\): multiples of 4 from 4; nearest: W 148 or 152$/m);
    // The other axes are held at 8×8, the smallest square surely accepted: at 4×4 the bottleneck's
    // BatchNorm gets one value per channel (torch 1.13 raises in training mode, runs in eval mode).
    assert.match(run.stdout, /the other axes fixed at 8\)/);
    // 150 grows to 152 (W's nearest accepted size above it); 100×152 is accepted as a whole too
    // (torch 1.13 runs model(F.pad(x, (0, 2, 0, 0))) to 1×2×100×152, and raises this very message without the pad).
    assert.match(run.stdout, /^ {2}padded to 100×152 it runs: F\.pad\(x, \(0, 2, 0, 0\)\)$/m);
  });

  it('calls a size unknown where PyTorch\'s answer depends on training mode, which is not followed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-sizes-'));
    const file = path.join(dir, 'batch_norm.py');
    // Conv2d(1, 4, 3) then BatchNorm2d(4) on 1×1×3×W: W = 3 leaves one value per channel, which torch 1.13
    // refuses in training mode ("Expected more than 1 value per channel when training") and runs in eval mode.
    fs.writeFileSync(file, 'import torch\nfrom torch import nn\nmodel = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))\ny = model(torch.zeros(1, 1, 3, 8))\n');
    const run = convLab(file, '--max', '6');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^W \(the other axes fixed at 3\):\n {2}accepted: W ∈ \{4–6\}; not known: 3$/m);
  });

  it('refuses bad arguments and files it cannot answer for, naming the problem', () => {
    assertUsageError(convLab(unet, '--max', '0'), /--max must be between 1 and 4096; got 0/);
    assertUsageError(convLab(unet, '--max', 'lots'), /--max expects integers, got 'lots'/);
    assertUsageError(convLab(unet, '--input-size', '1,3'), /the input \(1, 3\) has no spatial dimension/);
    assertUsageError(convLab(unet, '--model', 'Missing'), /--model Missing: not a class defined at the top level of the file nor a top-level variable it calls/);
    assertUsageError(convLab(fixturePath('python', 'realworld', 'valid', 'gan_pix2pix.py')), /conv-lab sizes needs --model NAME here: several models: generator, discriminator/);
    assertUsageError(convLab(fixturePath('python', 'summary', 'nope.py')), /cannot read .*nope\.py: ENOENT/);
    const none = convLab();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^conv-lab: expected one FILE\.py or FILE\.ipynb, got 0\nusage: conv-lab sizes FILE/);
  });

  it('refuses when no size is surely accepted, saying why the file\'s own input is not known', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-sizes-'));
    const file = path.join(dir, 'unknown_layer.py');
    // `mystery` is not a module Conv Lab can read: what `block` does to any size is not known.
    fs.writeFileSync(file, 'import torch\nfrom torch import nn\nfrom mystery import block\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return block(x)\n\nmodel = Net()\ny = model(torch.zeros(1, 3, 8, 8))\n');
    assertUsageError(convLab(file, '--max', '4'), /no input size of 1\.\.4 on every spatial axis at once is surely accepted \(the input 8×8 is not known: the model's output is not known\)/);
  });
});
