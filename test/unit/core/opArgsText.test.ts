import * as assert from 'node:assert/strict';
import { formatOpArgs, OpArgsSyntaxError, parseOpArgs } from '../../../src/core/opArgsText';

describe('parseOpArgs (the keyword arguments typed in the run command)', () => {
  it('reads every keyword in Python syntax', () => {
    assert.deepEqual(
      parseOpArgs("stride=2, padding=(1, 0), dilation=[1,2], groups=4, output_padding=1, padding_mode='reflect', output_size=(5, 5)"),
      { stride: 2, padding: [1, 0], dilation: [1, 2], groups: 4, outputPadding: 1, paddingMode: 'reflect', outputSize: [5, 5] },
    );
  });

  it('reads an empty text as no arguments, and string paddings', () => {
    assert.deepEqual(parseOpArgs('  '), {});
    assert.deepEqual(parseOpArgs('padding="same"'), { padding: 'same' });
    assert.deepEqual(parseOpArgs("padding='valid',"), { padding: 'valid' });
  });

  it('keeps negative numbers for the core to reject with PyTorch\'s message', () => {
    assert.deepEqual(parseOpArgs('padding=-1'), { padding: -1 });
  });

  it('keeps the largest exact integers', () => {
    assert.deepEqual(parseOpArgs('stride=9007199254740991, padding=(-9007199254740991, 0)'), { stride: 9007199254740991, padding: [-9007199254740991, 0] });
  });

  const errors: Array<[string, string]> = [
    // PyTorch 1.13: nn.Conv2d(1, 1, 2, strides=2) raises "Conv2d.__init__() got an unexpected keyword argument 'strides'".
    ['strides=2', "got an unexpected keyword argument 'strides'; expected one of stride, padding, dilation, groups, output_padding, padding_mode, output_size (column 1)"],
    // Names every object has as inherited properties are no arguments either.
    ['__proto__=1', "got an unexpected keyword argument '__proto__'; expected one of stride, padding, dilation, groups, output_padding, padding_mode, output_size (column 1)"],
    ['stride=1, constructor=2', "got an unexpected keyword argument 'constructor'; expected one of stride, padding, dilation, groups, output_padding, padding_mode, output_size (column 11)"],
    ['toString=1', "got an unexpected keyword argument 'toString'; expected one of stride, padding, dilation, groups, output_padding, padding_mode, output_size (column 1)"],
    ['hasOwnProperty=1', "got an unexpected keyword argument 'hasOwnProperty'; expected one of stride, padding, dilation, groups, output_padding, padding_mode, output_size (column 1)"],
    // PyTorch 1.13: F.conv2d(x, w, stride=99999999999999999999) raises "Overflow when unpacking long";
    // 2**63 is the first int it cannot unpack, -2**63 - 1 the first below.
    ['stride=99999999999999999999', 'stride: Overflow when unpacking long (99999999999999999999 does not fit in 64 bits) (column 8)'],
    ['padding=(1, 9223372036854775808)', 'padding: Overflow when unpacking long (9223372036854775808 does not fit in 64 bits) (column 13)'],
    ['dilation=-9223372036854775809', 'dilation: Overflow when unpacking long (-9223372036854775809 does not fit in 64 bits) (column 10)'],
    // Within int64 but not exact as a double: 2**53 and 2**53 + 1 would both read as 2**53.
    ['groups=9007199254740992', 'groups: 9007199254740992 is out of the range Conv Lab computes exactly (±9007199254740991) (column 8)'],
    ['output_size=[4, -9007199254740993]', 'output_size: -9007199254740993 is out of the range Conv Lab computes exactly (±9007199254740991) (column 17)'],
    // PyTorch reads output_size in Python, where ints do not overflow: it refuses the size as out of range.
    ['output_size=(99999999999999999999, 5)', 'output_size: 99999999999999999999 is out of the range Conv Lab computes exactly (±9007199254740991) (column 14)'],
    ['stride=2, stride=3', 'keyword argument repeated: stride (column 11)'],
    ['stride 2', "expected '=' but found '2' (column 8)"],
    ['stride=(1, x)', "expected an integer but found 'x' (column 12)"],
    ['stride=(1 2)', "expected ',' or ')' but found '2' (column 11)"],
    ["groups=(1, 2)", 'groups must be an integer, got [1,2] (column 8)'],
    ["padding='full'", `padding must be an integer, a tuple of integers, 'same' or 'valid', got "full" (column 9)`],
    ["padding_mode='mirror'", `padding_mode must be 'zeros', 'reflect', 'replicate', 'circular', got "mirror" (column 14)`],
    ["padding_mode='zeros", 'unterminated string (column 14)'],
    ['stride=2 padding=1', "expected ',' but found 'p' (column 10)"],
  ];
  for (const [text, message] of errors) {
    it(`rejects ${JSON.stringify(text)} naming the column`, () => {
      assert.throws(() => parseOpArgs(text), (e: unknown) => e instanceof OpArgsSyntaxError && e.message === message);
    });
  }
});

describe('formatOpArgs (the arguments as the log and the prompts show them)', () => {
  it('writes Python keyword syntax that parseOpArgs reads back', () => {
    const args = { stride: 2, padding: [1, 0], dilation: [3], groups: 4, outputPadding: 1, paddingMode: 'reflect' as const, outputSize: [5, 5] };
    const text = formatOpArgs(args);
    assert.equal(text, "stride=2, padding=(1, 0), dilation=(3,), groups=4, output_padding=1, padding_mode='reflect', output_size=(5, 5)");
    assert.deepEqual(parseOpArgs(text), args);
  });

  it('writes nothing for no arguments and keeps string paddings quoted', () => {
    assert.equal(formatOpArgs({}), '');
    assert.equal(formatOpArgs({ padding: 'same' }), "padding='same'");
  });
});
