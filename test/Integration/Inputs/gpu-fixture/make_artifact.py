#!/usr/bin/env python3
"""Wraps a host-code shared object and a manifest (JSON file) into a Phalanx
artifact (docs/artifact-format.md, version 1): 32-byte header, section table,
payloads at 64-byte boundaries with zero padding, FNV-1a 64 checksums.

    make_artifact.py MANIFEST.json HOST.so OUT.phx
"""
import json
import struct
import sys


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_artifact(sections, out):
    """sections: list of (kind, index, payload bytes)."""
    table_end = 32 + 32 * len(sections)
    offsets, off = [], (table_end + 63) // 64 * 64
    for _, _, payload in sections:
        offsets.append(off)
        off = (off + len(payload) + 63) // 64 * 64
    total = offsets[-1] + len(sections[-1][2])
    buf = bytearray(total)
    buf[0:32] = b"PHXARTF\0" + struct.pack("<IIQQ", 1, len(sections), total, 0)
    for i, ((kind, index, payload), o) in enumerate(zip(sections, offsets)):
        buf[32 + 32 * i:64 + 32 * i] = struct.pack("<IIQQQ", kind, index, o,
                                                   len(payload), fnv1a64(payload))
        buf[o:o + len(payload)] = payload
    with open(out, "wb") as f:
        f.write(buf)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        manifest = f.read()
    json.loads(manifest)  # must be valid JSON
    with open(sys.argv[2], "rb") as f:
        host = f.read()
    write_artifact([(1, 0, manifest), (2, 0, host)], sys.argv[3])


if __name__ == "__main__":
    main()
