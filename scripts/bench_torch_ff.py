#!/usr/bin/python3
"""PyTorch Forward-Forward baseline for the FF-INT8 Workbench speed comparison.

A straightforward, idiomatic PyTorch implementation of Hinton's (2022)
Forward-Forward algorithm in the style of the popular port by mohammadpz
(github.com/mohammadpz/pytorch_forward_forward), trained greedily layer by
layer per mini-batch. It is the reference the C++ engine is timed against:
written the way a PyTorch user would write it, not tuned and not slowed down.

Algorithm
  * Fashion-MNIST from IDX gz files, pixels / 255 as float32, flattened to 784.
  * Label embedding: the first 10 pixels are replaced by one-hot(label) * image max.
    Positive = true label, negative = a random wrong label ((y + randint(1, 9)) % 10).
  * Each layer: x / (||x||_2 + 1e-4) row-wise, then nn.Linear + ReLU.
    Goodness g = mean (or sum, --goodness) of squared outputs; threshold theta = 2.0.
    Loss = mean over the 2B rows of softplus(-(g_pos - theta)) and softplus(g_neg - theta).
  * Every layer has its own optimizer (Adam lr 1e-3, or SGD momentum 0.9).
    Per mini-batch, for each layer in order: forward pos+neg (2B rows), loss,
    backward, step, then the detached outputs feed the next layer (no look-ahead).
  * Prediction: embed each of the 10 labels, forward through all layers, sum the
    goodness of all layers, argmax. Test accuracy is measured after each epoch
    (eval batch 1000) and is not part of the epoch's training time.

Usage
  /usr/bin/python3 scripts/bench_torch_ff.py [--epochs 1] [--batch 32] [--threads 2]
      [--layers 784,1000,1000] [--train-limit N] [--test-limit N] [--json] ...
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


# --------------------------------------------------------------------------- data

def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw, dtype=">u4", count=4, offset=0)
    if magic != 2051:
        raise ValueError(f"{path}: not an IDX image file (magic {magic})")
    pixels = np.frombuffer(raw, dtype=np.uint8, count=int(n * rows * cols), offset=16)
    return pixels.reshape(int(n), int(rows * cols)).astype(np.float32) / 255.0


def read_idx_labels(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = np.frombuffer(raw, dtype=">u4", count=2, offset=0)
    if magic != 2049:
        raise ValueError(f"{path}: not an IDX label file (magic {magic})")
    return np.frombuffer(raw, dtype=np.uint8, count=int(n), offset=8).astype(np.int64)


def load_split(folder, prefix, limit):
    x = read_idx_images(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx_labels(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    if limit is not None and limit > 0:
        x, y = x[:limit], y[:limit]
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))


def embed_label(x, y):
    """Copy of x with the first 10 values replaced by one-hot(y) * per-image max."""
    x_ = x.clone()
    x_[:, :10] = 0.0
    x_[torch.arange(x.shape[0]), y] = x.max(dim=1).values
    return x_


# --------------------------------------------------------------------------- model

class FFLayer(nn.Linear):
    def __init__(self, in_features, out_features, goodness="mean", threshold=2.0,
                 optimizer="adam", lr=1e-3):
        super().__init__(in_features, out_features)
        self.relu = nn.ReLU()
        self.goodness_mode = goodness
        self.threshold = threshold
        if optimizer == "adam":
            self.opt = torch.optim.Adam(self.parameters(), lr=lr)
        else:
            self.opt = torch.optim.SGD(self.parameters(), lr=lr, momentum=0.9)

    def forward(self, x):
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(super().forward(x_direction))

    def goodness(self, h):
        sq = h.pow(2)
        return sq.mean(1) if self.goodness_mode == "mean" else sq.sum(1)

    def train_step(self, x_pos, x_neg):
        """One FF update on a batch; returns (detached pos out, detached neg out, loss)."""
        b = x_pos.shape[0]
        h = self.forward(torch.cat([x_pos, x_neg], 0))   # 2B rows
        g = self.goodness(h)
        g_pos, g_neg = g[:b], g[b:]
        loss = F.softplus(torch.cat([-(g_pos - self.threshold),
                                     g_neg - self.threshold])).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        h = h.detach()
        return h[:b], h[b:], loss.item()


class FFNet(nn.Module):
    def __init__(self, dims, **layer_kwargs):
        super().__init__()
        self.layers = nn.ModuleList(
            FFLayer(dims[i], dims[i + 1], **layer_kwargs) for i in range(len(dims) - 1))

    def train_batch(self, x_pos, x_neg):
        """Greedy layer-wise FF on one mini-batch; returns the per-layer losses."""
        losses = []
        h_pos, h_neg = x_pos, x_neg
        for layer in self.layers:
            h_pos, h_neg, loss = layer.train_step(h_pos, h_neg)
            losses.append(loss)
        return losses

    @torch.no_grad()
    def predict(self, x):
        goodness_per_label = []
        for label in range(10):
            h = embed_label(x, torch.full((x.shape[0],), label, dtype=torch.long))
            total = torch.zeros(x.shape[0])
            for layer in self.layers:
                h = layer(h)
                total += layer.goodness(h)
            goodness_per_label.append(total.unsqueeze(1))
        return torch.cat(goodness_per_label, 1).argmax(1)


# --------------------------------------------------------------------------- driver

def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch Forward-Forward speed baseline")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--layers", default="784,1000,1000",
                   help="comma-separated widths, first must be 784")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--goodness", choices=["mean", "sum"], default="mean")
    p.add_argument("--theta", type=float, default=2.0, help="goodness threshold")
    p.add_argument("--train-limit", type=int, default=None)
    p.add_argument("--test-limit", type=int, default=None)
    p.add_argument("--eval-batch", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    args = p.parse_args(argv)
    args.dims = [int(d) for d in args.layers.split(",") if d.strip()]
    if len(args.dims) < 2 or args.dims[0] != 784:
        p.error("--layers needs at least two widths and must start with 784")
    return args


def blas_library():
    """The BLAS shared library torch's matmuls actually run on (Debian swaps it via alternatives).

    Debian's python3-torch is built with BLAS_INFO=generic and calls whatever libblas.so.3
    points to: the netlib reference BLAS (slow, single-threaded) unless OpenBLAS/BLIS is
    installed. Recorded with the result because it dominates the baseline's speed."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ",".join(sorted(os.path.realpath(l) for l in libs)) or "builtin"
    except OSError:
        return "unknown"


