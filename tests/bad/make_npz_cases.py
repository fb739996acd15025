#!/usr/bin/env python3
"""Writes the malformed tests/bad/npz-*.npz files (run from the project root:
`python3 tests/bad/make_npz_cases.py`). The archives are built by hand with struct, zlib and
zipfile (no NumPy needed) so each one breaks exactly one thing: a size, an offset, a header
byte. Every file starts from the weights of lessons/00-welcome.md's 2-4-1 net:
layers.0.weight (4, 2), layers.0.bias (4,), layers.1.weight (1, 4), layers.1.bias (1,).
The expected messages are in the matching npz-*.case files; tests/bad/run.sh checks them.
The files are committed, so this script only needs to run again to change a case."""
import os
import struct
import zlib

OUT = os.path.dirname(os.path.abspath(__file__))


def npy(values, shape, descr="<f4", fortran="False", header=None, magic=b"\x93NUMPY"):
    """The .npy v1.0 bytes numpy.save writes: a dict header padded to 64 bytes, then data."""
    if header is None:
        dims = "".join("%d," % d for d in shape) if len(shape) == 1 else ", ".join("%d" % d for d in shape)
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, fortran, dims)
    head = header.encode("latin1")
    pad = 64 - (10 + len(head) + 1) % 64
    head += b" " * (pad % 64) + b"\n"
    fmt = {"<f4": "<%df", "<f8": "<%dd", "<i4": "<%di"}[descr] % len(values)
    return magic + b"\x01\x00" + struct.pack("<H", len(head)) + head + struct.pack(fmt, *values)


def good_arrays():
    w0 = [0.5, -0.5, 0.25, -0.25, 1.0, -1.0, 0.75, -0.75]
    return {
        "layers.0.weight": (w0, (4, 2)),
        "layers.0.bias": ([0.0, 0.1, -0.1, 0.2], (4,)),
        "layers.1.weight": ([1.0, -1.0, 0.5, -0.5], (1, 4)),
        "layers.1.bias": ([0.0], (1,)),
    }


def members(arrays=None, **over):
    """name.npy -> bytes for the good arrays, with some replaced (None drops one)."""
    arrays = dict(good_arrays(), **(arrays or {}))
    out = {k + ".npy": npy(*v) for k, v in arrays.items() if v is not None}
    for k, v in over.items():
        out[k] = v
    return out


def zip_bytes(files, deflate=False, patch=None):
    """A zip archive like numpy.savez writes (stored, or deflated like savez_compressed).
    patch(name, fields) may change a member's central-directory fields before they are
    packed: method, crc, csize, usize, offset, extra, data (the bytes written)."""
    local, central = b"", b""
    for name, raw in files.items():
        data = raw
        method = 0
        if deflate:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = c.compress(raw) + c.flush()
            method = 8
        f = dict(method=method, crc=zlib.crc32(raw), csize=len(data), usize=len(raw), offset=len(local),
                 extra=b"", data=data, name=name.encode("latin1"))
        if patch:
            patch(name, f)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, f["method"], 0, 0x21, f["crc"],
                             f["csize"] & 0xFFFFFFFF, f["usize"] & 0xFFFFFFFF, len(f["name"]), 0)
        local += f["name"] + f["data"]
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, f["method"], 0, 0x21, f["crc"],
                               f["csize"] & 0xFFFFFFFF, f["usize"] & 0xFFFFFFFF, len(f["name"]),
                               len(f["extra"]), 0, 0, 0, 0x81A40000, f["offset"] & 0xFFFFFFFF)
        central += f["name"] + f["extra"]
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(central), len(local), 0)
    return local + central + eocd


def write(name, data):
    with open(os.path.join(OUT, "npz-%s.npz" % name), "wb") as fh:
        fh.write(data)


