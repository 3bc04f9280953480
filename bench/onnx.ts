// ONNX models of one Conv / ConvTranspose node, written as protobuf bytes (onnx.proto's field
// numbers), for the onnxruntime-web anchor of `npm run bench:core`. Only what these models use:
// varints, length-delimited fields, float32 raw tensor data.

/** Protobuf wire format: a message is a list of (field number, value) records. */
class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
  }

  private key(field: number, wireType: 0 | 2): void {
    this.varint(field * 8 + wireType);
  }

  int(field: number, value: number): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

export interface OnnxConv {
  transposed: boolean;
  inputShape: readonly number[];
  weightShape: readonly number[];
  outputShape: readonly number[];
  strides: readonly number[];
  /** Per spatial dim, added (Conv) or cropped (ConvTranspose) at both ends. */
  pads: readonly number[];
  dilations: readonly number[];
  group: number;
  /** Baked into the model as initializers; otherwise they are inputs "W" and "B" of every run. */
  weights?: { weight: Float32Array; bias: Float32Array };
}

function valueInfo(w: ProtoWriter, name: string, shape: readonly number[]): void {
  w.string(1, name).message(2, (type) => type.message(1, (tensor) => {
    tensor.int(1, FLOAT).message(2, (s) => {
      for (const d of shape) s.message(1, (dim) => dim.int(1, d));
    });
  }));
}

function initializer(w: ProtoWriter, name: string, shape: readonly number[], data: Float32Array): void {
  for (const d of shape) w.int(1, d);
  w.int(2, FLOAT).string(8, name).bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** ModelProto bytes: inputs X (and W, B unless baked), output Y. */
export function onnxConvModel(c: OnnxConv): Uint8Array {
  const biasShape = [c.transposed ? (c.weightShape[1] ?? 0) * c.group : (c.weightShape[0] ?? 0)];
  const ints = (n: ProtoWriter, name: string, values: readonly number[]): void => {
    n.message(5, (a) => {
      a.string(1, name);
      for (const v of values) a.int(8, v);
      a.int(20, ATTRIBUTE_INTS);
    });
  };
  return new ProtoWriter()
    .int(1, 8) // ir_version
    .string(2, 'conv-lab bench')
    .message(7, (graph) => {
      graph.message(1, (node) => {
        node.string(1, 'X').string(1, 'W').string(1, 'B').string(2, 'Y').string(3, 'conv').string(4, c.transposed ? 'ConvTranspose' : 'Conv');
        ints(node, 'kernel_shape', c.weightShape.slice(2));
        ints(node, 'strides', c.strides);
        ints(node, 'pads', [...c.pads, ...c.pads]);
        ints(node, 'dilations', c.dilations);
        node.message(5, (a) => a.string(1, 'group').int(3, c.group).int(20, ATTRIBUTE_INT));
      });
      graph.string(2, 'conv');
      if (c.weights) {
        const { weight, bias } = c.weights;
        graph.message(5, (t) => initializer(t, 'W', c.weightShape, weight));
        graph.message(5, (t) => initializer(t, 'B', biasShape, bias));
      }
      graph.message(11, (v) => valueInfo(v, 'X', c.inputShape));
      if (!c.weights) {
        graph.message(11, (v) => valueInfo(v, 'W', c.weightShape));
        graph.message(11, (v) => valueInfo(v, 'B', biasShape));
      }
      graph.message(12, (v) => valueInfo(v, 'Y', c.outputShape));
    })
    .message(8, (opset) => opset.string(1, '').int(2, 17))
    .finish();
}
