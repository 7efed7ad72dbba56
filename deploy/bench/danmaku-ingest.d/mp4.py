"""Writes a minimal 10 s MP4 (ftyp, moov/mvhd/trak/tkhd, mdat), enough for video-service's checks."""
import random
import struct
import sys


def box(kind, body):
    return struct.pack(">I", 8 + len(body)) + kind.encode() + body


duration_ms, width, height = 10_000, 320, 240
matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000]
mvhd = struct.pack(">I", 0) + struct.pack(">II", 0, 0) + struct.pack(">II", 1000, duration_ms)
mvhd += struct.pack(">IH", 0x00010000, 0x0100) + bytes(10) + struct.pack(">9I", *matrix) + bytes(24)
mvhd += struct.pack(">I", 2)
tkhd = struct.pack(">I", 3) + struct.pack(">5I", 0, 0, 1, 0, duration_ms) + bytes(8)
tkhd += struct.pack(">4H", 0, 0, 0, 0) + struct.pack(">9I", *matrix) + struct.pack(">II", width << 16, height << 16)
ftyp = box("ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
moov = box("moov", box("mvhd", mvhd) + box("trak", box("tkhd", tkhd)))
random.seed(42)
payload = bytes(random.getrandbits(8) for _ in range(4096))
with open(sys.argv[1], "wb") as out:
    out.write(ftyp + moov + box("mdat", payload))