def evaluate(model, x, y, batch):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += (model.predict(x[i:i + batch]) == y[i:i + batch]).sum().item()
    model.train()
    return correct / max(1, x.shape[0])


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    x_train, y_train = load_split(args.data, "train", args.train_limit)
    x_test, y_test = load_split(args.data, "t10k", args.test_limit)
    n = x_train.shape[0]

    model = FFNet(args.dims, goodness=args.goodness, threshold=args.theta,
                  optimizer=args.optimizer, lr=args.lr)

    def emit(obj, text):
        print(json.dumps(obj) if args.json else text, flush=True)

    if not args.json:
        print(f"pytorch {torch.__version__}  threads={torch.get_num_threads()}  "
              f"layers={args.layers}  batch={args.batch}  optimizer={args.optimizer}  "
              f"train={n}  test={x_test.shape[0]}", flush=True)

    epoch_seconds, acc = [], 0.0
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        loss_sum, batches = 0.0, 0
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            x, y = x_train[idx], y_train[idx]
            y_neg = (y + torch.randint(1, 10, y.shape)) % 10
            losses = model.train_batch(embed_label(x, y), embed_label(x, y_neg))
            loss_sum += sum(losses) / len(losses)
            batches += 1
        seconds = time.perf_counter() - t0
        epoch_seconds.append(seconds)

        acc = evaluate(model, x_test, y_test, args.eval_batch)
        train_loss = loss_sum / max(1, batches)   # mean over batches of the mean layer loss
        emit({"event": "epoch", "impl": "pytorch", "epoch": epoch,
              "seconds": round(seconds, 4), "samples_per_s": round(n / seconds, 2),
              "train_loss": round(train_loss, 6), "test_acc": round(acc, 6)},
             f"epoch {epoch}: {seconds:.2f} s  ({n / seconds:.0f} samples/s)  "
             f"train_loss {train_loss:.4f}  test_acc {100 * acc:.2f}%")

    blas = blas_library()
    spe = sum(epoch_seconds) / len(epoch_seconds) if epoch_seconds else 0.0
    emit({"event": "summary", "impl": "pytorch", "torch_version": torch.__version__,
          "threads": torch.get_num_threads(), "seconds_per_epoch": round(spe, 4),
          "test_acc": round(acc, 6), "blas": blas},
         f"summary: {spe:.2f} s/epoch  test_acc {100 * acc:.2f}%  "
         f"(torch {torch.__version__}, {torch.get_num_threads()} threads, blas {blas})")


if __name__ == "__main__":
    main()
