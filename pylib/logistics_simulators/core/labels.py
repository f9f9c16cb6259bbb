# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Label rendering shared by the simulators: small but valid PDF, ZPL II, PNG
and GIF files with the label's text lines and fake bars derived from the
tracking number (``bars``). What goes on a label is the carrier's business
(``generic/shipping.py``, ``ups/shipping.py``, ``dhl/shipping.py``)."""

import struct
import zlib


def _pdf_text(text):
    text = str(text).encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def bars(code):
    """Widths of a fake barcode (alternating bar/space) derived from ``code``."""
    widths = []
    for char in code:
        value = ord(char)
        widths.extend(1 + ((value >> shift) & 1) * 2 for shift in range(4))
    return widths


def build_pdf_label(lines, barcode=""):
    """A valid one-page 4x6 inch PDF with ``lines`` of text and fake bars."""
    width, height = 288, 432
    ops = ["BT", "/F1 16 Tf", f"20 {height - 40} Td", "20 TL"]
    for index, line in enumerate(lines):
        if index == 1:
            ops.append("/F1 11 Tf 15 TL")
        ops.append(f"({_pdf_text(line)}) Tj T*")
    ops.append("ET")
    x = 20.0
    for index, bar in enumerate(bars(barcode)):
        if index % 2 == 0:
            ops.append(f"{x:.1f} 60 {bar * 1.2:.1f} 70 re f")
        x += bar * 1.2
        if x > width - 20:
            break
    if barcode:
        ops.append(f"BT /F1 10 Tf 20 45 Td ({_pdf_text(barcode)}) Tj ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def build_zpl_label(lines, barcode=""):
    """ZPL II text for a 4x6 inch label."""

    def field(text):
        return str(text).replace("^", " ").replace("~", " ")

    out = ["^XA", "^CI28", "^CF0,40"]
    y = 40
    for index, line in enumerate(lines):
        out.append(f"^FO40,{y}^FD{field(line)}^FS")
        if index == 0:
            out.append("^CF0,28")
        y += 50 if index == 0 else 36
    if barcode:
        out.append(f"^FO40,{max(y + 40, 600)}^BY3^BCN,200,Y,N,N^FD{field(barcode)}^FS")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def build_png_label(barcode=""):
    """A small valid grayscale PNG showing fake bars."""
    width, height = 240, 100
    columns = bytearray(b"\xff" * width)
    x = 10
    for index, bar in enumerate(bars(barcode)):
        for _ in range(bar * 2):
            if x >= width - 10:
                break
            if index % 2 == 0:
                columns[x] = 0
            x += 1
    raw = b"".join(b"\x00" + bytes(columns) for _ in range(height))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _lzw(pixels, min_size):
    """GIF LZW compression of palette indices.

    The string table is keyed by (prefix code, pixel), so each pixel costs
    one dictionary look-up (labels are rendered for every shipment).
    """
    clear, end = 1 << min_size, (1 << min_size) + 1
    out = bytearray()
    buffer = bits = 0
    size, next_code = min_size + 1, end + 1
    table = {}

    def emit(code, buffer, bits):
        buffer |= code << bits
        bits += size
        while bits >= 8:
            out.append(buffer & 0xFF)
            buffer >>= 8
            bits -= 8
        return buffer, bits

    buffer, bits = emit(clear, buffer, bits)
    prefix = None
    for pixel in pixels:
        if prefix is None:
            prefix = pixel
            continue
        key = (prefix, pixel)
        code = table.get(key)
        if code is not None:
            prefix = code
            continue
        buffer, bits = emit(prefix, buffer, bits)
        table[key] = next_code
        next_code += 1
        if next_code > (1 << size) and size < 12:
            size += 1
        if next_code >= 4000:
            buffer, bits = emit(clear, buffer, bits)
            table.clear()
            size, next_code = min_size + 1, end + 1
        prefix = pixel
    if prefix is not None:
        buffer, bits = emit(prefix, buffer, bits)
    buffer, bits = emit(end, buffer, bits)
    if bits:
        out.append(buffer & 0xFF)
    return bytes(out)


def _gif_with_pillow(pixels, width, height):
    """The GIF of ``pixels`` (palette indices, 0 black, 1 white) encoded by
    Pillow's C encoder, or None without Pillow (the pure-Python encoder
    then does it, ~3 ms a label: a carrier's CPU that would otherwise
    compete with Odoo's on one machine in the benchmarks)."""
    try:
        from PIL import Image
    except ImportError:
        return None
    import io

    image = Image.frombytes("P", (width, height), pixels)
    image.putpalette([0, 0, 0, 255, 255, 255])
    out = io.BytesIO()
    image.save(out, format="GIF")
    data = out.getvalue()
    # an 87a stream is a valid 89a one; UPS documents GIF89a labels
    return b"GIF89a" + data[6:] if data.startswith(b"GIF87a") else data


def build_gif_label(barcode="", width=320, height=120):
    """A valid 2-colour GIF89a with fake bars derived from ``barcode``."""
    row = bytearray(b"\x01" * width)  # white
    x = 12
    for index, bar in enumerate(bars(barcode or "UPS")):
        for _ in range(bar * 2):
            if x >= width - 12:
                break
            if index % 2 == 0:
                row[x] = 0  # black
            x += 1
    pixels = bytes(row) * (height - 20) + b"\x01" * (width * 20)
    encoded = _gif_with_pillow(pixels, width, height)
    if encoded is not None:
        return encoded
    data = _lzw(pixels, 2)
    blocks = b"".join(
        bytes([len(data[i : i + 255])]) + data[i : i + 255]
        for i in range(0, len(data), 255)
    )
    palette = b"\x00\x00\x00\xff\xff\xff\x00\x00\x00\xff\xff\xff"
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0xF1, 0, 0)
        + palette
        + b","
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02"
        + blocks
        + b"\x00;"
    )
