#!/usr/bin/env python3
"""The Python side of Attune's PEFT interchange test: a BERT encoder with LoRA written by hand in numpy
(float64), reading and writing adapters in Hugging Face PEFT's on-disk layout.

The base weights come from the safetensors file Attune writes (BertEncoder.saveSafetensors: Hugging
Face's tensor names, Linear weights [out, in], configuration in the metadata). The model is BertModel
(post-norm layers, exact erf GELU, additive padding mask), mean pooling over the mask and a linear
classifier on the pooled output, softmax last. Each adapted nn.Linear computes
x W^T + b + s (x A^T) B^T with A = lora_A.weight [r, in], B = lora_B.weight [out, r] and
s = lora_alpha / r (lora_alpha / sqrt(r) with use_rslora), as PEFT's LoRA Linear does.

Modes:
  make  draws an adapter (A and B both non-zero, a classifier), writes it as PEFT's save_pretrained does
        (adapter_config.json, adapter_model.safetensors with base_model.model.bert.encoder.layer.N...
        lora_A.weight / lora_B.weight and base_model.model.classifier.weight / bias), and writes the
        class probabilities of the token inputs.
  run   reads such a directory by PEFT's names and rules (target_modules matched as PEFT matches them:
        a module name equal to a target or ending in "." + target), refusing any tensor it does not
        use or misses, and writes the class probabilities of the token inputs.
Probabilities are written as raw little-endian float64 [n, classes]. Needs numpy only.
"""
import argparse
import json
import math
import struct

import numpy as np

PROJECTIONS = ["attention.self.query", "attention.self.key", "attention.self.value",
               "attention.output.dense", "intermediate.dense", "output.dense"]
DTYPES = {"F32": "<f4", "F64": "<f8"}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).astype(np.float64)
    return out, header.get("__metadata__", {})


def write_safetensors(path, tensors):
    """As Python's safetensors writes: keys sorted, float32, header padded with spaces to 8 bytes."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        b = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


ERF = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + ERF(x / math.sqrt(2.0)))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def probabilities(w, meta, lora, scale, classifier, ids, mask):
    """lora: {"encoder.layer.N.<projection>": (A, B)}; classifier: (weight [k, h], bias [k])."""
    heads = int(meta["num_heads"])
    eps = float(meta["layer_norm_eps"])
    layers = int(meta["num_layers"])
    n, length = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    additive = ((1.0 - mask) * -1e30)[:, None, None, :]

    def linear(v, name):
        y = v @ w[name + ".weight"].T + w[name + ".bias"]
        if name in lora:
            a, b = lora[name]
            y = y + scale * ((v @ a.T) @ b.T)
        return y

    h = x.shape[-1]
    d = h // heads
    for i in range(layers):
        p = f"encoder.layer.{i}."
        split = lambda t: t.reshape(n, length, heads, d).transpose(0, 2, 1, 3)
        q, k, v = (split(linear(x, p + "attention.self." + m)) for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + additive
        context = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(n, length, h)
        x = layer_norm(linear(context, p + "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        f = linear(gelu(linear(x, p + "intermediate.dense")), p + "output.dense")
        x = layer_norm(f + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    return softmax(pooled @ classifier[0].T + classifier[1])


def make(args, w, meta, ids, mask):
    rng = np.random.default_rng(args.seed)
    targets = args.targets.split(",")
    config = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "tiny-bert", "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True, "layers_pattern": None,
        "layers_to_transform": None, "loftq_config": {}, "lora_alpha": args.alpha, "lora_dropout": 0.1,
        "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": ["classifier", "score"],
        "peft_type": "LORA", "r": args.rank, "rank_pattern": {}, "revision": None, "target_modules": targets,
        "task_type": "SEQ_CLS", "use_dora": False, "use_rslora": False,
    }
    lora, tensors = {}, {}
    for name in modules(w, meta, targets):
        out_features, in_features = w[name + ".weight"].shape
        bound = 1.0 / math.sqrt(in_features)
        a = rng.uniform(-bound, bound, (args.rank, in_features)).astype(np.float32).astype(np.float64)
        b = (0.3 * rng.standard_normal((out_features, args.rank))).astype(np.float32).astype(np.float64)
        lora[name] = (a, b)
        tensors[f"base_model.model.bert.{name}.lora_A.weight"] = a
        tensors[f"base_model.model.bert.{name}.lora_B.weight"] = b
    h = w["embeddings.word_embeddings.weight"].shape[1]
    cw = (0.5 * rng.standard_normal((args.classes, h))).astype(np.float32).astype(np.float64)
    cb = (0.1 * rng.standard_normal(args.classes)).astype(np.float32).astype(np.float64)
    tensors["base_model.model.classifier.weight"] = cw
    tensors["base_model.model.classifier.bias"] = cb
    import os
    os.makedirs(args.dir, exist_ok=True)
    with open(os.path.join(args.dir, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    write_safetensors(os.path.join(args.dir, "adapter_model.safetensors"), tensors)
    return probabilities(w, meta, lora, args.alpha / args.rank, (cw, cb), ids, mask)


def modules(w, meta, targets):
    """PEFT's rule: a module is adapted when its name is a target or ends with "." + target."""
    out = []
    for i in range(int(meta["num_layers"])):
        for p in PROJECTIONS:
            name = f"encoder.layer.{i}.{p}"
            full = "bert." + name
            if any(full == t or full.endswith("." + t) for t in targets):
                out.append(name)
    return out


