// The request/response endpoint over a real MessageChannel: replies reach the right request,
// errors keep their identity across the boundary, listed buffers are moved, not copied.
import * as assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { TorchError } from '../../../src/core/errors';
import { RemoteError } from '../../../src/protocol/errors';
import { RpcEndpoint, type Envelope, type RequestHandler } from '../../../src/protocol/rpc';

type Ask = { type: 'double'; values: Float64Array } | { type: 'fail'; torch: boolean } | { type: 'slow'; ms: number };
type Answer = { type: 'doubled'; values: Float64Array } | { type: 'done'; ms: number };

function endpointOn<TOut, TIn>(port: MessagePort, handler?: RequestHandler<TIn, TOut>, transfer?: (r: TOut) => ArrayBuffer[]) {
  const endpoint = new RpcEndpoint<TOut, TIn>((envelope, list) => port.postMessage(envelope, list), handler, transfer);
  port.on('message', (envelope: Envelope<TIn>) => endpoint.handleMessage(envelope));
  return endpoint;
}

async function answer(ask: Ask): Promise<Answer> {
  switch (ask.type) {
    case 'double': return { type: 'doubled', values: ask.values.map((v) => 2 * v) };
    case 'fail':
      if (ask.torch) throw new TorchError('RuntimeError', 'expected input[1, 1, 2, 2] to have 2 channels', 'channel-mismatch');
      throw new RangeError('not a PyTorch error');
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, ask.ms));
      return { type: 'done', ms: ask.ms };
  }
}

describe('protocol: RpcEndpoint', () => {
  let channel: MessageChannel;
  let asker: RpcEndpoint<Ask, Answer>;

  beforeEach(() => {
    channel = new MessageChannel();
    asker = endpointOn<Ask, Answer>(channel.port1);
    endpointOn<Answer, Ask>(channel.port2, answer, (r) => (r.type === 'doubled' ? [r.values.buffer as ArrayBuffer] : []));
  });
  afterEach(() => {
    channel.port1.close();
    channel.port2.close();
  });

  it('matches each reply to its request when replies come back out of order', async () => {
    const [slow, fast] = await Promise.all([asker.request({ type: 'slow', ms: 30 }), asker.request({ type: 'slow', ms: 1 })]);
    assert.deepEqual([slow, fast], [{ type: 'done', ms: 30 }, { type: 'done', ms: 1 }]);
    assert.equal(asker.pendingCount, 0);
  });

  it('moves transferred buffers instead of copying them', async () => {
    const values = new Float64Array([1, 2.5, -3]);
    const reply = await asker.request({ type: 'double', values }, [values.buffer as ArrayBuffer]);
    assert.equal(values.byteLength, 0, 'the sent buffer is detached on this side');
    assert.deepEqual(reply, { type: 'doubled', values: new Float64Array([2, 5, -6]) });
  });

  it('rejects with a TorchError whose kind, message and code survive the boundary', async () => {
    await assert.rejects(asker.request({ type: 'fail', torch: true }), (e: unknown) => {
      assert.ok(e instanceof TorchError);
      assert.equal(e.kind, 'RuntimeError');
      assert.equal(e.message, 'expected input[1, 1, 2, 2] to have 2 channels');
      assert.equal(e.code, 'channel-mismatch');
      return true;
    });
  });

  it('rejects with a RemoteError naming the class of any other error', async () => {
    await assert.rejects(asker.request({ type: 'fail', torch: false }), (e: unknown) => {
      assert.ok(e instanceof RemoteError);
      assert.equal(e.message, 'RangeError: not a PyTorch error');
      assert.match(e.stack ?? '', /^RangeError: not a PyTorch error\n\s+at /, 'the stack is the remote one');
      return true;
    });
  });

  it('rejectAll fails every outstanding request', async () => {
    const pending = asker.request({ type: 'slow', ms: 10_000 });
    asker.rejectAll(new Error('the other side died'));
    await assert.rejects(pending, /the other side died/);
    assert.equal(asker.pendingCount, 0);
  });
});
