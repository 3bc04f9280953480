// The Parameters view's fields read as values (numbers, tuples of numbers, same / valid), never
// as Python: what the webview sends the host is structured arguments.
import * as assert from 'node:assert/strict';
import { FIELDS, fieldValue, type Field } from '../../../src/webview/parameters';

function field(keyword: string): Field {
  const found = FIELDS.find((f) => f.keyword === keyword);
  assert.ok(found, keyword);
  return found;
}

describe('the Parameters view: field values', () => {
  it('reads an integer, a tuple (with or without brackets, a trailing comma for one value), same / valid, and empty as the default', () => {
    assert.equal(fieldValue(field('stride'), ' 2 '), 2);
    assert.deepEqual(fieldValue(field('stride'), '2, 1'), [2, 1]);
    assert.deepEqual(fieldValue(field('dilation'), '(2, 1)'), [2, 1]);
    assert.deepEqual(fieldValue(field('output_padding'), '[1, 0]'), [1, 0]);
    assert.deepEqual(fieldValue(field('stride'), '3,'), [3]);
    assert.equal(fieldValue(field('padding'), 'same'), 'same');
    assert.equal(fieldValue(field('padding'), "'valid'"), 'valid');
    assert.equal(fieldValue(field('groups'), ''), undefined);
    // Non-integers and negatives pass: PyTorch's own errors name them when the op is planned.
    assert.equal(fieldValue(field('stride'), '1.5'), 1.5);
    assert.equal(fieldValue(field('padding'), '-1'), -1);
  });

  it('refuses anything else with the field and what it takes', () => {
    for (const [keyword, text] of [['stride', 'same'], ['stride', 'two'], ['stride', '2;1'], ['groups', '2, 1'], ['padding', '__proto__'],
      ['stride', 'stride=2'], ['dilation', '1e400'], ['stride', '9'.repeat(20)], ['stride', new Array(9).fill('1').join(', ')], ['padding', 'full']] as const) {
      assert.throws(() => fieldValue(field(keyword), text), new RegExp(`^Error: ${keyword}: `), `${keyword}: ${text}`);
    }
  });
});
