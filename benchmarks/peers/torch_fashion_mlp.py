#!/usr/bin/env python3
"""The PyTorch peer of issue #6: AlphaDrop's Fashion-MNIST model written in ordinary PyTorch.

    /usr/bin/python3 benchmarks/peers/torch_fashion_mlp.py --mode train --threads 1 --json
    /usr/bin/python3 benchmarks/peers/torch_fashion_mlp.py --mode predict --threads 2 --json

MLP 784-100-100-10, ReLU, F.dropout(p = 0.5) before every Linear (inputs included), K = 10 dropout samples
made by repeating the input K times, the alpha-divergence objective
    L = mean_n [ -(1/alpha) (logsumexp_k(alpha ll[n,k]) - log K) ]
with torch.logsumexp, Adam 1e-3, batch 128, no weight decay (AlphaDrop's harness uses none either).
The point is to time what a PyTorch user would write, so nothing here is hand-optimised beyond that.

--mode train times --epochs epochs over the training images; --mode predict times MC prediction
(T = --test-samples dropout passes, averaged) of the test images in chunks of --predict-batch images.
Data loading is timed separately and is never inside a timed section. Before the timed section a short
warmup (a few steps, or one prediction chunk) lets the allocator and the thread pool settle.

Memory: "peak_rss_mib" is the peak resident set size of the timed section. The kernel's high-water mark
is reset just before it (writing 5 to /proc/self/clear_refs), so it still counts the data that is
resident then, but not transient peaks of loading or warmup. "process_peak_rss_mib" is ru_maxrss, the
whole process's peak. If the reset is not permitted, both are the process peak and "peak_rss_scope"
says "process".

Needs numpy and torch (Debian: python3-numpy, python3-torch). Exits with status 2 and one line naming
the option or file on bad input.
"""

import argparse
import gzip
import json
import math
import os
import re
import resource
import sys
import time

import numpy as np

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


class InputError(Exception):
    """Bad command-line value or data file: reported as one line, exit status 2."""


def read_idx(path, magic, dims):
    """The unsigned-byte payload of an IDX file (raw or gzip) and its declared sizes."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise InputError("cannot read %s: %s" % (path, e.strerror or e))
    if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the extension says
        raw = gzip.decompress(raw)
    header = 4 + 4 * dims
    if len(raw) < header:
        raise InputError("%s: truncated IDX header (%d bytes)" % (path, len(raw)))
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise InputError("%s: bad magic number 0x%08x, expected 0x%08x" % (path, found, magic))
    sizes = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    expected = int(np.prod(sizes))
    if len(raw) - header != expected:
        raise InputError("%s: header declares %d bytes of data, file has %d" % (path, expected, len(raw) - header))
    return np.frombuffer(raw, dtype=np.uint8, offset=header), sizes


def find(folder, part, kind, idx_type):
    """The file of one part (train / t10k) and kind, by the names IdxLoader accepts."""
    tried = []
    for sep in ("-", "."):
        base = "%s-%s%s%s-ubyte" % (part, kind, sep, idx_type)
        for name in (base, base + ".gz"):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
            tried.append(name)
    raise InputError("--data %s: no IDX %s file for part '%s'; looked for %s"
                     % (folder, kind, part, ", ".join(tried)))


def load_part(folder, part, limit):
    """Images as float32 in [0, 1] (n × 784, pixels / 255) and int64 labels; the first `limit` rows if set."""
    pixels, (n, rows, cols) = read_idx(find(folder, part, "images", "idx3"), IMAGES_MAGIC, 3)
    labels, (m,) = read_idx(find(folder, part, "labels", "idx1"), LABELS_MAGIC, 1)
    if n != m:
        raise InputError("--data %s: %d %s images but %d labels" % (folder, n, part, m))
    if limit is not None:
        if limit > n:
            raise InputError("--limit %d is more than the %d %s images" % (limit, n, part))
        n = limit
    x = pixels[:n * rows * cols].reshape(n, rows * cols).astype(np.float32) / np.float32(255)
    y = labels[:n].astype(np.int64)
    return x, y


def reset_peak_rss():
    """Resets the kernel's peak-RSS mark (VmHWM); False if this kernel or sandbox does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_mib(field):
    """A memory field of /proc/self/status (VmHWM, VmRSS) in MiB, or None where there is no /proc."""
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"^%s:\s+(\d+)\s+kB" % field, f.read(), re.MULTILINE)
    except OSError:
        return None
    return int(m.group(1)) / 1024.0 if m else None


