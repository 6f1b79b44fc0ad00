"""A calm theme readable from a metre away; it follows the system's light or dark palette."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from csdesk.paths import resources_dir

BASE_POINT_SIZE = 12
THEME_ENV = "CSDESK_THEME"  # "light" or "dark" overrides the system (screenshots, odd desktops)

_Role = QPalette.ColorRole
_LIGHT = {
    _Role.Window: "#efefef",
    _Role.WindowText: "#1d1d1f",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#f6f7f9",
    _Role.Text: "#1d1d1f",
    _Role.Button: "#f4f4f5",
    _Role.ButtonText: "#1d1d1f",
    _Role.Highlight: "#2a6db0",
    _Role.HighlightedText: "#ffffff",
    _Role.ToolTipBase: "#ffffdc",
    _Role.ToolTipText: "#1d1d1f",
    _Role.PlaceholderText: "#7a7a80",
    _Role.Link: "#2a6db0",
    _Role.Mid: "#b8b8bd",
}
_DARK = {
    _Role.Window: "#202124",
    _Role.WindowText: "#e8e8ea",
    _Role.Base: "#17181a",
    _Role.AlternateBase: "#24262a",
    _Role.Text: "#e8e8ea",
    _Role.Button: "#2c2e33",
    _Role.ButtonText: "#e8e8ea",
    _Role.Highlight: "#3d7fc4",
    _Role.HighlightedText: "#ffffff",
    _Role.ToolTipBase: "#2c2e33",
    _Role.ToolTipText: "#e8e8ea",
    _Role.PlaceholderText: "#8b8c92",
    _Role.Link: "#7fb4e6",
    _Role.Mid: "#55575d",
}


def wants_dark(app: QGuiApplication) -> bool:
    """The system's choice (Qt 6.5+ reads it from the desktop), or CSDESK_THEME."""
    forced = os.environ.get(THEME_ENV, "").lower()
    if forced in ("light", "dark"):
        return forced == "dark"
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return app.palette().color(_Role.Window).lightness() < 128


def palette(dark: bool) -> QPalette:
    """A calm light or dark palette; disabled text is dimmed in both."""
    colours = _DARK if dark else _LIGHT
    result = QPalette()
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    dim = QColor("#6e6f75" if dark else "#a0a0a5")
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        result.setColor(QPalette.ColorGroup.Disabled, role, dim)
    return result


@dataclass(frozen=True)
class Tones:
    """The few colours we add on top of the system palette."""

    dark: bool
    accent: str
    banner_bg: str
    alert_bg: str
    alert_fg: str
    alert_border: str
    muted: str
    error: str


def tones() -> Tones:
    palette = QGuiApplication.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    # Halfway between text and background: quieter, still readable, right in light and dark.
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    muted = QColor(
        (text.red() * 3 + window.red() * 2) // 5,
        (text.green() * 3 + window.green() * 2) // 5,
        (text.blue() * 3 + window.blue() * 2) // 5,
    ).name()
    if dark:
        return Tones(True, "#7fb4e6", "#23303d", "#4a3413", "#ffe2b0", "#b07a2a", muted, "#ff9a8f")
    return Tones(False, "#2a6db0", "#eef4fa", "#fff3dc", "#6b4300", "#e0a84a", muted, "#b3261e")


def apply_theme(app: QApplication) -> Tones:
    """Fusion, our light or dark palette as the system prefers, and a few style rules."""
    app.setStyle("Fusion")  # the same look everywhere
    app.setPalette(palette(wants_dark(app)))
    if not app.property("csdeskFollowsScheme"):
        # the desktop switched light/dark while csdesk runs: follow it, tones included
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
        app.setProperty("csdeskFollowsScheme", True)
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    t = tones()
    chevron = (resources_dir() / "icons" / "chevron-down.svg").as_posix()
    # A "tone" property, not "class": in Qt style sheets `class` means the C++ class name.
    app.setStyleSheet(
        f"""
        QLineEdit, QComboBox {{
            padding: 6px 8px; border: 1px solid palette(mid); border-radius: 6px;
            background: palette(base);
        }}
        QLineEdit:focus, QComboBox:focus {{ border: 2px solid {t.accent}; }}
        /* A styled combo box must style its arrow box too, or Fusion draws a clipped frame. */
        QComboBox {{ padding-right: 26px; }}
        QComboBox::drop-down {{
            subcontrol-origin: padding; subcontrol-position: center right;
            width: 24px; border: none; background: transparent;
        }}
        QComboBox::down-arrow {{ image: url("{chevron}"); width: 12px; height: 12px; }}
        QLineEdit#searchField {{ font-size: 15pt; padding: 10px 12px; }}
        QPushButton {{
            padding: 7px 18px; border: 1px solid palette(mid); border-radius: 6px;
            background: palette(button);
        }}
        QPushButton:hover {{ border-color: {t.accent}; }}
        QPushButton:focus {{ border: 2px solid {t.accent}; }}
        QPushButton:default {{
            background: {t.accent}; color: palette(base); border-color: {t.accent};
        }}
        QPushButton:disabled {{ color: palette(mid); }}
        QPushButton:default:disabled {{
            background: palette(button); color: palette(mid); border-color: palette(mid);
        }}
        QFrame#lockCard {{
            background: palette(base); border: 1px solid palette(mid); border-radius: 12px;
        }}
        QLabel#lockTitle {{ font-size: 20pt; font-weight: 600; }}
        QListWidget#signInNames {{ font-size: 14pt; }}
        QListView, QTreeView {{ border: none; background: palette(base); }}
        QHeaderView::section {{
            padding: 6px 6px; border: none; border-bottom: 1px solid palette(mid);
            background: palette(base); font-weight: 600;
        }}
        QTabWidget::pane {{ border: none; }}
        QTabBar::tab {{
            padding: 8px 22px; border: none; border-bottom: 3px solid transparent;
            background: transparent; margin-right: 4px;
        }}
        QTabBar::tab:selected {{ border-bottom: 3px solid {t.accent}; font-weight: 600; }}
        QTabWidget#insightsTabs > QTabBar::tab {{ padding: 8px 9px; margin-right: 2px; }}
        QTabWidget#customerSections > QTabBar::tab {{ padding: 8px 14px; }}
        QFrame#greetingBanner {{ background: {t.banner_bg}; border-radius: 10px; }}
        QLabel#greetingHeadline {{ font-size: 24pt; font-weight: 600; }}
        QLabel#greetingDetails {{ font-size: 13pt; }}
        QFrame#greetingAlerts {{
            background: {t.alert_bg}; border: 1px solid {t.alert_border}; border-radius: 8px;
        }}
        QLabel[tone="alert"] {{ color: {t.alert_fg}; font-weight: 600; font-size: 13pt; }}
        QLabel[tone="muted"] {{ color: {t.muted}; }}
        QLabel[tone="fieldError"] {{ color: {t.error}; }}
        QLabel[tone="sectionTitle"] {{ font-size: 14pt; font-weight: 600; }}
        QLabel#emptyState {{ color: {t.muted}; font-size: 15pt; }}
        QSplitter::handle {{ background: palette(mid); }}
        """
    )
    return t
