#!/usr/bin/env python3
"""Markdown ratio tables from one JMH JSON result file (standard library only).

    python3 benchmarks/ratios.py benchmarks/results/latest.json

Two tables, both computed from the one run in the file, so that every ratio compares numbers measured
under the same conditions (ratios from different runs on a shared 2-core machine mean little):

  1. native vs java: java time / native time per kernel and shape, for each native thread count.
  2. fused vs sgemm: fused dropout-matmul time / plain OpenBLAS sgemm time per pass, shape and thread
     count (the Java reference is single-threaded, so it is only set against the 1-thread baseline).

A cell whose benchmark is not in the file (not selected, or failed, e.g. native not built) shows "n/a".
"""

import json
import math
import re
import sys

# JMH's time units, in seconds.
UNIT_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "min": 60.0}

# Benchmark class -> (kernel family shown in the tables, label of the one configuration when the class has
# no "shape" parameter).
FAMILIES = {
    "DropoutMatmulBenchmark": ("dropout-matmul", None),
    "SgemmBaselineBenchmark": ("dropout-matmul", None),
    "AlphaLossBenchmark": ("alpha loss", "B=128 K=10 C=10"),
}

METHOD = re.compile(r"^(?P<op>[a-z]+)(?P<impl>Java|Native)?$")

NA = "n/a"


class Result:
    def __init__(self, kernel, op, impl, shape, threads, seconds, rel_error):
        self.kernel = kernel      # e.g. "dropout-matmul"
        self.op = op              # e.g. "forward", "backward", "categorical"
        self.impl = impl          # "java", "native" or "sgemm"
        self.shape = shape        # e.g. "784x100-first"
        self.threads = threads    # "1", "2", or None for the single-threaded Java reference
        self.seconds = seconds
        self.rel_error = rel_error  # JMH's 99.9% half-width / score, or None when JMH gave none


def load(path):
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    results, skipped, info = [], [], {}
    for e in entries:
        info.setdefault("jmh", e.get("jmhVersion"))
        info.setdefault("jdk", e.get("jdkVersion"))
        name = e["benchmark"]
        parts = name.split(".")
        cls, method = parts[-2], parts[-1]
        metric = e["primaryMetric"]
        unit = metric["scoreUnit"]
        time_unit, _, per = unit.partition("/")
        # Ratios below assume time per operation; a throughput run (-bm thrpt) would invert them.
        if per != "op" or time_unit not in UNIT_SECONDS:
            skipped.append("%s (%s, unit %s)" % (name, e.get("mode"), unit))
            continue
        m = METHOD.match(method)
        if cls not in FAMILIES or not m:
            skipped.append("%s (not a benchmark these tables know)" % name)
            continue
        family, fixed_label = FAMILIES[cls]
        impl = (m.group("impl") or "sgemm").lower()
        params = e.get("params") or {}
        shape = params.get("shape", fixed_label or "")
        threads = params.get("threads")
        score = float(metric["score"])
        error = metric.get("scoreError")
        rel_error = None
        if isinstance(error, (int, float)) and math.isfinite(error) and score > 0:
            rel_error = float(error) / score
        results.append(Result(family, m.group("op"), impl, shape, threads,
                              score * UNIT_SECONDS[time_unit], rel_error))
    return results, skipped, info


def fmt_time(r):
    if r is None:
        return NA
    s = r.seconds
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            break
    else:
        unit, scale = "ns", 1e-9
    v = s / scale
    text = ("%.3g" % v) if v < 1000 else ("%.0f" % v)
    text += " " + unit
    if r.rel_error is not None:
        text += " ±%.0f%%" % (100 * r.rel_error)
    return text


def fmt_ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator.seconds <= 0:
        return NA
    return fmt_factor(numerator.seconds / denominator.seconds)


def fmt_factor(x):
    """A ratio with three significant digits at most, e.g. 1.17×, 23.1×, 140×; n/a for None."""
    if x is None:
        return NA
    if x >= 100:
        return "%.0f×" % x
    if x >= 10:
        return "%.1f×" % x
    return "%.2f×" % x


def op_rank(op):
    return {"forward": 0, "backward": 1}.get(op, 2)