def vm_hwm_mib():
    return status_mib("VmHWM")


def vm_rss_mib():
    return status_mib("VmRSS")


def process_peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kB


def loaded_blas():
    """The BLAS library files this process has mapped (after torch has run a product), e.g. Debian's
    reference libblas3 or OpenBLAS. Debian's python3-torch calls whatever libblas.so.3 the alternatives
    system points to: with only the reference BLAS installed, its epoch here was about 6x slower."""
    names = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if "blas" in base or "mkl" in base:
                    names.add(os.path.realpath(path))
    except OSError:
        return None
    return sorted(names) or None


def build_model(torch, sizes, p):
    nn = torch.nn
    F = torch.nn.functional

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

        def forward(self, x):
            last = len(self.layers) - 1
            for i, layer in enumerate(self.layers):
                # training=True always: MC dropout keeps the masks on at prediction time too.
                x = layer(F.dropout(x, p=p, training=True))
                if i != last:
                    x = F.relu(x)
            return x

    return Mlp()


def alpha_objective(torch, logits, labels_k, k, batch, alpha):
    """Li & Gal's objective; logits and labels_k are K stacked copies of the batch (sample-major)."""
    ll = -torch.nn.functional.cross_entropy(logits, labels_k, reduction="none").view(k, batch)
    if alpha == 0:
        return -ll.mean()  # the alpha -> 0 limit: plain MC-dropout VI
    return (-(torch.logsumexp(alpha * ll, dim=0) - math.log(k)) / alpha).mean()


def train_steps(torch, model, opt, x, y, order, args, steps=None):
    """Runs minibatch steps over x[order] (all of them, or the first `steps`); returns the mean batch loss."""
    n = order.numel()
    total = 0.0
    count = 0
    for start in range(0, n, args.batch):
        if steps is not None and count >= steps:
            break
        idx = order[start:start + args.batch]
        xb = x[idx]
        yb = y[idx]
        b = xb.shape[0]
        logits = model(xb.repeat(args.samples, 1))
        loss = alpha_objective(torch, logits, yb.repeat(args.samples), args.samples, b, args.alpha)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item()
        count += 1
    return total / max(count, 1), count


