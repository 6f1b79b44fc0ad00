"""Can this computer draw every script customers' names come in?

Qt falls back through fontconfig (Linux), Core Text (macOS) or DirectWrite (Windows) to any
installed font that has a glyph, so a name in Chinese shows as long as one font covers Chinese.
When none does, Qt draws empty boxes and nothing says why: csdesk checks the scripts its demo
data uses (the ones shops meet) and says once, in the status bar, what to install. Fonts are not
bundled: Noto CJK alone is tens of MB per weight, and every desktop system ships a CJK font or
installs one in a line (the Makefile's set-up installs Debian's fonts-noto-cjk).
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

WS = QFontDatabase.WritingSystem
# The non-Latin scripts of csdesk's demo names (services/demo.py).
SCRIPTS: dict[str, WS] = {
    "Greek": WS.Greek,
    "Cyrillic": WS.Cyrillic,
    "Hebrew": WS.Hebrew,
    "Arabic": WS.Arabic,
    "Chinese": WS.SimplifiedChinese,
    "Japanese": WS.Japanese,
    "Korean": WS.Korean,
}


def missing_scripts() -> list[str]:
    """The scripts no installed font covers, in SCRIPTS order."""
    return [name for name, system in SCRIPTS.items() if not QFontDatabase.families(system)]


def font_hint(missing: list[str]) -> str | None:
    """One line for the status bar, or None when every script has a font."""
    if not missing:
        return None
    names = ", ".join(missing)
    return (
        f"Names in {names} show as empty boxes: no font on this computer has them. Install a "
        "font that covers them, e.g. Noto (Debian/Ubuntu: fonts-noto-cjk for Chinese, Japanese "
        "and Korean; fonts-noto-core for the others)."
    )