def main():
    good = zip_bytes(members())

    # The zip layer: offsets and sizes that point outside the file.
    write("empty", b"")
    write("truncated", good[: len(good) // 2])
    eocd = len(good) - 22
    write("eocd-offset-past-end", good[: eocd + 16] + struct.pack("<I", len(good) + 100) + good[eocd + 20 :])
    # cd_off = 0xFFFFFFFF sends the reader to the ZIP64 locator, whose record offset is
    # 2^64 - 16: `offset + 56 > len` wrapped to a small number and passed.
    locator = struct.pack("<IIQI", 0x07064B50, 0, 2**64 - 16, 1)
    write("zip64-locator-wrap",
          good[:eocd] + locator + good[eocd : eocd + 16] + b"\xff\xff\xff\xff" + good[eocd + 20 :])

    # A ZIP64 extra field with a local-header offset of 2^64 - 10: `offset + 30 > len` wrapped.
    def wrap_offset(name, f):
        if name == "layers.0.weight.npy":
            f["offset"] = 0xFFFFFFFF
            f["extra"] = struct.pack("<HHQ", 1, 8, 2**64 - 10)

    write("zip64-extra-wrap", zip_bytes(members(), patch=wrap_offset))

    # A stored member whose uncompressed size claims 2 GiB (the compressed size is honest):
    # the reader allocated the 2 GiB before it compared the two sizes.
    def stored_2g(name, f):
        if name == "layers.0.weight.npy":
            f["usize"] = 1 << 31

    write("stored-claims-2gib", zip_bytes(members(), patch=stored_2g))

    # A deflated member of a few dozen bytes claiming 2 GiB - 1 uncompressed: deflate cannot
    # expand more than 1032 times, so it is refused before any allocation.
    def deflate_huge(name, f):
        if name == "layers.0.weight.npy":
            f["usize"] = (1 << 31) - 1

    write("deflate-claims-huge", zip_bytes(members(), deflate=True, patch=deflate_huge))

    # A deflated member that inflates to fewer bytes than it declares (within the ratio).
    def deflate_short(name, f):
        if name == "layers.0.weight.npy":
            f["usize"] += 16

    write("deflate-size-mismatch", zip_bytes(members(), deflate=True, patch=deflate_short))

    # The .npy layer.
    bad_magic = npy(*good_arrays()["layers.0.weight"], magic=b"\x93NUMPZ")
    write("bad-npy-magic", zip_bytes(members(**{"layers.0.weight.npy": bad_magic})))
    no_shape = npy(*good_arrays()["layers.0.weight"], header="{'descr': '<f4', 'fortran_order': False, }")
    write("bad-npy-dict", zip_bytes(members(**{"layers.0.weight.npy": no_shape})))
    # 2^31 * 2^31 * 4 elements wrap a 64-bit count to 0: the array passed as empty.
    overflow = npy([0.0] * 8, (4, 2), header="{'descr': '<f4', 'fortran_order': False, "
                   "'shape': (2147483648, 2147483648, 4), }")
    write("shape-overflow", zip_bytes(members(**{"layers.0.weight.npy": overflow})))
    write("wrong-dtype", zip_bytes(members({"layers.0.weight": None},
                                           **{"layers.0.weight.npy": npy(list(range(8)), (4, 2), "<i4")})))
    fortran = npy(*good_arrays()["layers.0.weight"], fortran="True")
    write("fortran-order", zip_bytes(members(**{"layers.0.weight.npy": fortran})))
    f8 = npy([0.5, 1e300, 0, 0, 0, 0, 0, 0], (4, 2), "<f8")
    write("f8-out-of-range", zip_bytes(members(**{"layers.0.weight.npy": f8})))
    # Two members of one name: numpy.load keeps the last, a reader taking the first would
    # load other weights than numpy shows; refused as ambiguous.
    again = dict(members(), **{"again": npy([0.0] * 8, (4, 2))})
    write("duplicate-member", zip_bytes(again, patch=lambda n, f: f.update(name=b"layers.0.weight.npy")
                                        if n == "again" else None))
    # A member name with a newline and an escape sequence: the message shows '?' for them.
    newline = npy(*good_arrays()["layers.0.weight"], header="{'descr': '<f4', 'fortran_order': False, }")
    write("name-with-newline", zip_bytes(members(**{"layers.0.weight.npy": newline}),
                                         patch=lambda n, f: f.update(name=b"layers.0.\n\x1b[31mweight.npy")
                                         if n == "layers.0.weight.npy" else None))

    # The weights layer: well-formed archives the net cannot use.
    write("wrong-shape", zip_bytes(members({"layers.0.weight": (good_arrays()["layers.0.weight"][0], (2, 4))})))
    write("missing-array", zip_bytes(members({"layers.1.bias": None})))
    nan_w = list(good_arrays()["layers.0.weight"][0])
    nan_w[5] = float("nan")
    write("nan-weight", zip_bytes(members({"layers.0.weight": (nan_w, (4, 2))})))
    write("inf-bias", zip_bytes(members({"layers.1.bias": ([float("inf")], (1,))}), deflate=True))
    # For npz-fp16-overflow.md (the same 2-4-1 net in fp16): finite, but fp16 tops out at 65504.
    big = list(good_arrays()["layers.0.weight"][0])
    big[3] = 70000.0
    write("fp16-overflow", zip_bytes(members({"layers.0.weight": (big, (4, 2))})))
    # For npz-negative-var.md (dense 4, batchnorm, dense 1): a running variance below 0.
    bn = {
        "layers.1.weight": ([1.0] * 4, (4,)),
        "layers.1.bias": ([0.0] * 4, (4,)),
        "layers.1.running_mean": ([0.0] * 4, (4,)),
        "layers.1.running_var": ([1.0, 1.0, -0.5, 1.0], (4,)),
        "layers.2.weight": good_arrays()["layers.1.weight"],
        "layers.2.bias": good_arrays()["layers.1.bias"],
    }
    write("negative-var", zip_bytes(members(bn)))


if __name__ == "__main__":
    main()
