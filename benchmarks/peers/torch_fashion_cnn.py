#!/usr/bin/env python3
"""The PyTorch peer of issue #14: the paper's Fashion-MNIST CNN with the alpha objective, written as a
PyTorch user would write it.

    /usr/bin/python3 benchmarks/peers/torch_fashion_cnn.py --threads 2 --limit 6000 --json

Conv2d(1, 32, 3) ReLU -> Conv2d(32, 32, 3) ReLU -> MaxPool2d(2) -> dropout(p) -> Linear(4608, 100) ReLU ->
dropout(p) -> Linear(100, 10); K = 10 dropout samples made by repeating the input K times through the
whole network (a direct implementation: the convolutions run K times on the same image), the
alpha-divergence objective with torch.logsumexp, Adam 1e-3, batch 128.

Times one epoch over the first --limit training images (all 60,000 by default) after a short warmup on a
throwaway model; "epoch_seconds_full" scales the time to the 60,000 images. Data loading and memory
reporting are shared with torch_fashion_mlp.py. Needs numpy and torch (Debian: python3-numpy,
python3-torch; with libopenblas0-openmp). Exits with status 2 and one line on bad input.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fashion_mlp as common  # noqa: E402


def build_cnn(torch, filters, hidden, p):
    nn = torch.nn
    F = torch.nn.functional

    class Cnn(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, filters[0], 3)
            self.conv2 = nn.Conv2d(filters[0], filters[1], 3)
            self.fc1 = nn.Linear(filters[1] * 12 * 12, hidden)
            self.fc2 = nn.Linear(hidden, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2).flatten(1)
            # training=True always: MC dropout keeps the masks on at prediction time too.
            x = F.relu(self.fc1(F.dropout(x, p=p, training=True)))
            return self.fc2(F.dropout(x, p=p, training=True))

    return Cnn()


def train_steps(torch, model, opt, x, y, order, args, steps=None):
    n = order.numel()
    total, count = 0.0, 0
    for start in range(0, n, args.batch):
        if steps is not None and count >= steps:
            break
        idx = order[start:start + args.batch]
        xb, yb = x[idx], y[idx]
        b = xb.shape[0]
        logits = model(xb.repeat(args.samples, 1, 1, 1))
        loss = common.alpha_objective(torch, logits, yb.repeat(args.samples), args.samples, b, args.alpha)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item()
        count += 1
    return total / max(count, 1), count


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="IDX folder")
    ap.add_argument("--threads", type=common.positive("--threads"), default=None)
    ap.add_argument("--limit", type=common.positive("--limit"), default=None,
                    help="time an epoch over only the first N training images")
    ap.add_argument("--batch", type=common.positive("--batch"), default=128)
    ap.add_argument("--samples", type=common.positive("--samples"), default=10, help="K")
    ap.add_argument("--alpha", type=common.non_negative_float("--alpha"), default=0.5)
    ap.add_argument("--dropout", type=common.non_negative_float("--dropout"), default=0.5)
    ap.add_argument("--lr", type=common.non_negative_float("--lr"), default=1e-3)
    ap.add_argument("--warmup-steps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.dropout >= 1:
        ap.error("--dropout must be in [0, 1), got %s" % args.dropout)
    try:
        import torch
    except ImportError as e:
        print("torch_fashion_cnn: cannot import torch with %s (%s); on Debian: apt-get install python3-torch"
              % (sys.executable, e), file=sys.stderr)
        return 2
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    out = {"peer": "pytorch", "model": "cnn", "torch": torch.__version__, "threads": torch.get_num_threads()}
    try:
        x_np, y_np = common.load_part(args.data, "train", args.limit)
    except common.InputError as e:
        print("torch_fashion_cnn: %s" % e, file=sys.stderr)
        return 2
    x = torch.from_numpy(x_np).view(-1, 1, 28, 28)
    y = torch.from_numpy(y_np)
    n = x.shape[0]
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    if args.warmup_steps > 0:
        wm = build_cnn(torch, (32, 32), 100, args.dropout)
        wo = torch.optim.Adam(wm.parameters(), lr=args.lr)
        train_steps(torch, wm, wo, x, y, torch.randperm(n, generator=gen), args, steps=args.warmup_steps)
        del wm, wo
    model = build_cnn(torch, (32, 32), 100, args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    scoped = common.reset_peak_rss()
    before = common.vm_rss_mib()
    start = time.perf_counter()
    loss, steps = train_steps(torch, model, opt, x, y, torch.randperm(n, generator=gen), args)
    seconds = time.perf_counter() - start
    out.update({"rows": n, "steps": steps, "samples": args.samples, "batch": args.batch, "alpha": args.alpha,
                "epoch_seconds": seconds, "epoch_seconds_full": seconds * 60000.0 / n, "mean_loss": loss})
    common.finish_memory(out, scoped, before)
    out["blas"] = common.loaded_blas()
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print("%s: %s" % (key, value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
