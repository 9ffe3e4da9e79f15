#!/usr/bin/env python3
"""The PyTorch side of Attune's transformer benchmark: the same MiniLM weights, tokens, batch size,
LoRA rank and optimizer.

BERT as Hugging Face's BertModel computes it (post-norm layers, exact erf GELU, additive mask with the
most negative float), mean pooling over the mask and a linear softmax head, written here with torch.nn
so that nothing but torch is needed. The weights come from the safetensors file Attune writes
(BertEncoder.saveSafetensors: Hugging Face's tensor names, Linear weights [out, in]); the token ids,
masks and labels from raw little-endian int32 files of shape [n, length].

Modes: embed (writes the pooled embeddings of the first batch, to check that both sides compute the same
function), infer (the encoder's pooled output, no gradient), full (every weight trains), lora (LoRA of
rank r on the query and value projections: W frozen, A Kaiming-uniform, B zero, scaling alpha / r;
the head trains too). Adam, mini-batches in a seeded shuffle.

Prints one JSON line: {"mode": ..., "tokens_per_s": ..., "seconds": ..., "threads": ..., "torch": ...,
"blas": [...]} (blas: the BLAS and LAPACK libraries this process has mapped, as in the MLP peer).
Tokens are padded positions (batch x length), which this loop computes (Attune's passes skip the
padding and count the same positions). Times the loop after one
warm-up pass, as the Java side does.
"""
import argparse
import json
import math
import struct

import numpy as np
import torch
from torch import nn

from lora_mlp import LoRALinear, blas_libraries, timed, train_pass  # the MLP peer's LoRA and training loop

DTYPES = {"F32": np.float32, "F64": np.float64}


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
        arr = np.frombuffer(data[lo:hi], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32))
    return out, header.get("__metadata__", {})


class Layer(nn.Module):
    def __init__(self, h, inter, heads, eps):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)
        self.attn_out = nn.Linear(h, h)
        self.attn_norm = nn.LayerNorm(h, eps=eps)
        self.inter = nn.Linear(h, inter)
        self.out = nn.Linear(inter, h)
        self.out_norm = nn.LayerNorm(h, eps=eps)

    def split(self, x):
        b, l, h = x.shape
        return x.view(b, l, self.heads, h // self.heads).transpose(1, 2)

    def forward(self, x, additive):
        b, l, h = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + additive
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, l, h)
        x = self.attn_norm(self.attn_out(context) + x)
        return self.out_norm(self.out(nn.functional.gelu(self.inter(x))) + x)


class Bert(nn.Module):
    def __init__(self, w, meta, classes):
        super().__init__()
        vocab, h = w["embeddings.word_embeddings.weight"].shape
        layers = int(meta["num_layers"])
        heads = int(meta["num_heads"])
        eps = float(meta["layer_norm_eps"])
        inter = w["encoder.layer.0.intermediate.dense.weight"].shape[0]
        self.words = nn.Embedding(vocab, h)
        self.positions = nn.Embedding(w["embeddings.position_embeddings.weight"].shape[0], h)
        self.types = nn.Embedding(w["embeddings.token_type_embeddings.weight"].shape[0], h)
        self.norm = nn.LayerNorm(h, eps=eps)
        self.layers = nn.ModuleList(Layer(h, inter, heads, eps) for _ in range(layers))
        self.head = nn.Linear(h, classes)
        with torch.no_grad():
            self.words.weight.copy_(w["embeddings.word_embeddings.weight"])
            self.positions.weight.copy_(w["embeddings.position_embeddings.weight"])
            self.types.weight.copy_(w["embeddings.token_type_embeddings.weight"])
            self.norm.weight.copy_(w["embeddings.LayerNorm.weight"])
            self.norm.bias.copy_(w["embeddings.LayerNorm.bias"])
            names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
                     "attn_out": "attention.output.dense", "attn_norm": "attention.output.LayerNorm",
                     "inter": "intermediate.dense", "out": "output.dense", "out_norm": "output.LayerNorm"}
            for n, layer in enumerate(self.layers):
                for attr, hf in names.items():
                    getattr(layer, attr).weight.copy_(w[f"encoder.layer.{n}.{hf}.weight"])
                    getattr(layer, attr).bias.copy_(w[f"encoder.layer.{n}.{hf}.bias"])

    def pooled(self, ids, mask):
        l = ids.shape[1]
        x = self.words(ids) + self.positions.weight[:l] + self.types.weight[0]
        x = self.norm(x)
        additive = ((1.0 - mask) * torch.finfo(torch.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, additive)
        return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)

    def forward(self, ids, mask):
        return self.head(self.pooled(ids, mask))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--mask", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--length", type=int, required=True)
    ap.add_argument("--classes", type=int, required=True)
    ap.add_argument("--mode", choices=["infer", "full", "lora", "embed"], required=True)
    ap.add_argument("--out", help="embed: where to write the pooled embeddings of the first batch (float32)")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    w, meta = read_safetensors(args.weights)
    ids = torch.from_numpy(np.fromfile(args.ids, dtype="<i4").reshape(-1, args.length).astype(np.int64))
    mask = torch.from_numpy(np.fromfile(args.mask, dtype="<i4").reshape(-1, args.length).astype(np.float32))
    y = torch.from_numpy(np.fromfile(args.labels, dtype="<i4").astype(np.int64))
    net = Bert(w, meta, args.classes)
    if args.mode == "lora":
        for p in net.parameters():
            p.requires_grad_(False)
        for layer in net.layers:
            layer.query = LoRALinear(layer.query, args.rank, args.alpha)
            layer.value = LoRALinear(layer.value, args.rank, args.alpha)
        for p in net.head.parameters():
            p.requires_grad_(True)
    n = len(y)

    if args.mode == "embed":
        with torch.no_grad():
            net.pooled(ids[:args.batch], mask[:args.batch]).numpy().astype("<f4").tofile(args.out)
        print(json.dumps({"mode": "embed", "rows": min(n, args.batch), "torch": torch.__version__,
                          "blas": blas_libraries()}))
        return
    if args.mode == "infer":
        net.eval()

        def one_pass():
            with torch.no_grad():
                for start in range(0, n, args.batch):
                    net.pooled(ids[start:start + args.batch], mask[start:start + args.batch])
    else:
        opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=args.lr)
        loss_fn = nn.CrossEntropyLoss()

        def one_pass():
            train_pass(lambda idx: net(ids[idx], mask[idx]), y, args.batch, opt, loss_fn)

    seconds = timed(one_pass, args.passes)
    print(json.dumps({"mode": args.mode, "tokens_per_s": n * args.length * args.passes / seconds, "seconds": seconds,
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "peak_rss_mib": peak_rss_mib(),
                      "blas": blas_libraries()}))


def peak_rss_mib():
    """This process's peak resident memory in MiB: VmHWM, which starts afresh at exec (ru_maxrss keeps the
    forking parent's), or None where /proc has no such line."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


if __name__ == "__main__":
    main()
