#!/usr/bin/env python3
"""Regenerates the small data-loader fixtures in this folder (run from this folder).

The fixtures are committed; this script documents exactly how each was made, so a reviewer can
see which bytes are wrong in each malformed variant. Gzip output uses mtime=0 so it is reproducible.
"""
import gzip
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, data):
    path = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def idx_images(images, rows, cols, magic=0x00000803, count=None):
    header = struct.pack(">IIII", magic, len(images) if count is None else count, rows, cols)
    return header + bytes(b for img in images for b in img)


def idx_labels(labels, magic=0x00000801, count=None):
    return struct.pack(">II", magic, len(labels) if count is None else count) + bytes(labels)


# ---------------------------------------------------------------- IDX
# 2x3 images; pixel values chosen so that /255 is easy to check (0, 51 -> 0.2, 255 -> 1).
TRAIN_IMAGES = [[0, 51, 102, 153, 204, 255], [255, 0, 0, 0, 0, 255], [1, 2, 3, 4, 5, 6]]
TRAIN_LABELS = [0, 2, 1]
TEST_IMAGES = [[10, 20, 30, 40, 50, 60], [0, 0, 0, 0, 0, 0]]
TEST_LABELS = [3, 0]

# ok/: train raw, t10k gzipped (with .gz), standard dash names.
write("idx/ok/train-images-idx3-ubyte", idx_images(TRAIN_IMAGES, 2, 3))
write("idx/ok/train-labels-idx1-ubyte", idx_labels(TRAIN_LABELS))
write("idx/ok/t10k-images-idx3-ubyte.gz", gz(idx_images(TEST_IMAGES, 2, 3)))
write("idx/ok/t10k-labels-idx1-ubyte.gz", gz(idx_labels(TEST_LABELS)))

# dotted/: mirror naming with a dot; gzip content WITHOUT .gz name, raw content WITH a .gz name,
# so only magic-byte detection reads both.
write("idx/dotted/train-images.idx3-ubyte", gz(idx_images(TRAIN_IMAGES, 2, 3)))
write("idx/dotted/train-labels.idx1-ubyte.gz", idx_labels(TRAIN_LABELS))
write("idx/dotted/t10k-images.idx3-ubyte", idx_images(TEST_IMAGES, 2, 3))
write("idx/dotted/t10k-labels.idx1-ubyte", idx_labels(TEST_LABELS))

# mismatch/: 3 train images but 2 labels.
write("idx/mismatch/train-images-idx3-ubyte", idx_images(TRAIN_IMAGES, 2, 3))
write("idx/mismatch/train-labels-idx1-ubyte", idx_labels(TRAIN_LABELS[:2]))

# bad/: single malformed files.
good_images = idx_images(TRAIN_IMAGES, 2, 3)
write("idx/bad/labels-magic-in-images", idx_labels(TRAIN_LABELS))           # a labels file read as images
write("idx/bad/random-magic", struct.pack(">I", 0x12345678) + good_images[4:])
write("idx/bad/float-type", idx_images(TRAIN_IMAGES, 2, 3, magic=0x00000D03))
write("idx/bad/truncated-header", good_images[:10])
write("idx/bad/truncated-images", good_images[:16 + 6 * 2 + 3])                 # 2.5 of 3 images
write("idx/bad/truncated-images.gz", gz(good_images)[:-12])                     # gzip stream cut short
write("idx/bad/trailing-images", good_images + b"\x00")
write("idx/bad/truncated-labels", idx_labels(TRAIN_LABELS)[:-1])
write("idx/bad/not-gzip.gz", b"\x1f\x8b" + b"garbage, not a deflate stream")