def run(args, w, meta, ids, mask):
    import os
    with open(os.path.join(args.dir, "adapter_config.json")) as f:
        config = json.load(f)
    assert config["peft_type"] == "LORA" and config["bias"] == "none" and not config["fan_in_fan_out"], config
    assert not config.get("use_dora") and not config.get("rank_pattern") and not config.get("alpha_pattern"), config
    r = config["r"]
    scale = config["lora_alpha"] / (math.sqrt(r) if config.get("use_rslora") else r)
    tensors, meta_file = read_safetensors(os.path.join(args.dir, "adapter_model.safetensors"))
    assert meta_file.get("format") == "pt", meta_file
    prefix = "base_model.model.bert." if config["task_type"] == "SEQ_CLS" else "base_model.model."
    lora, used = {}, set()
    for name in modules(w, meta, config["target_modules"]):
        ka, kb = f"{prefix}{name}.lora_A.weight", f"{prefix}{name}.lora_B.weight"
        a, b = tensors[ka], tensors[kb]
        out_features, in_features = w[name + ".weight"].shape
        assert a.shape == (r, in_features) and b.shape == (out_features, r), (name, a.shape, b.shape)
        lora[name] = (a, b)
        used |= {ka, kb}
    assert config["modules_to_save"] == ["classifier"], config["modules_to_save"]
    cw, cb = tensors["base_model.model.classifier.weight"], tensors["base_model.model.classifier.bias"]
    used |= {"base_model.model.classifier.weight", "base_model.model.classifier.bias"}
    assert used == set(tensors), sorted(set(tensors) - used)
    return probabilities(w, meta, lora, scale, (cw, cb), ids, mask)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["make", "run"])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--mask", required=True)
    ap.add_argument("--length", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--probs", required=True)
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--alpha", type=int, default=8)
    ap.add_argument("--classes", type=int, default=3)
    ap.add_argument("--targets", default="query,value")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    w, meta = read_safetensors(args.weights)
    ids = np.fromfile(args.ids, dtype="<i4").reshape(-1, args.length).astype(np.int64)
    mask = np.fromfile(args.mask, dtype="<i4").reshape(-1, args.length).astype(np.float64)
    p = (make if args.mode == "make" else run)(args, w, meta, ids, mask)
    p.astype("<f8").tofile(args.probs)
    print(json.dumps({"mode": args.mode, "rows": int(p.shape[0]), "classes": int(p.shape[1]), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
