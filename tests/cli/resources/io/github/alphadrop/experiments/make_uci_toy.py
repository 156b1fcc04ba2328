"""Writes uci-toy/, a 48-row set in the UCI split-folder layout, for the benchmark tests.

y = 3 x0 - 2 x1 + x2^2 + noise with x ~ U(0, 10): a smooth target in units far from 0 and 1, so that
the tests notice when normalisation is skipped or metrics are not mapped back to original units. The
target is column 2 (not the last) to exercise index_target.txt. Two splits of 38 train / 10 test rows.
Run from this folder: python3 make_uci_toy.py (deterministic; the output is checked in).
"""
import os
import random

rng = random.Random(5)
rows = []
for _ in range(48):
    x = [rng.uniform(0, 10) for _ in range(3)]
    y = 3 * x[0] - 2 * x[1] + x[2] ** 2 + rng.gauss(0, 1)
    rows.append([x[0], x[1], y, x[2]])

os.makedirs("uci-toy", exist_ok=True)


def write(name, text):
    with open(os.path.join("uci-toy", name), "w") as f:
        f.write(text)


write("data.txt", "".join(" ".join(f"{v:.4f}" for v in r) + "\n" for r in rows))
write("index_features.txt", "0\n1\n3\n")
write("index_target.txt", "2\n")
write("n_splits.txt", "2\n")
for split in range(2):
    perm = list(range(48))
    random.Random(100 + split).shuffle(perm)
    write(f"index_train_{split}.txt", "".join(f"{r}\n" for r in perm[10:]))
    write(f"index_test_{split}.txt", "".join(f"{r}\n" for r in perm[:10]))