# ---------------------------------------------------------------- UCI
# tiny/: 8 rows, columns: f0, f1 (constant 5), f2, target. Tabs and spaces mixed, CRLF on one line,
# two trailing blank lines; feature indices written as numpy floats. Split 0 trains on rows 0-5, whose
# statistics are round: f0 mean 2 std 1, f1 constant (std stays 1), f2 mean 20 std 10, target mean 3 std 1.
DATA = [
    [1, 5, 10, 2],
    [3, 5, 10, 4],
    [1, 5, 30, 2],
    [3, 5, 30, 4],
    [1, 5, 10, 2],
    [3, 5, 30, 4],
    [7, 5, 0, 10],
    [-1, 5, 40, -1],
]


def data_txt(rows):
    lines = []
    for i, r in enumerate(rows):
        sep = "\t" if i % 2 else "  "
        lines.append(" " + sep.join(repr(float(v)) if i == 3 else str(v) for v in r) + ("\r" if i == 2 else ""))
    return "\n".join(lines) + "\n\n\n"


def uci(folder, rows=DATA, features="0.0000000e+00\n1.0000000e+00\n2.0000000e+00\n", target="3\n",
        n_splits="2\n", splits=(([0, 1, 2, 3, 4, 5], [6, 7]), ([2, 3, 4, 5, 6, 7], [0, 1])), data=None):
    write(f"uci/{folder}/data.txt", data if data is not None else data_txt(rows))
    write(f"uci/{folder}/index_features.txt", features)
    write(f"uci/{folder}/index_target.txt", target)
    write(f"uci/{folder}/n_splits.txt", n_splits)
    for i, (tr, te) in enumerate(splits):
        write(f"uci/{folder}/index_train_{i}.txt", "".join(f"{r}\n" for r in tr))
        write(f"uci/{folder}/index_test_{i}.txt", "".join(f"{r}\n" for r in te))


uci("tiny")
uci("ragged", data="1 2 3 4\n5 6 7 8\n9 10 11\n1 2 3 4\n")
uci("nonnumeric", data="1 2 3 4\n5 6 x7 8\n9 10 11 12\n1 2 3 4\n")
uci("row-out-of-range", splits=(([0, 1, 2, 3, 4, 8], [6, 7]),))
uci("column-out-of-range", target="4\n", splits=(([0, 1, 2, 3, 4, 5], [6, 7]),))
uci("fractional-index", splits=(([0, 1, 2.5, 3], [6, 7]),))
uci("overlap", splits=(([0, 1, 2, 3, 4, 5], [5, 6, 7]),))
uci("bad-nsplits", n_splits="two\n")

# ---------------------------------------------------------------- CSV
write("csv/header-regression.csv", "x1,x2,price\n1,2,10.5\n3,4,20\n5,6,30.25\n")
write("csv/noheader-classification.csv", "0.5,1,0\n1.5,2,1\n2.5,3,2.0\n3.5,4,1\n")
# BOM, quoted header names (one with a comma), blank lines, target in the middle, CRLF line ends.
write("csv/quoted.csv", "\ufeff\"a\", \"the, target\" ,\"c\"\r\n\r\n1,\"7\",2\r\n3,8,4\r\n\r\n")
write("csv/gzip-named.csv", gz(b"f,label\n0.25,1\n0.75,0\n"))
write("csv/train.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,2\n")
write("csv/test.csv", "a,b,y\n0.5,0.5,1\n2,2,3\n")        # label 3 unseen in train: classes widen to 4
write("csv/ragged.csv", "a,b,y\n1,2,3\n4,5,6\n7,8\n")
write("csv/nonnumeric.csv", "a,b,y\n1,2,3\n4,abc,6\n")
write("csv/empty-cell.csv", "1,2,3\n4,,6\n")
write("csv/nan.csv", "a,b,y\n1,NaN,3\n")
write("csv/bad-label.csv", "a,b,label\n1,2,0\n3,4,2.5\n")
write("csv/negative-label.csv", "1,2,0\n3,4,-1\n")
write("csv/header-only.csv", "a,b,y\n\n")
write("csv/empty.csv", "\n\n")
write("csv/unterminated-quote.csv", "a,b,y\n1,\"2,3\n")
write("csv/one-column.csv", "1\n2\n")
