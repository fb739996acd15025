#!/usr/bin/env python3
"""Writes the generated seed inputs of tests/fuzz/corpus/{idx,idx_gz,npz} (standard library
only: struct, gzip, zipfile, zlib). Run from anywhere: python3 tests/fuzz/gen_seeds.py.

IDX harness input: 2 bytes little-endian L, L bytes of the labels file, then the images file.
fuzz_idx writes both parts as they are; fuzz_idx_gz gzip-compresses each part first, so its
seeds are the same plain layouts (the gzip-inside seeds are for fuzz_idx only)."""
import gzip
import io
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def images(n, rows, cols, pixels=None, magic=0x803):
    if pixels is None:
        pixels = bytes((i * 37) & 0xFF for i in range(n * rows * cols))
    return struct.pack(">IIII", magic, n, rows, cols) + pixels


def labels(n, values=None, magic=0x801):
    if values is None:
        values = bytes(i % 10 for i in range(n))
    return struct.pack(">II", magic, n) + values


def pack(lab, img):
    return struct.pack("<H", len(lab)) + lab + img


def write(sub, name, data):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(b):
    return gzip.compress(b, mtime=0)


IDX = {
    "valid-2x4x4": pack(labels(2), images(2, 4, 4)),
    "valid-1x28x28": pack(labels(1, b"\x07"), images(1, 28, 28)),
    "valid-3x1x1-label255": pack(labels(3, b"\x00\xff\x01"), images(3, 1, 1)),
    "bad-magic": pack(labels(2, magic=0x802), images(2, 2, 2, magic=0x804)),
    "count-mismatch": pack(labels(3), images(2, 2, 2)),
    "truncated-pixels": pack(labels(2), images(2, 4, 4)[:30]),
    "truncated-labels": pack(labels(4)[:10], images(4, 1, 2)),
    "truncated-header": pack(labels(1)[:6], images(1, 1, 1)[:9]),
    "zero-images": pack(labels(0), images(0, 3, 3, b"")),
    "refused-size": pack(labels(1), images(1, 300, 300, b"\x00" * 16)),
}
# MNIST-sized headers over data cut short: the loader must refuse them without allocating
# what they declare (and they are a few mutations away from declaring more).
IDX["mnist-header-truncated"] = pack(labels(60000, b"\x05\x00\x04"), images(60000, 28, 28, b"\x00" * 64))
IDX["max-rows-header-truncated"] = pack(labels(10000000, b""), images(10000000, 1, 1, b""))
IDX["max-features-header-truncated"] = pack(labels(2, b"\x01"), images(2, 256, 256, b"\x00" * 32))
for name, data in IDX.items():
    write("idx", name, data)
    write("idx_gz", name, data)
# Already-gzipped parts: gzread decompresses them transparently (fuzz_idx only).
lab, img = labels(2), images(2, 4, 4)
write("idx", "gzip-inside", pack(gz(lab), gz(img)))
write("idx", "gzip-inside-truncated", pack(gz(lab), gz(img)[:-12]))


def npy(shape, values, descr="<f4", fortran=False, version=1):
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False",
        "".join("%d, " % s for s in shape) if len(shape) != 1 else "%d," % shape[0])
    fmt = {"<f4": "<%df", "<f8": "<%dd", "<i4": "<%di"}[descr]
    body = struct.pack(fmt % len(values), *values)
    pre = 10 if version == 1 else 12
    pad = (-(pre + len(hdr) + 1)) % 64
    hdr = (hdr + " " * pad + "\n").encode()
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr))
    else:
        head = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(hdr))
    return head + hdr + body


def npz(members, method=zipfile.ZIP_STORED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return out.getvalue()


W = [-0.5, -0.25, 0.0, 0.25, 0.5, 0.75]
B = [1.5, -2.0]
dense = [("layers.0.weight", npy((2, 3), W)), ("layers.0.bias", npy((2,), B))]
bn = [("layers.1.weight", npy((2,), [1.0, 1.0])), ("layers.1.bias", npy((2,), [0.0, 0.0])),
      ("layers.1.running_mean", npy((2,), [0.0, 0.0])), ("layers.1.running_var", npy((2,), [1.0, 1.0]))]
write("npz", "py-stored-dense-bn.npz", npz(dense + bn))
write("npz", "py-deflated-dense.npz", npz(dense, zipfile.ZIP_DEFLATED))
write("npz", "py-npy-v2-f8.npz", npz([("layers.0.weight", npy((2, 3), W, "<f8", version=2)),
                                      ("layers.0.bias", npy((2,), B, "<f8", version=3))]))
write("npz", "py-scalar-and-4d.npz", npz([("s", npy((), [3.0])), ("t", npy((1, 1, 2, 1), [1.0, 2.0]))]))
write("npz", "py-wrong-shape.npz", npz([("layers.0.weight", npy((3, 2), W)), ("layers.0.bias", npy((2,), B))]))
write("npz", "py-empty-archive.npz", npz([]))


def zip_by_hand(members, zip64_extra=False, zip64_eocd=False):
    """A stored zip written field by field: with zip64_extra every central-directory entry
    keeps its sizes and offset in a ZIP64 extra field (0xFFFFFFFF in the 32-bit ones); with
    zip64_eocd a ZIP64 end record and locator precede an end record of 0xFFFF/0xFFFFFFFF."""
    import zlib
    out, cd = b"", b""
    for name, data in members:
        name = (name + ".npy").encode()
        crc = zlib.crc32(data)
        off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name), 0)
        out += name + data
        if zip64_extra:
            extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), off)
            c32 = u32 = o32 = 0xFFFFFFFF
        else:
            extra, c32, u32, o32 = b"", len(data), len(data), off
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, c32, u32,
                          len(name), len(extra), 0, 0, 0, 0, o32) + name + extra
    cd_off, n = len(out), len(members)
    out += cd
    if zip64_eocd:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(cd), cd_off)
        out += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), cd_off, 0)
    return out


write("npz", "hand-zip64-extra.npz", zip_by_hand(dense, zip64_extra=True))
write("npz", "hand-zip64-eocd.npz", zip_by_hand(dense, zip64_eocd=True))
write("npz", "hand-zip64-both-bn.npz", zip_by_hand(dense + bn, zip64_extra=True, zip64_eocd=True))