def run_train(torch, args, out):
    t0 = time.perf_counter()
    x_np, y_np = load_part(args.data, "train", args.limit)
    x = torch.from_numpy(x_np)
    y = torch.from_numpy(y_np)
    out["load_seconds"] = time.perf_counter() - t0
    n = x.shape[0]
    out["rows"] = n
    out["steps_per_epoch"] = (n + args.batch - 1) // args.batch

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    sizes = [x.shape[1]] + args.hidden + [10]

    # Warmup on a throwaway model: the first steps pay for thread-pool start-up and allocator growth.
    if args.warmup_steps > 0:
        wm = build_model(torch, sizes, args.dropout)
        wo = torch.optim.Adam(wm.parameters(), lr=args.lr)
        train_steps(torch, wm, wo, x, y, torch.randperm(n, generator=gen), args, steps=args.warmup_steps)
        del wm, wo
    out["warmup_steps"] = args.warmup_steps

    model = build_model(torch, sizes, args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    scoped = reset_peak_rss()
    before = vm_rss_mib()
    seconds, losses = [], []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(n, generator=gen)
        loss, _ = train_steps(torch, model, opt, x, y, order, args)
        seconds.append(time.perf_counter() - start)
        losses.append(loss)
    out["epochs"] = args.epochs
    out["seconds_per_epoch"] = seconds
    out["epoch_seconds"] = sum(seconds) / len(seconds)
    out["mean_loss"] = losses
    finish_memory(out, scoped, before)


def run_predict(torch, args, out):
    t0 = time.perf_counter()
    x_np, _ = load_part(args.data, "t10k", args.limit)
    x = torch.from_numpy(x_np)
    out["load_seconds"] = time.perf_counter() - t0
    n = x.shape[0]
    out["rows"] = n
    out["test_samples"] = args.test_samples
    out["predict_batch"] = args.predict_batch
    torch.manual_seed(args.seed)
    # Untrained weights: the time of a forward pass does not depend on their values.
    model = build_model(torch, [x.shape[1]] + args.hidden + [10], args.dropout)
    t = args.test_samples
    log_t = math.log(t)

    def predict(rows):
        probs = torch.empty(rows, 10)
        entropy = torch.empty(rows)
        mutual_info = torch.empty(rows)
        with torch.no_grad():
            for start in range(0, rows, args.predict_batch):
                xb = x[start:start + args.predict_batch]
                b = xb.shape[0]
                logp = torch.log_softmax(model(xb.repeat(t, 1)), dim=1).view(t, b, -1)
                # The same summaries AlphaDrop's McPredictive computes: log of the MC mean probability,
                # predictive entropy, expected entropy and mutual information.
                log_mean = torch.logsumexp(logp, dim=0) - log_t
                mean = log_mean.exp()
                h = -(mean * log_mean).sum(dim=1)
                expected_h = -(logp.exp() * logp).sum(dim=2).mean(dim=0)
                probs[start:start + b] = mean
                entropy[start:start + b] = h
                mutual_info[start:start + b] = (h - expected_h).clamp_min(0)
        return probs, entropy, mutual_info

    predict(min(n, args.predict_batch))  # warmup: one chunk
    scoped = reset_peak_rss()
    before = vm_rss_mib()
    start = time.perf_counter()
    probs, _, _ = predict(n)
    out["predict_seconds"] = time.perf_counter() - start
    out["mean_max_probability"] = float(probs.max(dim=1).values.mean())
    finish_memory(out, scoped, before)


def finish_memory(out, scoped, before):
    """Peak RSS of the timed section, and the RSS it started from (data, interpreter, torch already resident)."""
    out["rss_before_mib"] = before
    out["peak_rss_mib"] = vm_hwm_mib() if scoped else process_peak_rss_mib()
    out["peak_rss_scope"] = "timed section" if scoped else "process"
    out["process_peak_rss_mib"] = process_peak_rss_mib()


def positive(name):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%s must be an integer, got '%s'" % (name, text))
        if v < 1:
            raise argparse.ArgumentTypeError("%s must be >= 1, got %d" % (name, v))
        return v
    return parse


def non_negative_float(name):
    def parse(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%s must be a number, got '%s'" % (name, text))
        if not (v >= 0 and math.isfinite(v)):
            raise argparse.ArgumentTypeError("%s must be finite and >= 0, got %s" % (name, text))
        return v
    return parse


def hidden_sizes(text):
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("--hidden must be comma-separated integers, got '%s'" % text)
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("--hidden sizes must be >= 1, got '%s'" % text)
    return sizes


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("train", "predict"), default="train")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="IDX folder")
    ap.add_argument("--threads", type=positive("--threads"), default=None,
                    help="torch.set_num_threads (default: PyTorch's own choice)")
    ap.add_argument("--epochs", type=positive("--epochs"), default=1)
    ap.add_argument("--limit", type=positive("--limit"), default=None,
                    help="use only the first N images (smoke runs)")
    ap.add_argument("--batch", type=positive("--batch"), default=128)
    ap.add_argument("--samples", type=positive("--samples"), default=10, help="K, training dropout samples")
    ap.add_argument("--alpha", type=non_negative_float("--alpha"), default=0.5)
    ap.add_argument("--dropout", type=non_negative_float("--dropout"), default=0.5)
    ap.add_argument("--hidden", type=hidden_sizes, default=[100, 100])
    ap.add_argument("--lr", type=non_negative_float("--lr"), default=1e-3)
    ap.add_argument("--test-samples", type=positive("--test-samples"), default=100, help="T, prediction passes")
    ap.add_argument("--predict-batch", type=positive("--predict-batch"), default=100,
                    help="test images per forward call (each repeated T times)")
    ap.add_argument("--warmup-steps", type=int, default=5, help="training steps before the timed epoch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args(argv)
    if args.dropout >= 1:
        ap.error("--dropout must be in [0, 1), got %s" % args.dropout)
    if args.warmup_steps < 0:
        ap.error("--warmup-steps must be >= 0, got %d" % args.warmup_steps)
    return args


def main(argv):
    args = parse_args(argv)
    try:
        import torch
    except ImportError as e:
        print("torch_fashion_mlp: cannot import torch with %s (%s); on Debian: apt-get install python3-torch"
              % (sys.executable, e), file=sys.stderr)
        return 2
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    out = {"peer": "pytorch", "mode": args.mode, "torch": torch.__version__, "threads": torch.get_num_threads(),
           "python": sys.version.split()[0]}
    try:
        if args.mode == "train":
            run_train(torch, args, out)
        else:
            run_predict(torch, args, out)
    except InputError as e:
        print("torch_fashion_mlp: %s" % e, file=sys.stderr)
        return 2
    out["blas"] = loaded_blas()
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print("%s: %s" % (key, value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
