"""PyTorch side of `npm run bench:core` (bench/core.ts starts it with /usr/bin/python3).

Reads one JSON command per line on stdin, answers one JSON line on stdout:
  {"cmd": "load", "id", "op", "args", "input": [shape], "weight": [shape], "bias": [shape],
   "path"}                              tensors read from `path` (float32 input, weight, bias)
  {"cmd": "time", "id", "reps", "threads"}  -> {"ms": [...]}: each call timed here, in-process
  {"cmd": "output", "id", "path"}       -> writes the op's float32 output to `path`
Times are taken around the bare F.convNd / F.conv_transposeNd call (no IPC in them).
"""
import json
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # bench/core.ts prints the notice and skips PyTorch
    print(json.dumps({"error": f"torch is not importable: {error}"}), flush=True)
    sys.exit(0)

FUNCTIONS = {
    "conv1d": F.conv1d, "conv2d": F.conv2d, "conv3d": F.conv3d,
    "conv_transpose1d": F.conv_transpose1d, "conv_transpose2d": F.conv_transpose2d,
    "conv_transpose3d": F.conv_transpose3d,
}
ARG_NAMES = {"stride": "stride", "padding": "padding", "dilation": "dilation", "groups": "groups",
             "outputPadding": "output_padding"}
ops = {}


def read(path, shapes):
    with open(path, "rb") as f:
        blob = f.read()
    tensors, offset = [], 0
    for shape in shapes:
        n = 1
        for s in shape:
            n *= s
        tensors.append(torch.frombuffer(bytearray(blob[offset:offset + 4 * n]), dtype=torch.float32).reshape(shape))
        offset += 4 * n
    return tensors


def answer(value):
    print(json.dumps(value), flush=True)


print(json.dumps({"ready": torch.__version__}), flush=True)
for line in sys.stdin:
    command = json.loads(line)
    if command["cmd"] == "load":
        x, w, b = read(command["path"], [command["input"], command["weight"], command["bias"]])
        kwargs = {ARG_NAMES[k]: v for k, v in command["args"].items()}
        fn = FUNCTIONS[command["op"]]
        ops[command["id"]] = (lambda fn=fn, x=x, w=w, b=b, kwargs=kwargs: fn(x, w, b, **kwargs))
        answer({"ok": True})
    elif command["cmd"] == "time":
        torch.set_num_threads(command["threads"])
        run = ops[command["id"]]
        samples = []
        with torch.no_grad():
            for _ in range(command["reps"]):
                start = time.perf_counter()
                run()
                samples.append((time.perf_counter() - start) * 1000)
        answer({"ms": samples})
    elif command["cmd"] == "output":
        with torch.no_grad():
            y = ops[command["id"]]().contiguous()
        with open(command["path"], "wb") as f:
            f.write(y.numpy().astype("float32").tobytes())
        answer({"shape": list(y.shape)})
