#!/usr/bin/env python3
"""The table of issue #11's and issue #6's performance targets, from the files one benchmarks/perf-table run wrote.

    python3 benchmarks/perf_table.py benchmarks/results/perf [OUT.md]

Reads, from that folder (standard library only):
  machine.json                FashionBenchmark machine: CPU, ISA levels, 1-core FMA peak per level
  run.json                    what the run was (quick or full, start and end time, JVM options)
  jmh.json                    JMH: fused dropout-matmul (native) and plain sgemm, forward and backward
  ours-step-{java,native-1t,native-2t}.json, ours-epoch-{1,2}t.json, ours-predict-{1,2}t.json
                              FashionBenchmark (the library through its public API)
  torch-{train,predict}-{1,2}t.json   the PyTorch peer (peers/torch_fashion_mlp.py)
  djl-train-{1,2}t.json       the DJL peer, when the run had DJL=1

and prints one Markdown document: the machine, the targets table (target | measured | goal | holds?), and
the raw numbers every ratio came from. Every ratio is computed from measurements of this one run; nothing
here knows an expected value. A measurement that is missing or failed shows as "n/a" and its target as
"n/a", never as holding. Peers are taken at their fastest thread count, as the issue asks (and so are we).
"""

import json
import os
import platform
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ratios  # noqa: E402  (same folder: the JMH JSON reader)

NA = "n/a"

# Issue #6, target 1: the fused layer may cost at most this many times plain sgemm, by output width H.
FUSION_GOALS = {1000: 1.15, 100: 1.3}
# Issue #11: dense fused kernels at the large shapes reach this fraction of the ISA's measured FMA peak;
# the sparse path is this many times faster than the dense one; the epoch and MC prediction are this many
# times faster than the PyTorch peer (the epoch goal depends on the ISA the kernels run).
PEAK_GOAL = 0.80
SPARSE_GOAL = 2.0
EPOCH_GOALS = {"avx512": 15.0, "avx2": 10.0}
PREDICT_GOAL = 25.0
STEP_GOAL = 30.0        # target 2: native step at least this many times faster than pure Java
PEER_GOAL = 5.0         # targets 3 and 6: at least this many times faster than the peer
THREADS_GOAL = 1.7      # target 5: 2-thread epoch at least this many times faster than 1-thread
MEMORY_GOAL = 1.0       # target 4: our peak RSS at most the peer's


def load_json(folder, name):
    path = os.path.join(folder, name)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except OSError:
        return None
    if not text:
        return None
    # A harness prints exactly one JSON line; take the last line in case a library printed before it.
    try:
        return json.loads(text.splitlines()[-1])
    except ValueError:
        return None


def fmt_seconds(s):
    if s is None:
        return NA
    if s >= 1:
        return "%.3g s" % s
    if s >= 1e-3:
        return "%.3g ms" % (s * 1e3)
    return "%.3g µs" % (s * 1e6)


def fmt_mib(m):
    return NA if m is None else "%.0f MiB" % m


def ratio(num, den):
    if num is None or den is None or den <= 0:
        return None
    return num / den


def verdict(ok):
    return NA if ok is None else ("yes" if ok else "no")


