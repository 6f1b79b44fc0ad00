"""Render resources/icons/csdesk.svg into every PNG, .ico and .icns the installers need.

Run after editing the SVG (the outputs are committed, so builds need no SVG tooling):
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
Uses Qt's own SVG renderer (PySide6-Essentials ships QtSvg), so no extra tools are needed.
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "csdesk.svg"
# The sizes freedesktop icon themes look up (hicolor), plus 512 for software centres.
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns chunk types that hold plain PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; runtime wants str
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNGs (supported since Vista)."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    offset = 6 + 16 * len(ICO_SIZES)
    entries, blobs = b"", b""
    for size in ICO_SIZES:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns made of PNG chunks."""
    body = b""
    for size, kind in ICNS_TYPES.items():
        blob = pngs[size]
        body += kind + struct.pack(">I", len(blob) + 8) + blob
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841 (QtSvg wants a GUI application alive)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    pngs = {size: render(renderer, size) for size in SIZES}
    hicolor = ROOT / "packaging" / "linux" / "icons" / "hicolor"
    for size, blob in pngs.items():
        (ROOT / "resources" / "icons" / f"csdesk-{size}.png").write_bytes(blob)
        target = hicolor / f"{size}x{size}" / "apps" / "csdesk.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    scalable = hicolor / "scalable" / "apps" / "csdesk.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    (ROOT / "packaging" / "windows" / "csdesk.ico").write_bytes(ico(pngs))
    (ROOT / "packaging" / "macos" / "csdesk.icns").write_bytes(icns(pngs))
    print(f"rendered {len(SIZES)} sizes from {SVG.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
