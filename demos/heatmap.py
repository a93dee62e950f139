"""Attention matrices drawn on the server: an SVG heatmap with labels and hover values, and tiny PNG thumbnails.

No JavaScript and no plotting library: the SVG is a few thousand <rect>s (each with a <title> that the browser
shows on hover and screen readers read), the thumbnails are data-URI PNGs a few hundred bytes each.
"""

import base64
import struct
import zlib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LABEL_CHARS = 12
ACCENT_RGB = (75, 63, 214)  # --accent in site.css; PNG pixels cannot read CSS variables
MASKED_RGBA = (150, 150, 160, 90)


def token_label(token: str) -> str:
    """A short, visible label: leading-space word markers dropped, whitespace made visible."""
    text = token.strip(" ") or "␣"
    text = text.replace("\n", "↵").replace("\t", "⇥")
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _cell(n: int) -> int:
    """Cell size in px: the map about 600 px wide, cells between 10 and 36 px."""
    return max(10, min(36, 600 // max(n, 1)))


def font_size(cell: int) -> int:
    return max(9, min(13, cell - 3))


def heatmap_svg(matrix: list[list[float]], tokens: list[str], *, causal: bool = False, caption: str = "") -> SafeString:
    """Rows are queries (the token looking), columns keys (the token looked at); darker = more attention.

    Colour is linear in the weight, scaled to the largest weight in this map; in a causal map the cells above
    the diagonal (future tokens) are hatched grey: the mask sets them to zero before the softmax.
    """
    n = len(tokens)
    labels = [token_label(t) for t in tokens]
    cell = _cell(n)
    pad = 10 + round(0.62 * font_size(cell) * max((len(label) for label in labels), default=1))  # longest label
    top = pad
    size_w, size_h = pad + n * cell + pad // 2 + 4, top + n * cell + 4  # column labels lean right
    peak = max((max(row) for row in matrix if row), default=1.0) or 1.0
    parts = [
        f'<svg class="heatmap" role="img" viewBox="0 0 {size_w} {size_h}" width="{size_w}" height="{size_h}" '
        f'aria-label="{escape(caption or "Attention heatmap")}: rows are queries, columns are keys" '
        'xmlns="http://www.w3.org/2000/svg">',
        '<defs><pattern id="masked" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" class="masked-bg"/><line x1="0" y1="0" x2="0" y2="6" class="masked-line"/>'
        "</pattern></defs>",
    ]
    font = font_size(cell)
    for i, label in enumerate(labels):
        y = top + i * cell + cell / 2
        parts.append(
            f'<text class="row-label" x="{pad - 4}" y="{y:.1f}" font-size="{font}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        x = pad + i * cell + cell / 2
        parts.append(
            f'<text class="col-label" transform="translate({x:.1f},{top - 4}) rotate(-60)" '
            f'font-size="{font}" dominant-baseline="middle">{escape(label)}</text>'
        )
    for q, row in enumerate(matrix):
        for k, weight in enumerate(row):
            x, y = pad + k * cell, top + q * cell
            if causal and k > q:
                parts.append(
                    f'<rect class="masked" x="{x}" y="{y}" width="{cell}" height="{cell}" fill="url(#masked)">'
                    f"<title>{escape(labels[q])} → {escape(labels[k])}: masked (future token)</title></rect>"
                )
                continue
            parts.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#4b3fd6" '
                f'fill-opacity="{min(1.0, weight / peak):.3f}">'
                f"<title>{escape(labels[q])} → {escape(labels[k])}: {weight:.3f}</title></rect>"
            )
    parts.append(f'<rect class="frame" x="{pad}" y="{top}" width="{n * cell}" height="{n * cell}" fill="none"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every token and caption is escaped above)


def _png(width: int, height: int, rgba_rows: list[bytes]) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rgba_rows)  # filter type 0 per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def heatmap_png_uri(matrix: list[list[float]], *, causal: bool = False) -> str:
    """A thumbnail: one pixel per cell, accent colour with the weight as opacity (scaled to this map's peak)."""
    n = len(matrix)
    peak = max((max(row) for row in matrix if row), default=1.0) or 1.0
    r, g, b = ACCENT_RGB
    rows = []
    for q, row in enumerate(matrix):
        pixels = bytearray()
        for k, weight in enumerate(row):
            pixels += bytes(MASKED_RGBA) if causal and k > q else bytes((r, g, b, round(255 * min(1.0, weight / peak))))
        rows.append(bytes(pixels))
    return "data:image/png;base64," + base64.b64encode(_png(n, n, rows)).decode()
