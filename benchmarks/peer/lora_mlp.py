#!/usr/bin/env python3
"""The PyTorch side of Attune's peer benchmark: the same MLP, data, batch size, rank and optimizer.

MLP 784-1024-1024-10 (ReLU, softmax cross-entropy), Adam, mini-batches of a seeded shuffle, on the
Fashion-MNIST images the Java side writes as raw little-endian float32 (features) and uint8 (labels).
Modes: full (every layer trains), head (only the last layer trains; the frozen layers run forward on
every step, as a plain training loop does), lora (hand-written LoRA of rank r on all three linear
layers: W frozen, A Kaiming-uniform, B zero, scaling alpha / r).

Prints one JSON line: {"mode": ..., "examples_per_s": ..., "seconds": ..., "threads": ..., "torch": ...,
"blas": [...]}, where blas lists the BLAS and LAPACK libraries this process has mapped (from
/proc/self/maps), so that each run names the OpenBLAS build it used.
Times only the training loop (after one warm-up epoch), as the Java side does.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.A = nn.Parameter(torch.empty(rank, base.in_features))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scaling = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.A.t() @ self.B.t()) * self.scaling


def blas_libraries():
    """The distinct paths of the BLAS and LAPACK libraries this process has mapped (empty without /proc)."""
    libs = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                f = line.split()
                if len(f) >= 6 and f[-1].startswith("/"):
                    name = f[-1].rsplit("/", 1)[-1].lower()
                    if ("blas" in name or "lapack" in name) and f[-1] not in libs:
                        libs.append(f[-1])
    except OSError:
        pass
    return libs


def train_pass(forward, y, batch, opt, loss_fn):
    """One pass over the examples in a seeded shuffle; forward(idx) gives the logits of the rows idx."""
    order = torch.randperm(len(y))
    for start in range(0, len(y), batch):
        idx = order[start:start + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(forward(idx), y[idx])
        loss.backward()
        opt.step()


def timed(one_pass, passes):
    """The seconds of `passes` calls of one_pass after one warm-up call."""
    one_pass()
    t0 = time.perf_counter()
    for _ in range(passes):
        one_pass()
    return time.perf_counter() - t0


def model(mode: str, rank: int, alpha: float) -> nn.Module:
    layers = [nn.Linear(784, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 10)]
    if mode == "lora":
        layers = [LoRALinear(l, rank, alpha) for l in layers]
    elif mode == "head":
        for l in layers[:2]:
            for p in l.parameters():
                p.requires_grad_(False)
    return nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--mode", choices=["full", "head", "lora"], required=True)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    y = torch.from_numpy(np.fromfile(args.labels, dtype=np.uint8).astype(np.int64))
    x = torch.from_numpy(np.fromfile(args.features, dtype="<f4").reshape(len(y), 784))
    net = model(args.mode, args.rank, args.alpha)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    seconds = timed(lambda: train_pass(lambda idx: net(x[idx]), y, args.batch, opt, loss_fn), args.epochs)
    print(json.dumps({"mode": args.mode, "examples_per_s": len(y) * args.epochs / seconds, "seconds": seconds,
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "blas": blas_libraries()}))


if __name__ == "__main__":
    main()
