#!/usr/bin/env python3
"""Writes the malformed tests/bad/idx-*.idx and idx-*.idx.gz files (run from anywhere:
`python3 tests/bad/idx-make-cases.py`). IDX is MNIST's format: a big-endian magic
(0x00000803 images, 0x00000801 labels), the sizes as u32, then one byte per pixel or label.
Each file breaks one thing; the lessons idx-*.md name them and the idx-*.case files hold the
one line deepstep must print (tests/bad/run.sh checks them). gzip files are written with
mtime 0 and no name, so the bytes are the same on every run. The files are committed, so
this only needs to run again to change a case. The CSV cases (csv-*.csv) are plain text."""
import gzip
import io
import os
import random
import struct

OUT = os.path.dirname(os.path.abspath(__file__))


def images(n, rows, cols, data=b""):
    return struct.pack(">IIII", 0x803, n, rows, cols) + data


def labels(n, data=b""):
    return struct.pack(">II", 0x801, n) + data


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as f:
        f.write(data)
    return out.getvalue()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


SMALL = bytes([0, 64, 128, 255, 255, 128, 64, 0])  # two 2x2 images

write("idx-small-images.idx", images(2, 2, 2, SMALL))
write("idx-small-labels.idx", labels(2, bytes([0, 1])))
# The headers: 10,000,000 images of 256x256 (655 GB) in 16 bytes, labels in 8.
write("idx-huge-header-images.idx", images(10000000, 256, 256))
write("idx-huge-header-labels.idx", labels(10000000))
write("idx-huge-labels.idx", labels(4000000000))
# Within the limits (60,000 x 28 x 28, MNIST's training set) but no data at all.
write("idx-header-only-images.idx", images(60000, 28, 28))
write("idx-header-only-labels.idx", labels(60000))
write("idx-truncated-images.idx", images(2, 2, 2, bytes([1, 2, 3, 4, 5])))
write("idx-truncated-labels.idx", labels(2, bytes([1])))
# Two 32x32 images of random bytes (stored deflate blocks), the file cut at 1600 bytes:
# the first image inflates whole, the second does not.
rnd = random.Random(7)
write("idx-gz-truncated.idx.gz", gz(images(2, 32, 32, bytes(rnd.randrange(256) for _ in range(2048))))[:1600])
# The CRC-32 in the gzip trailer (the last 8 bytes: CRC, then length) flipped.
crc = bytearray(gz(images(2, 2, 2, SMALL)))
crc[-8] ^= 0xFF
write("idx-gz-crc.idx.gz", bytes(crc))
# A gzip header, then a final deflate block of the reserved type 3 (BFINAL 1, BTYPE 11).
write("idx-gz-bad-block.idx.gz", bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0x07]) + bytes(20))
# 1,000,000 images of 16x16 (256 MB, within the limits) declared in 33 compressed bytes.
write("idx-gz-huge-header-images.idx.gz", gz(images(1000000, 16, 16)))
write("idx-gz-huge-header-labels.idx.gz", gz(labels(1000000)))