def thread_key(t):
    return int(t) if t is not None and t.isdigit() else 0


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def native_vs_java(results):
    by = {}
    order = []
    native_threads = sorted({r.threads for r in results if r.impl == "native" and r.threads}, key=thread_key)
    if not native_threads:
        native_threads = ["1", "2"]  # still show the columns, as n/a, so a missing backend is visible
    for r in results:
        if r.impl not in ("java", "native"):
            continue
        key = (r.kernel, r.op, r.shape)
        if key not in by:
            by[key] = {}
            order.append(key)
        by[key][(r.impl, r.threads if r.impl == "native" else None)] = r
    # Matmul before loss, forward before backward, shapes in the order the run met them.
    shapes = []
    for k in order:
        if k[2] not in shapes:
            shapes.append(k[2])
    order.sort(key=lambda k: (k[0] != "dropout-matmul", op_rank(k[1]), shapes.index(k[2])))
    header = ["kernel", "shape", "java"]
    header += ["native %st" % t for t in native_threads]
    header += ["java/native %st" % t for t in native_threads]
    rows = []
    for key in order:
        cells = by[key]
        java = cells.get(("java", None))
        natives = [cells.get(("native", t)) for t in native_threads]
        rows.append(["%s %s" % (key[0], key[1]), key[2], fmt_time(java)]
                    + [fmt_time(n) for n in natives]
                    + [fmt_ratio(java, n) for n in natives])
    return table(header, rows)


def fused_vs_sgemm(results):
    by = {}
    order = []
    java = {}
    for r in results:
        if r.kernel != "dropout-matmul":
            continue
        if r.impl == "java":
            java[(r.op, r.shape)] = r
            continue
        key = (r.op, r.shape, r.threads)
        if key not in by:
            by[key] = {}
            order.append(key)
        by[key][r.impl] = r
    # Java results with no sgemm or native row of their own still get a row (with n/a baselines).
    for (op, shape) in java:
        if not any(k[0] == op and k[1] == shape for k in order):
            order.append((op, shape, "1"))
            by[(op, shape, "1")] = {}
    # Forward before backward, shapes in the order the run met them, then by thread count.
    shapes = []
    for k in order:
        if k[1] not in shapes:
            shapes.append(k[1])
    order.sort(key=lambda k: (op_rank(k[0]), shapes.index(k[1]), thread_key(k[2])))
    header = ["pass", "shape", "threads", "sgemm", "native fused", "native/sgemm", "java fused", "java/sgemm"]
    rows = []
    for key in order:
        op, shape, threads = key
        sgemm = by[key].get("sgemm")
        native = by[key].get("native")
        # The Java reference is single-threaded: set it against the 1-thread baseline only.
        j = java.get((op, shape)) if threads == "1" else None
        rows.append([op, shape, threads or "", fmt_time(sgemm), fmt_time(native), fmt_ratio(native, sgemm),
                     fmt_time(j) if threads == "1" else "", fmt_ratio(j, sgemm) if threads == "1" else ""])
    return table(header, rows)


def main(argv):
    if len(argv) != 2:
        print("usage: ratios.py RESULTS.json", file=sys.stderr)
        return 2
    results, skipped, info = load(argv[1])
    out = []
    out.append("## AlphaDrop kernel ratios")
    out.append("")
    out.append("From `%s` (JMH %s, JDK %s); times are JMH averages per call with their 99.9%% error where "
               "JMH gave one. One run, one machine: compare ratios, not absolute times, across runs."
               % (argv[1], info.get("jmh", "?"), info.get("jdk", "?")))
    out.append("")
    out.append("### Native vs Java (java/native > 1: native is faster)")
    out.append("")
    out.append(native_vs_java(results))
    out.append("")
    out.append("### Fused dropout-matmul vs plain sgemm (fused/sgemm; 1.00 = the fusion costs nothing)")
    out.append("")
    out.append("sgemm multiplies an already masked, already expanded (B·K)×D input; backward is dW = Aᵀ dZ, "
               "plus dA = dZ Wᵀ for hidden layers (`-first` layers compute no input gradient). "
               "Native and sgemm at the same thread count; Java is single-threaded and set against 1 thread.")
    out.append("")
    out.append(fused_vs_sgemm(results))
    if not any(r.impl == "native" for r in results):
        out.append("")
        out.append("No native results in this run (not selected, or the native library is not built).")
    if skipped:
        out.append("")
        out.append("Not tabulated: " + "; ".join(skipped))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
