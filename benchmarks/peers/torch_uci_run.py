#!/usr/bin/env python3
"""The PyTorch peer of one UCI run (issue #11): Boston housing split 0 the way `alphadrop train` runs it.

    /usr/bin/python3 benchmarks/peers/torch_uci_run.py --data ../shared/data/uci/bostonHousing --split 0 --json

One hidden layer of 50 ReLU units, F.dropout(p) before both Linear layers (inputs included), K = 10
samples made by repeating the minibatch K times, a Gaussian likelihood with a learned log precision, the
alpha-divergence objective L = mean_n [ -(1/alpha) (logsumexp_k(alpha ll[n,k]) - log K) ] with
torch.logsumexp, Adam 1e-3, batch 32, --epochs epochs; inputs and target standardised with the training
split's statistics. Ordinary PyTorch, nothing hand-optimised: the point is what a user would write.
Prints one JSON line (train_seconds, seconds_per_epoch, threads, torch version); loading is not timed.
Exits with status 2 and one line naming the option or file on bad input.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np


def load(folder, split):
    def read(name, dtype):
        path = os.path.join(folder, name)
        try:
            return np.loadtxt(path, dtype=dtype, ndmin=1)
        except OSError as e:
            raise SystemExit("torch_uci_run: cannot read %s: %s" % (path, e.strerror or e))
    data = read("data.txt", np.float64)
    if data.ndim != 2:
        raise SystemExit("torch_uci_run: %s/data.txt is not a table" % folder)
    features = read("index_features.txt", np.int64)
    target = int(read("index_target.txt", np.int64)[0])
    train = read("index_train_%d.txt" % split, np.int64)
    x, y = data[train][:, features], data[train][:, target:target + 1]
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1.0)
    y = (y - y.mean(0)) / y.std(0)
    return x.astype(np.float32), y.astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=500)
    ap.add_argument("--hidden", type=int, default=50)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    for name in ("epochs", "hidden", "samples", "batch", "threads"):
        if getattr(a, name) < 1:
            print("torch_uci_run: --%s must be >= 1, got %d" % (name, getattr(a, name)), file=sys.stderr)
            return 2
    if not (0 <= a.dropout < 1) or not (a.alpha > 0):
        print("torch_uci_run: --dropout must be in [0, 1) and --alpha > 0", file=sys.stderr)
        return 2
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x, y = load(a.data, a.split)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    n, d = x.shape
    l1, l2 = torch.nn.Linear(d, a.hidden), torch.nn.Linear(a.hidden, 1)
    log_tau = torch.nn.Parameter(torch.zeros(()))
    params = list(l1.parameters()) + list(l2.parameters()) + [log_tau]
    opt = torch.optim.Adam(params, lr=1e-3)
    k, alpha = a.samples, a.alpha

    def step(xb, yb):
        b = xb.shape[0]
        xr, yr = xb.repeat(k, 1), yb.repeat(k, 1)
        h = F.relu(l1(F.dropout(xr, a.dropout, True)))
        f = l2(F.dropout(h, a.dropout, True))
        ll = 0.5 * log_tau - 0.5 * math.log(2 * math.pi) - 0.5 * torch.exp(log_tau) * (f - yr) ** 2
        ll = ll.sum(1).view(k, b)
        loss = -(torch.logsumexp(alpha * ll, 0) - math.log(k)).mean() / alpha
        opt.zero_grad()
        loss.backward()
        opt.step()

    g = torch.Generator().manual_seed(0)
    for _ in range(3):  # warmup: allocator and thread pool
        step(x[:a.batch], y[:a.batch])
    start = time.perf_counter()
    for _ in range(a.epochs):
        order = torch.randperm(n, generator=g)
        for i in range(0, n, a.batch):
            idx = order[i:i + a.batch]
            step(x[idx], y[idx])
    seconds = time.perf_counter() - start
    out = {"peer": "torch", "set": os.path.basename(os.path.normpath(a.data)), "split": a.split,
           "epochs": a.epochs, "train_seconds": seconds, "seconds_per_epoch": seconds / a.epochs,
           "threads": a.threads, "torch": torch.__version__}
    print(json.dumps(out) if a.json else out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
