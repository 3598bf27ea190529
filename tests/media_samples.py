"""Real bytes for the media tests, made here: JPEG and PNG photos (Pillow), Ogg/Opus voice notes,
a PDF and text files. Nothing is downloaded; each sample is a valid file of its format.

A voice note carries what it "says" in its Ogg comment header (TRANSCRIPT=…), so the fake
transcription server answers with the words of the very file it was sent, and its duration
in the granule position of its last page, as a real Opus stream does.
"""

from __future__ import annotations

import io
import os
import struct

from PIL import Image


def jpeg(
    width: int = 1280, height: int = 960, colour: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 220)).save(buffer, "PNG")
    return buffer.getvalue()


def noise_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: it barely compresses (about 3 bytes a pixel)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        buffer, "PNG", compress_level=1
    )
    return buffer.getvalue()


def bmp(width: int = 32, height: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 0)).save(buffer, "BMP")
    return buffer.getvalue()


def pdf(text: str = "Quarterly report: revenue grew 12%.") -> bytes:
    """A one-page PDF with `text` on it, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def csv(rows: int = 5) -> bytes:
    lines = ["month,revenue,costs"] + [
        f"2026-{m:02d},{1000 + 37 * m},{800 + 11 * m}" for m in range(1, rows + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


# -- Ogg/Opus -------------------------------------------------------------------------------

OPUS_SILENCE = b"\xf8\xff\xfe"  # one 20 ms CELT frame of silence
GRANULE_RATE = 48_000  # Opus granule positions count 48 kHz samples


def ogg_opus(transcript: str, seconds: float = 3.0) -> bytes:
    """A valid Ogg/Opus stream of `seconds` of silence whose comments carry `transcript`."""
    serial = 0x7E1E
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48_000, 0, 0)
    vendor = b"telethread-tests"
    comment = f"TRANSCRIPT={transcript}".encode()
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor
    tags += struct.pack("<I", 1) + struct.pack("<I", len(comment)) + comment
    frames = max(1, int(seconds * 50))
    pages = [_page(head, serial, 0, 0, flags=0x02), _page(tags, serial, 1, 0)]
    per_page = 50  # one second of frames per page
    sequence = 2
    for start in range(0, frames, per_page):
        count = min(per_page, frames - start)
        granule = (start + count) * 960 + 312
        last = start + count >= frames
        pages.append(
            _page_of([OPUS_SILENCE] * count, serial, sequence, granule, flags=0x04 if last else 0)
        )
        sequence += 1
    return b"".join(pages)


def _page(packet: bytes, serial: int, sequence: int, granule: int, *, flags: int = 0) -> bytes:
    return _page_of([packet], serial, sequence, granule, flags=flags)


def _page_of(
    packets: list[bytes], serial: int, sequence: int, granule: int, *, flags: int = 0
) -> bytes:
    lacing = bytearray()
    for packet in packets:
        size = len(packet)
        lacing += b"\xff" * (size // 255) + bytes([size % 255])
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, sequence, 0, len(lacing))
    page = bytearray(header + lacing + b"".join(packets))
    struct.pack_into("<I", page, 22, _ogg_crc(bytes(page)))
    return bytes(page)


def _ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, no reflection, no final xor)."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def read_ogg_opus(data: bytes) -> tuple[str, float]:
    """(transcript, seconds) of a stream `ogg_opus` made; ValueError if it is not Ogg/Opus."""
    if not data.startswith(b"OggS"):
        raise ValueError("not an Ogg stream")
    position, granule, payload = 0, 0, bytearray()
    while position < len(data):
        if data[position : position + 4] != b"OggS":
            raise ValueError("broken Ogg page")
        granule = struct.unpack_from("<q", data, position + 6)[0]
        segments = data[position + 26]
        lacing = data[position + 27 : position + 27 + segments]
        body = position + 27 + segments
        size = sum(lacing)
        payload += data[body : body + size]
        position = body + size
    if b"OpusHead" not in payload[:19]:
        raise ValueError("not an Opus stream")
    marker = payload.find(b"TRANSCRIPT=")
    text = ""
    if marker >= 0:
        length = struct.unpack_from("<I", payload, marker - 4)[0]
        text = payload[marker + 11 : marker + length].decode()
    return text, max(0, granule - 312) / GRANULE_RATE