def load_median(folder, name, key):
    """NAME.json, or of the repeated runs NAME.r1.json, NAME.r2.json, ... the one with the median `key`
    (the lower middle one of an even count), with "repeats" listing every run's `key` in run order."""
    single = load_json(folder, name + ".json")
    if single is not None:
        return single
    runs = []
    i = 1
    while os.path.exists(os.path.join(folder, "%s.r%d.json" % (name, i))):
        runs.append(load_json(folder, "%s.r%d.json" % (name, i)))
        i += 1
    have = [r for r in runs if r and isinstance(r.get(key), (int, float))]
    if not have:
        return None
    median = dict(sorted(have, key=lambda r: r[key])[(len(have) - 1) // 2])
    median["repeats"] = [r.get(key) if r else None for r in runs]
    return median


def fastest(runs, key):
    """The run with the smallest `key` among those that have it, or None."""
    have = [r for r in runs if r and isinstance(r.get(key), (int, float))]
    return min(have, key=lambda r: r[key]) if have else None


def blas_name(paths):
    """A short name for the BLAS the PyTorch peer ran on, from the library files it had mapped."""
    joined = " ".join(paths)
    if "openblas" in joined:
        return "OpenBLAS (%s)" % ", ".join(sorted({os.path.basename(os.path.dirname(p)) for p in paths}))
    if "mkl" in joined:
        return "MKL"
    if any(p.endswith("/blas/libblas.so.3") for p in paths):
        return "the reference BLAS (libblas3): not a fair peer, apt-get install libopenblas0-openmp"
    return ", ".join(paths)


def machine_line(folder, runs):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.MULTILINE)
            if m:
                cpu = m.group(1).strip()
    except OSError:
        pass
    meta = load_json(folder, "run.json") or {}
    java = next((r.get("java") for r in runs if r and r.get("java")), None)
    torch = next((r.get("torch") for r in runs if r and r.get("torch")), None)
    djl = next((r.get("djl") for r in runs if r and r.get("djl")), None)
    mach = load_json(folder, "machine.json")
    if mach and mach.get("cpu"):
        cpu = mach["cpu"]  # with family and model: a VM's bare "AMD EPYC" does not say Zen 4 or Zen 5
    parts = ["%s, %s logical cores" % (cpu, os.cpu_count()), "Linux %s" % platform.release()]
    if mach:
        isa_used = next((r.get("isa") for r in runs if r and r.get("isa")), mach.get("default_isa"))
        peaks = ", ".join("%s %.0f" % (isa, mach["fma_peak_gflops_" + isa])
                          for isa in ("avx512", "avx2", "baseline") if "fma_peak_gflops_" + isa in mach)
        parts.append("native kernels on %s (%s; CPU supports up to %s); measured 1-core FMA peak GFLOP/s: %s"
                     % (isa_used, next((r.get("gemm_ukernel") for r in runs if r and r.get("gemm_ukernel")), "?"),
                        mach.get("best_isa"), peaks))
    if java:
        parts.append("JDK %s" % java)
    if torch:
        blas = next((r.get("blas") for r in runs if r and r.get("blas")), None)
        parts.append("PyTorch %s%s" % (torch, " on " + blas_name(blas) if blas else ""))
    if djl:
        parts.append("DJL %s" % djl)
    when = meta.get("started", "?")
    if meta.get("finished"):
        when += " to " + meta["finished"]
    parts.append(when)
    return "; ".join(parts), meta


def fusion_rows(folder):
    """Target 1: one row per (pass, shape), all thread counts in the cell; holds only if every count holds."""
    path = os.path.join(folder, "jmh.json")
    if not os.path.exists(path):
        return [["1 fusion is free", "JMH did not run", NA, NA]], []
    try:
        results, _, _ = ratios.load(path)
    except ValueError:
        # An interrupted JMH run leaves a truncated file: report it, keep the rest of the table.
        return [["1 fusion is free", "unreadable %s" % path, NA, NA]], []
    by = {}
    shapes = []
    for r in results:
        if r.kernel != "dropout-matmul" or r.impl not in ("native", "sgemm"):
            continue
        by.setdefault((r.op, r.shape, r.threads), {})[r.impl] = r
        if r.shape not in shapes:
            shapes.append(r.shape)
    rows, raw = [], []
    for op in ("forward", "backward"):
        for shape in shapes:
            m = re.match(r"^(\d+)x(\d+)(-first)?$", shape)
            goal = FUSION_GOALS.get(int(m.group(2))) if m else None
            cells, oks = [], []
            for threads in sorted({k[2] for k in by if k[0] == op and k[1] == shape}, key=ratios.thread_key):
                pair = by[(op, shape, threads)]
                x = ratio(pair["native"].seconds if "native" in pair else None,
                          pair["sgemm"].seconds if "sgemm" in pair else None)
                # Three decimals: the goals are close to 1, and a rounded 1.15× must not read as holding 1.15.
                cells.append("%s (%st)" % (NA if x is None else "%.3f×" % x, threads))
                oks.append(None if x is None or goal is None else x <= goal)
                raw.append([op, shape, threads, ratios.fmt_time(pair.get("sgemm")),
                            ratios.fmt_time(pair.get("native")), NA if x is None else "%.3f×" % x])
            if m:
                # Shape names are LayerShape's: DxH is a layer with a (B·K)×D input; -first shares a B×D input
                # among the K samples and computes no input gradient.
                what = "1 fused/sgemm %s, D = %s, H = %s%s" % (op, m.group(1), m.group(2),
                                                           ", first layer (shared input, no dA)" if m.group(3) else "")
            else:
                what = "1 fused/sgemm %s, %s" % (op, shape)
            holds = None if not oks or None in oks else all(oks)
            rows.append([what, ", ".join(cells) or NA, "≤ %.2f×" % goal if goal else "none stated", verdict(holds)])
    if not rows:
        rows.append(["1 fusion is free", "no fused/sgemm results in %s" % path, NA, NA])
    return rows, raw


def layer_flops(op, shape):
    """Multiply-add flops (2 per FMA) of one fused layer call at a LayerShape name, B·K = 1280 rows."""
    m = re.match(r"^(\d+)x(\d+)(-first)?$", shape)
    if not m:
        return None
    rows, d, h = 128 * 10, int(m.group(1)), int(m.group(2))
    product = 2.0 * rows * d * h
    if op == "forward":
        return product
    return product * (1 if m.group(3) else 2)  # dW, plus dA unless the first layer


def peak_rows(folder, machine, isa):
    """Issue #11: the fused kernels' GFLOP/s as a fraction of the measured FMA peak of the ISA in use."""
    path = os.path.join(folder, "jmh.json")
    peak1 = (machine or {}).get("fma_peak_gflops_" + (isa or ""))
    if not os.path.exists(path) or not peak1:
        return [["11 dense fused kernels / FMA peak", "n/a (JMH or the peak probe missing)", "≥ 80 %", NA]], []
    try:
        results, _, _ = ratios.load(path)
    except ValueError:
        return [["11 dense fused kernels / FMA peak", "unreadable %s" % path, "≥ 80 %", NA]], []
    rows, raw = [], []
    for r in results:
        if r.kernel != "dropout-matmul" or r.impl != "native":
            continue
        flops = layer_flops(r.op, r.shape)
        if flops is None or not r.seconds:
            continue
        threads = int(r.threads or 1)
        gflops = flops / r.seconds / 1e9
        frac = gflops / (peak1 * threads)
        raw.append([r.op, r.shape, str(threads), "%.1f" % gflops, "%.1f" % (peak1 * threads), "%.1f %%" % (100 * frac)])
        if r.shape.startswith("784x1000"):
            rows.append(["11 dense fused %s %s on %s, fraction of FMA peak (%dt)" % (r.op, r.shape, isa, threads),
                         "%.1f %% (%.0f of %.0f GFLOP/s)" % (100 * frac, gflops, peak1 * threads),
                         "≥ %.0f %%" % (100 * PEAK_GOAL), verdict(frac >= PEAK_GOAL)])
    return rows, raw


def build(folder):
    f = {name: load_json(folder, name + ".json") for name in (
        "ours-step-java", "ours-step-native-1t", "ours-step-native-2t",
        "ours-predict-1t", "ours-predict-2t", "torch-predict-1t", "torch-predict-2t")}
    for name in ("ours-epoch-1t", "ours-epoch-2t", "torch-train-1t", "torch-train-2t", "djl-train-1t",
                 "djl-train-2t"):
        f[name] = load_median(folder, name, "epoch_seconds")
    machine, meta = machine_line(folder, list(f.values()))
    quick = bool(meta.get("quick"))
    djl_on = bool(meta.get("djl"))

    rows = []
    mach = load_json(folder, "machine.json")
    isa = next((r.get("isa") for r in f.values() if r and r.get("isa")), (mach or {}).get("default_isa"))
    peak, peak_raw = peak_rows(folder, mach, isa)
    rows += peak
    sparse = load_json(folder, "ours-sparse-1t.json")
    x = (sparse or {}).get("dense_over_sparse")
    note = ""
    if sparse:
        note = " (dense %s, sparse %s; forward alone %s; input %.0f %% nonzero)" % (
            fmt_seconds(sparse.get("dense_seconds")), fmt_seconds(sparse.get("sparse_seconds")),
            ratios.fmt_factor(ratio(sparse.get("dense_forward_seconds"), sparse.get("sparse_forward_seconds"))),
            100 * sparse.get("input_nonzero_fraction", 0))
    rows.append(["11 sparse path on %s, first layer fwd + dW at p = 0.5 on Fashion-MNIST images, dense/sparse (1t)"
                 % (sparse or {}).get("isa", isa),
                 ratios.fmt_factor(x) + note, "≥ %.0f×" % SPARSE_GOAL, verdict(None if x is None else x >= SPARSE_GOAL)])
    ours_epoch = fastest([f["ours-epoch-1t"], f["ours-epoch-2t"]], "epoch_seconds")
    torch_epoch = fastest([f["torch-train-1t"], f["torch-train-2t"]], "epoch_seconds")
    x = ratio(torch_epoch and torch_epoch["epoch_seconds"], ours_epoch and ours_epoch["epoch_seconds"])
    goal = EPOCH_GOALS.get(isa)
    rows.append(["11 epoch on %s, PyTorch/ours (each at its fastest thread count)" % isa,
                 ratios.fmt_factor(x) + threads_note(torch_epoch, ours_epoch),
                 "≥ %.0f×" % goal if goal else "none stated for %s" % isa,
                 verdict(None if x is None or goal is None else x >= goal)])
    ours_pred = fastest([f["ours-predict-1t"], f["ours-predict-2t"]], "predict_seconds")
    torch_pred = fastest([f["torch-predict-1t"], f["torch-predict-2t"]], "predict_seconds")
    x = ratio(torch_pred and torch_pred["predict_seconds"], ours_pred and ours_pred["predict_seconds"])
    rows.append(["11 MC prediction on %s, PyTorch/ours (each at its fastest thread count)" % isa,
                 ratios.fmt_factor(x) + threads_note(torch_pred, ours_pred), "≥ %.0f×" % PREDICT_GOAL,
                 verdict(None if x is None else x >= PREDICT_GOAL)])
    fusion, fusion_raw = fusion_rows(folder)
    rows += fusion

    # 2: one full training step, pure Java over native. Judged at 1 native thread: the Java reference is
    # single-threaded, so that is the like-for-like comparison; 2 threads is shown beside it.
    java_step = (f["ours-step-java"] or {}).get("step_seconds_median")
    n1 = (f["ours-step-native-1t"] or {}).get("step_seconds_median")
    n2 = (f["ours-step-native-2t"] or {}).get("step_seconds_median")
    r1, r2 = ratio(java_step, n1), ratio(java_step, n2)
    rows.append(["2 training step, java/native (median step; judged at 1 thread)",
                 "%s (1t), %s (2t)" % (ratios.fmt_factor(r1), ratios.fmt_factor(r2)), "≥ %.0f×" % STEP_GOAL,
                 verdict(None if r1 is None else r1 >= STEP_GOAL)])

    # 3: epoch time, peer over ours, each at its fastest thread count.
    ours_epoch = fastest([f["ours-epoch-1t"], f["ours-epoch-2t"]], "epoch_seconds")
    torch_epoch = fastest([f["torch-train-1t"], f["torch-train-2t"]], "epoch_seconds")
    x = ratio(torch_epoch and torch_epoch["epoch_seconds"], ours_epoch and ours_epoch["epoch_seconds"])
    rows.append(["3 epoch, PyTorch/ours (each at its fastest thread count)",
                 ratios.fmt_factor(x) + threads_note(torch_epoch, ours_epoch), "≥ %.0f×" % PEER_GOAL,
                 verdict(None if x is None else x >= PEER_GOAL)])
    djl_epoch = fastest([f["djl-train-1t"], f["djl-train-2t"]], "epoch_seconds")
    if djl_on:
        x = ratio(djl_epoch and djl_epoch["epoch_seconds"], ours_epoch and ours_epoch["epoch_seconds"])
        rows.append(["3 epoch, DJL/ours (each at its fastest thread count)",
                     ratios.fmt_factor(x) + threads_note(djl_epoch, ours_epoch), "≥ %.0f×" % PEER_GOAL,
                     verdict(None if x is None else x >= PEER_GOAL)])

    # 4: peak RSS of the epoch, ours over PyTorch's, from the runs used in target 3.
    ours_mem = ours_epoch and ours_epoch.get("peak_rss_mib")
    torch_mem = torch_epoch and torch_epoch.get("peak_rss_mib")
    x = ratio(ours_mem, torch_mem)
    rows.append(["4 peak RSS of the epoch, ours/PyTorch",
                 "%s (%s vs %s)" % (ratios.fmt_factor(x), fmt_mib(ours_mem), fmt_mib(torch_mem)) if x else NA,
                 "≤ %.2f×" % MEMORY_GOAL, verdict(None if x is None else x <= MEMORY_GOAL)])
    if djl_on:
        djl_mem = djl_epoch and djl_epoch.get("peak_rss_mib")
        x = ratio(ours_mem, djl_mem)
        rows.append(["4 peak RSS of the epoch, ours/DJL",
                     "%s (%s vs %s)" % (ratios.fmt_factor(x), fmt_mib(ours_mem), fmt_mib(djl_mem)) if x else NA,
                     "≤ %.2f×" % MEMORY_GOAL, verdict(None if x is None else x <= MEMORY_GOAL)])

    # 5: the same epoch on 1 and 2 threads: speed-up and bit-identical results.
    e1, e2 = f["ours-epoch-1t"] or {}, f["ours-epoch-2t"] or {}
    x = ratio(e1.get("epoch_seconds"), e2.get("epoch_seconds"))
    identical = None
    if e1.get("weights_sha256") and e2.get("weights_sha256"):
        identical = e1["weights_sha256"] == e2["weights_sha256"] and e1.get("mean_loss") == e2.get("mean_loss")
    rows.append(["5 epoch 1 thread / 2 threads; weights and losses bit-identical",
                 "%s; identical: %s" % (ratios.fmt_factor(x), verdict(identical)), "≥ %.1f×; yes" % THREADS_GOAL,
                 verdict(None if x is None or identical is None else x >= THREADS_GOAL and identical)])

    # 6: MC prediction, PyTorch over ours, each at its fastest thread count.
    ours_pred = fastest([f["ours-predict-1t"], f["ours-predict-2t"]], "predict_seconds")
    torch_pred = fastest([f["torch-predict-1t"], f["torch-predict-2t"]], "predict_seconds")
    x = ratio(torch_pred and torch_pred["predict_seconds"], ours_pred and ours_pred["predict_seconds"])
    t = (ours_pred or torch_pred or {}).get("test_samples", "?")
    rows.append(["6 MC prediction (T = %s), PyTorch/ours (each at its fastest thread count)" % t,
                 ratios.fmt_factor(x) + threads_note(torch_pred, ours_pred), "≥ %.0f×" % PEER_GOAL,
                 verdict(None if x is None else x >= PEER_GOAL)])

    out = ["## AlphaDrop performance targets (issues #11 and #6)", ""]
    out.append("Machine: " + machine + ".")
    out.append("")
    if quick:
        out.append("**QUICK smoke run**: partial epoch (%s training rows), %s test images, short JMH "
                   "iterations. The ratios only show that every part runs; they are not measurements of the "
                   "targets." % (rows_of(ours_epoch), rows_of(ours_pred)))
        out.append("")
    out.append(ratios.table(["target", "measured", "goal", "holds?"], rows))
    out.append("")
    out.append("Ratios are slower/faster, so larger is better, except rows 1 and 4 (ours/baseline: smaller is "
               "better). All from this one run; a missing or failed measurement shows n/a."
               + (" Epoch times are the median of %d interleaved runs per thread count (all of them are in "
                  "the raw numbers)." % meta["repeat"] if meta.get("repeat", 1) > 1 else ""))
    out.append("")
    out.append("### Raw numbers")
    out.append("")
    raw = []
    for name, what, key in (
            ("ours-step-java", "AlphaDrop training step, pure Java (median)", "step_seconds_median"),
            ("ours-step-native-1t", "AlphaDrop training step, native (median)", "step_seconds_median"),
            ("ours-step-native-2t", "AlphaDrop training step, native (median)", "step_seconds_median"),
            ("ours-epoch-1t", "AlphaDrop epoch", "epoch_seconds"),
            ("ours-epoch-2t", "AlphaDrop epoch", "epoch_seconds"),
            ("torch-train-1t", "PyTorch epoch", "epoch_seconds"),
            ("torch-train-2t", "PyTorch epoch", "epoch_seconds"),
            ("djl-train-1t", "DJL epoch", "epoch_seconds"),
            ("djl-train-2t", "DJL epoch", "epoch_seconds"),
            ("ours-predict-1t", "AlphaDrop MC prediction", "predict_seconds"),
            ("ours-predict-2t", "AlphaDrop MC prediction", "predict_seconds"),
            ("torch-predict-1t", "PyTorch MC prediction", "predict_seconds"),
            ("torch-predict-2t", "PyTorch MC prediction", "predict_seconds")):
        if name.startswith("djl") and not djl_on:
            continue
        r = f[name]
        threads = name.rsplit("-", 1)[-1] if name.endswith("t") else "1"
        if r is None:
            raw.append([what, threads.rstrip("t"), NA, NA, NA, NA, NA, "missing (see %s*.log)" % name])
            continue
        note = []
        if len(r.get("repeats", [])) > 1:
            note.append("median of %s" % " / ".join(NA if v is None else fmt_seconds(v) for v in r["repeats"]))
        if "mean_loss" in r:
            note.append("mean loss %.4f" % r["mean_loss"][-1])
        if r.get("weights_sha256"):
            note.append("weights %s…" % r["weights_sha256"][:12])
        if r.get("peak_rss_scope") == "process":
            note.append("RSS is the process peak (high-water mark could not be reset)")
        raw.append([what, str(r.get("threads", "?")), fmt_seconds(r.get(key)), str(r.get("rows", "")),
                    fmt_seconds(r.get("load_seconds")), fmt_mib(r.get("rss_before_mib")),
                    fmt_mib(r.get("peak_rss_mib")), "; ".join(note)])
    out.append(ratios.table(["measurement", "threads", "time", "rows", "data load", "RSS at start",
                             "peak RSS", "notes"], raw))
    out.append("")
    out.append("Peak RSS is the resident high-water mark of the timed section (reset just before it, so it "
               "counts the data and runtime already resident then, not the loading). \"RSS at start\" is what "
               "was resident when the timed section began.")
    if fusion_raw:
        out.append("")
        out.append("Fused dropout-matmul vs plain sgemm (JMH averages with their 99.9% error):")
        out.append("")
        out.append(ratios.table(["pass", "shape", "threads", "sgemm", "native fused", "fused/sgemm"], fusion_raw))
    if peak_raw:
        out.append("")
        out.append("Fused dropout-matmul throughput against the measured FMA peak of %s (1-core peak × threads):" % isa)
        out.append("")
        out.append(ratios.table(["pass", "shape", "threads", "GFLOP/s", "peak GFLOP/s", "of peak"], peak_raw))
    return "\n".join(out), rows


def rows_of(run):
    return run.get("rows", "?") if run else "?"


def threads_note(peer, ours):
    if not peer or not ours:
        return ""
    return " (peer %st, ours %st)" % (peer.get("threads", "?"), ours.get("threads", "?"))


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: perf_table.py RESULTS_DIR [OUT.md]", file=sys.stderr)
        return 2
    folder = argv[1]
    if not os.path.isdir(folder):
        print("perf_table.py: RESULTS_DIR %s is not a folder" % folder, file=sys.stderr)
        return 2
    text, _ = build(folder)
    print(text)
    if len(argv) == 3:
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
